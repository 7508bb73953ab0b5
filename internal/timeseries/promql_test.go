package timeseries

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
	"github.com/prometheus/prometheus/util/annotations"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The conformance tests below load the same samples into Prometheus' own
// engine and compare its *_over_time functions with this package's, so
// "as Prometheus does" in the docs is checked rather than claimed.

const promStep = 15 * time.Second

// promFixture holds a gauge and a counter with resets, sampled every 15 s
// from time 0, both in a Store that the engine queries and as plain
// samples.
type promFixture struct {
	ng             *promql.Engine
	st             storage.Queryable
	gauge, counter []Sample
}

func newPromFixture(t *testing.T) *promFixture {
	rng := rand.New(rand.NewPCG(42, 43))
	ng := promql.NewEngine(promql.EngineOpts{
		MaxSamples:    1e6,
		Timeout:       time.Minute,
		LookbackDelta: 5 * time.Minute,
		Parser:        parser.NewParser(parser.Options{EnableExperimentalFunctions: true}),
	})
	t.Cleanup(func() { _ = ng.Close() })
	st := newStore(t)
	f := &promFixture{ng: ng, st: promQueryable{st}}
	var c float64
	for i := range 80 {
		ts := int64(i) * promStep.Milliseconds()
		g := math.Round((50+10*rng.NormFloat64())*1000) / 1000
		if i%23 == 22 {
			c = 0 // a restart
		}
		c += float64(rng.IntN(40))
		f.gauge = append(f.gauge, Sample{T: ts, V: g})
		f.counter = append(f.counter, Sample{T: ts, V: c})
		require.NoError(t, st.Append("gauge", nil, ts, g))
		require.NoError(t, st.Append("counter", Labels{{"job", "shop"}}, ts, c))
	}
	return f
}

// query evaluates expr at ms and returns its single value, if any.
func (f *promFixture) query(t *testing.T, expr string, ms int64) (float64, bool) {
	q, err := f.ng.NewInstantQuery(context.Background(), f.st, nil, expr, time.UnixMilli(ms))
	require.NoError(t, err)
	defer q.Close()
	res := q.Exec(context.Background())
	require.NoError(t, res.Err, expr)
	vec, err := res.Vector()
	require.NoError(t, err)
	if len(vec) == 0 {
		return 0, false
	}
	require.Len(t, vec, 1)
	return vec[0].F, true
}

// evalTimes are evaluation times on and between sample times, with windows
// longer and shorter than the series.
var (
	evalTimes = []int64{0, 7_500, 60_000, 299_999, 300_000, 612_345, 1_185_000, 1_300_000}
	windows   = []time.Duration{30 * time.Second, time.Minute, 5 * time.Minute, 7*time.Minute + 30*time.Second}
)

func TestConformsToPrometheus(t *testing.T) {
	f := newPromFixture(t)
	funcs := []struct {
		prom, series string
		fn           WindowFunc
	}{
		{"sum_over_time", "gauge", Sum},
		{"avg_over_time", "gauge", Avg},
		{"min_over_time", "gauge", Min},
		{"max_over_time", "gauge", Max},
		{"count_over_time", "gauge", Count},
		{"last_over_time", "gauge", Last},
		{"stddev_over_time", "gauge", StdDev},
		{"quantile_over_time(0, ", "gauge", Quantile(0)},
		{"quantile_over_time(0.25, ", "gauge", Quantile(0.25)},
		{"quantile_over_time(0.5, ", "gauge", Quantile(0.5)},
		{"quantile_over_time(0.9, ", "gauge", Quantile(0.9)},
		{"quantile_over_time(1, ", "gauge", Quantile(1)},
		{"deriv", "gauge", Slope},
		{"resets", "counter", Resets},
		{"irate", "counter", IRate},
		{"double_exponential_smoothing(", "counter", holtLevel(0.5, 0.3)},
	}
	for _, fc := range funcs {
		for _, at := range evalTimes {
			for _, d := range windows {
				expr := promExpr(fc.prom, fc.series, d)
				want, wok := f.query(t, expr, at)
				samples := f.gauge
				if fc.series == "counter" {
					samples = f.counter
				}
				got, ok := fc.fn(Window(samples, at, d))
				if !assert.Equal(t, wok, ok, "%s at %d", expr, at) || !ok {
					continue
				}
				assert.InDelta(t, want, got, 1e-9*math.Max(1, math.Abs(want)), "%s at %d", expr, at)
			}
		}
	}
}

// promExpr builds fn(series[d]), or fn(args, series[d]) when fn already
// ends with an opening parenthesis or a comma and space.
func promExpr(fn, series string, d time.Duration) string {
	sel := fmt.Sprintf("%s[%ds]", series, int(d.Seconds()))
	switch {
	case strings.HasSuffix(fn, ", "):
		return fn + sel + ")"
	case strings.HasSuffix(fn, "("):
		return fn + sel + ", 0.5, 0.3)"
	}
	return fn + "(" + sel + ")"
}

// holtLevel is what Prometheus' double_exponential_smoothing returns: the
// smoothed level, a forecast zero steps ahead.
func holtLevel(alpha, beta float64) WindowFunc {
	return func(s []Sample) (float64, bool) { return HoltForecast(s, alpha, beta, 0) }
}

// TestIncreaseIsPrometheusWithoutExtrapolation pins the documented
// difference: on a window with a sample at its end, Prometheus scales the
// observed growth from the first sample's time to the window's start.
func TestIncreaseIsPrometheusWithoutExtrapolation(t *testing.T) {
	f := newPromFixture(t)
	for _, at := range []int64{300_000, 600_000, 900_000} {
		for _, d := range []time.Duration{time.Minute, 5 * time.Minute} {
			w := Window(f.counter, at, d)
			inc, ok := Increase(w)
			require.True(t, ok)
			covered := float64(w[len(w)-1].T-w[0].T) / 1000
			scale := d.Seconds() / covered
			want, _ := f.query(t, fmt.Sprintf("increase(counter[%ds])", int(d.Seconds())), at)
			assert.InDelta(t, want, inc*scale, 1e-9*want, "increase at %d over %v", at, d)
			rate, _ := Rate(w)
			want, _ = f.query(t, fmt.Sprintf("rate(counter[%ds])", int(d.Seconds())), at)
			assert.InDelta(t, want, rate, 1e-9*want, "rate at %d over %v", at, d)
		}
	}
}

// promQueryable serves a [Store] to Prometheus' query engine, so that the
// conformance tests run PromQL over exactly the samples this package sees,
// read back through Select.
type promQueryable struct{ st *Store }

func (q promQueryable) Querier(mint, maxt int64) (storage.Querier, error) {
	return &promQuerier{st: q.st, mint: mint, maxt: maxt}, nil
}

type promQuerier struct {
	st         *Store
	mint, maxt int64
}

// Select turns the __name__ matcher into Select's name and every other
// matcher into a MatcherFunc.
func (q *promQuerier) Select(_ context.Context, _ bool, hints *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	from, to := q.mint, q.maxt
	if hints != nil {
		from, to = hints.Start, hints.End
	}
	var name string
	var own []Matcher
	for _, m := range ms {
		if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
			name = m.Value
			continue
		}
		own = append(own, MatcherFunc(func(ls Labels) bool { return m.Matches(ls.Get(m.Name)) }))
	}
	var list []storage.Series
	for _, s := range q.st.Select(name, from, to, own...) {
		b := labels.NewScratchBuilder(len(s.Labels) + 1)
		b.Add(labels.MetricName, s.Name)
		for _, l := range s.Labels {
			b.Add(l.Name, l.Value)
		}
		b.Sort()
		pts := make([]chunks.Sample, len(s.Samples))
		for i, x := range s.Samples {
			pts[i] = promPoint{x}
		}
		list = append(list, storage.NewListSeries(b.Labels(), pts))
	}
	slices.SortFunc(list, func(a, b storage.Series) int { return labels.Compare(a.Labels(), b.Labels()) })
	return &promSet{list: list, i: -1}
}

func (q *promQuerier) LabelValues(context.Context, string, *storage.LabelHints, ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	return nil, nil, nil
}

func (q *promQuerier) LabelNames(context.Context, *storage.LabelHints, ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	return nil, nil, nil
}

func (q *promQuerier) Close() error { return nil }

type promSet struct {
	list []storage.Series
	i    int
}

func (s *promSet) Next() bool                        { s.i++; return s.i < len(s.list) }
func (s *promSet) At() storage.Series                { return s.list[s.i] }
func (s *promSet) Err() error                        { return nil }
func (s *promSet) Warnings() annotations.Annotations { return nil }

// promPoint is a float sample for storage.NewListSeries.
type promPoint struct{ s Sample }

func (p promPoint) T() int64                      { return p.s.T }
func (p promPoint) ST() int64                     { return 0 }
func (p promPoint) F() float64                    { return p.s.V }
func (p promPoint) H() *histogram.Histogram       { return nil }
func (p promPoint) FH() *histogram.FloatHistogram { return nil }
func (p promPoint) Type() chunkenc.ValueType      { return chunkenc.ValFloat }
func (p promPoint) Copy() chunks.Sample           { return p }

// BenchmarkEvalVsPromQL evaluates a 5-minute rate over 1,000 series with
// Store.Eval and with Prometheus' engine reading the same store through
// promQueryable; the engine's figure includes converting the selected
// series to its types, as any embedding of it over this store would.
func BenchmarkEvalVsPromQL(b *testing.B) {
	st := filledStore(b, 1000)
	end := int64(DefaultCapacity-1) * 15_000
	ng := promql.NewEngine(promql.EngineOpts{
		MaxSamples: 1e7, Timeout: time.Minute, LookbackDelta: 5 * time.Minute,
		Parser: parser.NewParser(parser.Options{}),
	})
	b.Cleanup(func() { _ = ng.Close() })
	b.Run("timeseries", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if len(st.Eval(Rate, "http_requests_total", end, 5*time.Minute)) != 1000 {
				b.Fatal("missing series")
			}
		}
	})
	b.Run("promql", func(b *testing.B) {
		b.ReportAllocs()
		ctx := context.Background()
		for b.Loop() {
			q, err := ng.NewInstantQuery(ctx, promQueryable{st}, nil, "rate(http_requests_total[5m])", time.UnixMilli(end))
			if err != nil {
				b.Fatal(err)
			}
			if v, err := q.Exec(ctx).Vector(); err != nil || len(v) != 1000 {
				b.Fatal(err, len(v))
			}
			q.Close()
		}
	})
}
