package o2server

import (
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

func otlpLogsJSON(us int64) string {
	return fmt.Sprintf(`{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}}]},
	"scopeLogs":[{"scope":{"name":"lib","version":"1.0"},"logRecords":[{"timeUnixNano":"%d","severityText":"INFO","severityNumber":9,
	"body":{"stringValue":"paid"},"attributes":[{"key":"order.id","value":{"intValue":"42"}},{"key":"ok","value":{"boolValue":true}}],
	"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}]}]}]}`, us*1000)
}

func otlpTraceJSON(us int64) string {
	return fmt.Sprintf(`{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}},{"key":"host.name","value":{"stringValue":"h1"}}]},
	"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","parentSpanId":"eee19b7ec3c1b173",
	"name":"GET /pay","kind":2,"startTimeUnixNano":"%d","endTimeUnixNano":%d,"attributes":[{"key":"http.status_code","value":{"intValue":"200"}}],
	"events":[{"timeUnixNano":"%d","name":"retry","attributes":[{"key":"n","value":{"intValue":"1"}}]}],"status":{"code":2,"message":"boom"}}]}]}]}`,
		us*1000, us*1000+2_500_000, us*1000+1000)
}

func TestOTLPLogsRecordShape(t *testing.T) {
	c := newTestServer(t)
	r := c.post("/api/default/v1/logs", otlpLogsJSON(ts(-time.Minute)), "Content-Type", "application/json", "stream-name", "App-Logs")
	require.Equal(t, http.StatusOK, r.status, r.text())
	recs := c.s.Records("default", "app_logs")
	require.Len(t, recs, 1)
	assert.Equal(t, map[string]any{
		"service_name": "checkout", "instrumentation_library_name": "lib", "instrumentation_library_version": "1.0",
		"_timestamp": ts(-time.Minute), "severity": "INFO", "body": "paid", "dropped_attributes_count": int64(0),
		"order_id": int64(42), "ok": true, "trace_id": "5b8efff798038103d269b633813fc60c", "span_id": "eee19b7ec3c1b174",
	}, recs[0])
}

func TestOTLPLogsProtobufAndRejections(t *testing.T) {
	c := newTestServer(t)
	req := plogotlp.NewExportRequest()
	rl := req.Logs().ResourceLogs().AppendEmpty()
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	ok := lrs.AppendEmpty()
	ok.SetTimestamp(pcommon.NewTimestampFromTime(testNow.Add(-time.Minute)))
	ok.Body().SetStr("fine")
	lrs.AppendEmpty().Body().SetStr("no time at all") // both times 0: too old
	body, err := req.MarshalProto()
	require.NoError(t, err)

	r := c.post("/api/default/v1/logs", string(body), "Content-Type", "application/x-protobuf")
	require.Equal(t, http.StatusOK, r.status, r.text())
	assert.Equal(t, "application/x-protobuf", r.header.Get("Content-Type"))
	resp := plogotlp.NewExportResponse()
	require.NoError(t, resp.UnmarshalProto(r.body))
	assert.Equal(t, int64(1), resp.PartialSuccess().RejectedLogRecords())
	assert.Equal(t, c.s.tooOld(), resp.PartialSuccess().ErrorMessage())
	assert.Equal(t, int64(1), c.s.Count("default", "default"))

	r = c.post("/api/default/v1/logs", "garbage", "Content-Type", "application/x-protobuf")
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.obj(t)["message"], "Invalid proto: ")
}

func TestOTLPTracesRecordShape(t *testing.T) {
	c := newTestServer(t)
	r := c.post("/api/default/v1/traces", otlpTraceJSON(ts(-time.Minute)), "Content-Type", "application/json", "stream-name", "shop")
	require.Equal(t, http.StatusOK, r.status, r.text())
	assert.JSONEq(t, `{"partialSuccess":null}`, r.text())
	assert.NotEmpty(t, r.header.Get("o2_process_time"))
	recs := c.s.RecordsOf("default", "traces", "shop")
	require.Len(t, recs, 1)
	rec := recs[0]
	start := uint64(ts(-time.Minute)) * 1000
	assert.Equal(t, "5b8efff798038103d269b633813fc60c", rec["trace_id"])
	assert.Equal(t, "eee19b7ec3c1b174", rec["span_id"])
	assert.Equal(t, "eee19b7ec3c1b173", rec["reference_parent_span_id"])
	assert.Equal(t, "ChildOf", rec["reference_ref_type"])
	assert.Equal(t, "checkout", rec["service_name"])
	assert.Equal(t, "h1", rec["service_host_name"])
	assert.Equal(t, "GET /pay", rec["operation_name"])
	assert.Equal(t, "2", rec["span_kind"])
	assert.Equal(t, "ERROR", rec["span_status"])
	assert.Equal(t, start, rec["start_time"])
	assert.Equal(t, start+2_500_000, rec["end_time"])
	assert.Equal(t, int64(2500), rec["duration"])
	assert.Equal(t, "200", rec["http_status_code"])
	assert.Equal(t, int64(2), rec["status_code"])
	assert.Equal(t, "boom", rec["status_message"])
	assert.Equal(t, ts(-time.Minute), rec["_timestamp"])
	assert.Equal(t, fmt.Sprintf(`[{"name":"retry","_timestamp":%d,"n":"1"}]`, start+1000), rec["events"])
	assert.Equal(t, "[]", rec["links"])
}

func TestOTLPTracesOrgHeaderAndErrors(t *testing.T) {
	c := newTestServer(t)
	r := c.post("/api/default/traces", otlpTraceJSON(ts(-time.Minute)), "Content-Type", "application/json", "organization", "shop-org")
	require.Equal(t, http.StatusOK, r.status, r.text())
	assert.Len(t, c.s.RecordsOf("shop-org", "traces", "default"), 1)

	r = c.post("/api/default/otel/v1/traces", `{}`, "Content-Type", "application/json")
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "Invalid json: missing field `resourceSpans` at line 1 column 2", r.obj(t)["message"])

	r = c.post("/api/default/v1/traces", `{}`, "Content-Type", "text/plain")
	assert.Equal(t, http.StatusBadRequest, r.status)

	// Protobuf requests always get 200 with a protobuf body.
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(pcommon.TraceID{1})
	sp.SetSpanID(pcommon.SpanID{1})
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(testNow.Add(-48 * time.Hour)))
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	require.NoError(t, err)
	r = c.post("/api/default/v1/traces", string(body), "Content-Type", "application/x-protobuf")
	require.Equal(t, http.StatusOK, r.status)
	resp := ptraceotlp.NewExportResponse()
	require.NoError(t, resp.UnmarshalProto(r.body))
	assert.Equal(t, int64(1), resp.PartialSuccess().RejectedSpans())
}

func TestOTLPMetrics(t *testing.T) {
	c := newTestServer(t)
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "shop")
	ms := rm.ScopeMetrics().AppendEmpty().Metrics()
	g := ms.AppendEmpty()
	g.SetName("orders.total")
	dp := g.SetEmptySum().DataPoints().AppendEmpty()
	g.Sum().SetIsMonotonic(true)
	g.Sum().SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	dp.SetTimestamp(pcommon.NewTimestampFromTime(testNow))
	dp.SetIntValue(7)
	dp.Attributes().PutStr("region", "eu")
	h := ms.AppendEmpty()
	h.SetName("latency")
	hp := h.SetEmptyHistogram().DataPoints().AppendEmpty()
	hp.SetTimestamp(pcommon.NewTimestampFromTime(testNow))
	hp.SetCount(3)
	hp.SetSum(1.5)
	hp.ExplicitBounds().FromRaw([]float64{0.5})
	hp.BucketCounts().FromRaw([]uint64{2, 1})
	ms.AppendEmpty().SetName("empty") // no data: rejected
	body, err := pmetricotlp.NewExportRequestFromMetrics(md).MarshalJSON()
	require.NoError(t, err)

	r := c.post("/api/default/v1/metrics", string(body), "Content-Type", "application/json")
	require.Equal(t, http.StatusPartialContent, r.status, r.text())
	assert.JSONEq(t, `{"partialSuccess":{"rejectedDataPoints":1,"errorMessage":"metric empty has no data points"}}`, r.text())

	sum := c.s.RecordsOf("default", "metrics", "orders_total")
	require.Len(t, sum, 1)
	assert.Equal(t, 7.0, sum[0]["value"])
	assert.Equal(t, "eu", sum[0]["region"])
	assert.Equal(t, "shop", sum[0]["service_name"])
	assert.Equal(t, "true", sum[0]["is_monotonic"])
	assert.Equal(t, "AGGREGATION_TEMPORALITY_CUMULATIVE", sum[0]["aggregation_temporality"])
	assert.Equal(t, nowUS(), sum[0]["_timestamp"])
	assert.IsType(t, uint64(0), sum[0]["__hash__"])

	buckets := c.s.RecordsOf("default", "metrics", "latency_bucket")
	require.Len(t, buckets, 2)
	assert.Equal(t, "0.5", buckets[0]["le"])
	assert.Equal(t, 2.0, buckets[0]["value"])
	assert.Equal(t, "inf", buckets[1]["le"])
	assert.Equal(t, 3.0, buckets[1]["value"], "bucket counts accumulate")
	assert.Len(t, c.s.RecordsOf("default", "metrics", "latency_count"), 1)
	assert.Len(t, c.s.RecordsOf("default", "metrics", "latency_sum"), 1)
}

func TestOTLPMetricShapesAndValues(t *testing.T) {
	c := newTestServer(t)
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutDouble("ratio", 0.5)
	rm.Resource().Attributes().PutBool("canary", true)
	ms := rm.ScopeMetrics().AppendEmpty().Metrics()
	sm := ms.AppendEmpty()
	sm.SetName("rpc")
	sp := sm.SetEmptySummary().DataPoints().AppendEmpty()
	sp.SetTimestamp(pcommon.NewTimestampFromTime(testNow))
	sp.SetCount(4)
	sp.SetSum(2)
	q := sp.QuantileValues().AppendEmpty()
	q.SetQuantile(0.99)
	q.SetValue(1.25)
	eh := ms.AppendEmpty()
	eh.SetName("size")
	ep := eh.SetEmptyExponentialHistogram().DataPoints().AppendEmpty()
	ep.SetTimestamp(pcommon.NewTimestampFromTime(testNow))
	ep.SetScale(0)
	ep.Positive().BucketCounts().FromRaw([]uint64{3})
	g := ms.AppendEmpty()
	g.SetName("temp")
	gp := g.SetEmptyGauge().DataPoints().AppendEmpty()
	gp.SetTimestamp(pcommon.NewTimestampFromTime(testNow))
	gp.SetDoubleValue(math.Inf(1))
	ex := gp.Exemplars().AppendEmpty()
	ex.SetDoubleValue(1)
	ex.SetTraceID(pcommon.TraceID{1, 2})
	body, err := pmetricotlp.NewExportRequestFromMetrics(md).MarshalProto()
	require.NoError(t, err)
	r := c.post("/api/default/v1/metrics", string(body), "Content-Type", "application/x-protobuf")
	require.Equal(t, http.StatusOK, r.status, r.text())
	assert.Empty(t, r.body)

	quant := c.s.RecordsOf("default", "metrics", "rpc")
	require.Len(t, quant, 1)
	assert.Equal(t, "0.99", quant[0]["quantile"])
	assert.Equal(t, 1.25, quant[0]["value"])
	assert.Equal(t, "0.5", quant[0]["ratio"])
	assert.Equal(t, "true", quant[0]["canary"])
	assert.Len(t, c.s.RecordsOf("default", "metrics", "rpc_count"), 1)
	b := c.s.RecordsOf("default", "metrics", "size_bucket")
	require.Len(t, b, 1)
	assert.Equal(t, "2", b[0]["le"])
	temp := c.s.RecordsOf("default", "metrics", "temp")
	require.Len(t, temp, 1)
	assert.Equal(t, math.MaxFloat64, temp[0]["value"])
	assert.Contains(t, temp[0]["exemplars"], `"trace_id":"01020000000000000000000000000000"`)
}

func TestOTLPAttributeValues(t *testing.T) {
	m := pcommon.NewMap()
	m.PutStr("s", "x")
	m.PutInt("i", 3)
	m.PutDouble("d", 1.0)
	m.PutBool("b", false)
	m.PutEmptyBytes("raw").FromRaw([]byte("hi"))
	m.PutEmptySlice("l").AppendEmpty().SetInt(1)
	m.PutEmptyMap("m").PutStr("k", "v")
	m.PutEmpty("n")
	typed := jvalue{kind: jObject}
	str := jvalue{kind: jObject}
	for k, v := range m.All() {
		typed.set(k, anyValue(v))
		str.set(k, stringValue(v))
	}
	assert.Equal(t, `{"s":"x","i":3,"d":1.0,"b":false,"raw":[104,105],"l":[1],"m":{"k":"v"},"n":null}`, string(appendJSON(nil, &typed, false)))
	assert.Equal(t, `{"s":"x","i":"3","d":"1","b":"false","raw":"hi","l":["1"],"m":{"k":"v"},"n":null}`, string(appendJSON(nil, &str, false)))
}

func TestOTLPSpanLinks(t *testing.T) {
	c := newTestServer(t)
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("name", "clash")
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(pcommon.TraceID{1})
	sp.SetSpanID(pcommon.SpanID{2})
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(testNow))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(testNow.Add(time.Millisecond)))
	sp.Status().SetCode(ptrace.StatusCodeOk)
	sp.Attributes().PutStr("span_id", "clash")
	l := sp.Links().AppendEmpty()
	l.SetTraceID(pcommon.TraceID{3})
	l.SetSpanID(pcommon.SpanID{4})
	l.Attributes().PutStr("k", "v")
	sp.Links().AppendEmpty() // no ids: skipped
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalJSON()
	require.NoError(t, err)
	r := c.post("/api/default/v1/traces", string(body), "Content-Type", "application/json")
	require.Equal(t, http.StatusOK, r.status, r.text())
	rec := c.s.RecordsOf("default", "traces", "default")[0]
	assert.Equal(t, "OK", rec["span_status"])
	assert.Equal(t, "clash", rec["attr_span_id"])
	assert.Equal(t, "clash", rec["service_attr_name"])
	assert.Equal(t, `[{"context":{"traceId":"03000000000000000000000000000000","spanId":"0400000000000000","traceFlags":0,"traceState":""},"k":"v","droppedAttributesCount":0}]`, rec["links"])
}

func TestOptions(t *testing.T) {
	c := newTestServer(t, WithRootUser("admin@shop.test", "S3cret#pass"), WithNodeName("node-7"), WithFlattenLevel(1))
	email, pass := c.s.RootUser()
	assert.Equal(t, "admin@shop.test", email)
	assert.Equal(t, "S3cret#pass", pass)
	r := c.postJSON("/api/default/o/_json", `{"a":{"z":1,"b":2}}`)
	assert.Equal(t, "node-7", r.header.Get("x-api-node"))
	assert.Equal(t, `{"z":1,"b":2}`, c.s.Records("default", "o")[0]["a"])
	assert.Equal(t, "", c.s.Passcode("someone@else.test"))
}
