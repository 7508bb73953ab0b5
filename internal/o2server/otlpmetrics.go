package o2server

import (
	"math"
	"net/http"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"

	"github.com/o2kit/o2kit/internal/norm"
)

// handleOTLPMetrics answers POST /api/{org}/v1/metrics; each metric name
// is a stream. JSON requests with rejected data points get 206.
func handleOTLPMetrics(c *call) {
	if !c.readBody() {
		return
	}
	c.processTime() // the metrics handler adds it to every answer
	isProto, ok := otlpContent(c)
	if !ok {
		return
	}
	req := pmetricotlp.NewExportRequest()
	if !c.decodeOTLP(req, isProto, "resourceMetrics") {
		return
	}
	streams, rejected, rejectMsg := c.s.metricPoints(req.Metrics())
	for _, ms := range streams {
		if _, err := c.s.writeBatch(c.org.dbs[typeMetrics], typeMetrics, ms.name, ms.recs); err != nil {
			c.envelope(http.StatusInternalServerError, err.Error())
			return
		}
		c.accepted(len(ms.recs))
	}
	c.failed(rejected)
	switch {
	case isProto:
		var b []byte
		if rejected > 0 {
			resp := pmetricotlp.NewExportResponse()
			resp.PartialSuccess().SetRejectedDataPoints(int64(rejected))
			resp.PartialSuccess().SetErrorMessage(rejectMsg)
			b, _ = resp.MarshalProto()
		}
		c.raw(http.StatusOK, contentProto, b)
	case rejected > 0:
		c.json(http.StatusPartialContent, orderedObject{{"partialSuccess", orderedObject{
			{"rejectedDataPoints", rejected}, {"errorMessage", rejectMsg},
		}}})
	default:
		c.json(http.StatusOK, orderedObject{{"partialSuccess", nil}})
	}
}

// metricPoints turns data points into rows (src/core/src/metrics/otlp.rs).
func (s *Server) metricPoints(md pmetric.Metrics) ([]*metricStream, int, string) {
	var streams []*metricStream
	byName := map[string]*metricStream{}
	rejected, msg := 0, ""
	f := flattener{sorted: s.cfg.sortedKeys}
	now := s.nowMicros()
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		for j := 0; j < rm.ScopeMetrics().Len(); j++ {
			sm := rm.ScopeMetrics().At(j)
			for k := 0; k < sm.Metrics().Len(); k++ {
				m := sm.Metrics().At(k)
				name := norm.StreamName(m.Name())
				base := jvalue{kind: jObject}
				for key, v := range rm.Resource().Attributes().All() {
					base.set(norm.Key(key), stringValue(v))
				}
				if sm.Scope().Name() != "" || sm.Scope().Version() != "" {
					base.set("instrumentation_library_name", jstr(sm.Scope().Name()))
					base.set("instrumentation_library_version", jstr(sm.Scope().Version()))
				}
				base.set(nameLabel, jstr(name))
				recs := metricRecords(base, m)
				if m.Type() == pmetric.MetricTypeEmpty {
					rejected++
					msg = "metric " + name + " has no data points"
				}
				for _, rec := range recs {
					rec.set(hashLabel, juint(labelHash(&rec)))
					flat, err := f.flatten(rec)
					if err != nil {
						continue
					}
					n, _ := flat.get(nameLabel)
					stream := norm.StreamName(n.s)
					ts := now
					if tv, ok := flat.get("_timestamp"); ok {
						ts, _ = tv.isInt()
					}
					ms := byName[stream]
					if ms == nil {
						ms = &metricStream{name: stream}
						byName[stream] = ms
						streams = append(streams, ms)
					}
					ms.recs = append(ms.recs, pending{ts: ts, rec: flat})
				}
			}
		}
	}
	return streams, rejected, msg
}

func metricRecords(base jvalue, m pmetric.Metric) []jvalue {
	var out []jvalue
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		out = numberPoints(base, m.Gauge().DataPoints())
	case pmetric.MetricTypeSum:
		base.set("aggregation_temporality", jstr(temporality(m.Sum().AggregationTemporality())))
		base.set("is_monotonic", jstr(strconv.FormatBool(m.Sum().IsMonotonic())))
		out = numberPoints(base, m.Sum().DataPoints())
	case pmetric.MetricTypeHistogram:
		base.set("aggregation_temporality", jstr(temporality(m.Histogram().AggregationTemporality())))
		dps := m.Histogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			out = append(out, histogramPoint(base, dps.At(i))...)
		}
	case pmetric.MetricTypeExponentialHistogram:
		base.set("aggregation_temporality", jstr(temporality(m.ExponentialHistogram().AggregationTemporality())))
		dps := m.ExponentialHistogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			out = append(out, expHistogramPoint(base, dps.At(i))...)
		}
	case pmetric.MetricTypeSummary:
		dps := m.Summary().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			out = append(out, summaryPoint(base, dps.At(i))...)
		}
	}
	return out
}

func temporality(t pmetric.AggregationTemporality) string {
	switch t {
	case pmetric.AggregationTemporalityDelta:
		return "AGGREGATION_TEMPORALITY_DELTA"
	case pmetric.AggregationTemporalityCumulative:
		return "AGGREGATION_TEMPORALITY_CUMULATIVE"
	}
	return "AGGREGATION_TEMPORALITY_UNSPECIFIED"
}

// pointBase copies the metric's labels and adds a data point's attributes,
// time, start time and flags.
type pointLike interface {
	Attributes() pcommon.Map
	Timestamp() pcommon.Timestamp
	StartTimestamp() pcommon.Timestamp
	Flags() pmetric.DataPointFlags
}

func pointBase(base jvalue, dp pointLike) jvalue {
	rec := jvalue{kind: jObject, obj: append([]jmember(nil), base.obj...)}
	for k, v := range dp.Attributes().All() {
		rec.set(norm.Key(k), stringValue(v))
	}
	rec.set("_timestamp", jint(int64(dp.Timestamp())/1000))
	rec.set("start_time", jstr(strconv.FormatUint(uint64(dp.StartTimestamp()), 10)))
	flag := "DATA_POINT_FLAGS_DO_NOT_USE"
	if dp.Flags().NoRecordedValue() {
		flag = "DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK"
	}
	rec.set("flag", jstr(flag))
	return rec
}

func numberPoints(base jvalue, dps pmetric.NumberDataPointSlice) []jvalue {
	var out []jvalue
	for i := 0; i < dps.Len(); i++ {
		dp := dps.At(i)
		v := dp.DoubleValue()
		if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
			v = float64(dp.IntValue())
		}
		if math.IsNaN(v) {
			continue // NaN samples are dropped
		}
		rec := pointBase(base, dp)
		rec.set(valueLabel, metricValue(v))
		rec.set("exemplars", exemplars(dp.Exemplars()))
		out = append(out, rec)
	}
	return out
}

// metricValue clamps infinities to the largest finite floats.
func metricValue(v float64) jvalue {
	switch {
	case math.IsInf(v, 1):
		v = math.MaxFloat64
	case math.IsInf(v, -1):
		v = -math.MaxFloat64
	}
	return jvalue{kind: jNumber, s: formatRyu(v)}
}

func exemplars(es pmetric.ExemplarSlice) jvalue {
	out := jvalue{kind: jArray}
	for i := 0; i < es.Len(); i++ {
		e := es.At(i)
		rec := jvalue{kind: jObject}
		for k, v := range e.FilteredAttributes().All() {
			rec.set(k, stringValue(v))
		}
		v := e.DoubleValue()
		if e.ValueType() == pmetric.ExemplarValueTypeInt {
			v = float64(e.IntValue())
		}
		rec.set(valueLabel, jfloat(v))
		rec.set("_timestamp", jint(int64(e.Timestamp())/1000))
		if id, ok := traceHex(e.TraceID()); ok {
			rec.set("trace_id", jstr(id))
		}
		if id, ok := spanHex(e.SpanID()); ok {
			rec.set("span_id", jstr(id))
		}
		out.arr = append(out.arr, rec)
	}
	return out
}

// derived returns a copy of rec for the series name+suffix with a value.
func derived(rec jvalue, suffix string, v float64) jvalue {
	out := jvalue{kind: jObject, obj: append([]jmember(nil), rec.obj...)}
	n, _ := rec.get(nameLabel)
	out.set(nameLabel, jstr(n.s+suffix))
	out.set(valueLabel, metricValue(v))
	return out
}

func histogramPoint(base jvalue, dp pmetric.HistogramDataPoint) []jvalue {
	rec := pointBase(base, dp)
	rec.set("exemplars", exemplars(dp.Exemplars()))
	out := []jvalue{derived(rec, "_count", float64(dp.Count()))}
	if dp.HasSum() && !math.IsNaN(dp.Sum()) {
		out = append(out, derived(rec, "_sum", dp.Sum()))
	}
	if dp.HasMin() && !math.IsNaN(dp.Min()) {
		out = append(out, derived(rec, "_min", dp.Min()))
	}
	if dp.HasMax() && !math.IsNaN(dp.Max()) {
		out = append(out, derived(rec, "_max", dp.Max()))
	}
	var acc uint64
	bounds, counts := dp.ExplicitBounds(), dp.BucketCounts()
	for i := 0; i < counts.Len(); i++ {
		acc += counts.At(i)
		b := derived(rec, "_bucket", float64(acc))
		le := "inf"
		if i < bounds.Len() {
			le = formatRustFloat(bounds.At(i))
		}
		b.set("le", jstr(le))
		out = append(out, b)
	}
	return out
}

func expHistogramPoint(base jvalue, dp pmetric.ExponentialHistogramDataPoint) []jvalue {
	rec := pointBase(base, dp)
	rec.set("exemplars", exemplars(dp.Exemplars()))
	out := []jvalue{derived(rec, "_count", float64(dp.Count()))}
	if dp.HasSum() && !math.IsNaN(dp.Sum()) {
		out = append(out, derived(rec, "_sum", dp.Sum()))
	}
	base2 := math.Pow(2, math.Pow(2, -float64(dp.Scale())))
	for _, side := range []struct {
		b    pmetric.ExponentialHistogramDataPointBuckets
		sign float64
	}{{dp.Negative(), -1}, {dp.Positive(), 1}} {
		for i := 0; i < side.b.BucketCounts().Len(); i++ {
			b := derived(rec, "_bucket", float64(side.b.BucketCounts().At(i)))
			le := side.sign * math.Pow(base2, float64(int(side.b.Offset())+i+1))
			b.set("le", jstr(formatRustFloat(le)))
			out = append(out, b)
		}
	}
	return out
}

func summaryPoint(base jvalue, dp pmetric.SummaryDataPoint) []jvalue {
	rec := pointBase(base, dp)
	out := []jvalue{derived(rec, "_count", float64(dp.Count()))}
	if !math.IsNaN(dp.Sum()) {
		out = append(out, derived(rec, "_sum", dp.Sum()))
	}
	qs := dp.QuantileValues()
	for i := 0; i < qs.Len(); i++ {
		q := qs.At(i)
		if math.IsNaN(q.Value()) {
			continue
		}
		b := derived(rec, "", q.Value())
		b.set("quantile", jstr(formatRustFloat(q.Quantile())))
		out = append(out, b)
	}
	return out
}
