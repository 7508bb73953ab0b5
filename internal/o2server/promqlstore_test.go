package o2server

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
)

// querier returns a querier over the default org's metrics for the last hour.
func (c *tclient) querier(t testing.TB) storage.Querier {
	t.Helper()
	q, err := metricStore{db: c.s.org("default").dbs[typeMetrics]}.Querier(
		testNow.Add(-time.Hour).UnixMilli(), testNow.UnixMilli())
	require.NoError(t, err)
	t.Cleanup(func() { _ = q.Close() })
	return q
}

func points(t testing.TB, s storage.Series) [][2]float64 {
	t.Helper()
	var out [][2]float64
	it := s.Iterator(nil)
	for it.Next() == chunkenc.ValFloat {
		ts, v := it.At()
		out = append(out, [2]float64{float64(ts), v})
	}
	require.NoError(t, it.Err())
	return out
}

func TestMetricQuerierSelect(t *testing.T) {
	c := newTestServer(t)
	a := map[string]string{"k": "a"}
	c.ingestSamples(
		sample{name: "m", labels: a, at: testNow.Add(-time.Minute), value: 2},
		sample{name: "m", labels: a, at: testNow.Add(-2 * time.Minute), value: 1}, // out of order
		sample{name: "m", labels: a, at: testNow.Add(-time.Minute), value: 3},     // same time, later write wins
		sample{name: "m", labels: a, at: testNow.Add(-2 * time.Hour), value: 9},   // outside the range
		sample{name: "m", labels: map[string]string{"k": "b"}, at: testNow, value: 5},
	)
	q := c.querier(t)
	ss := q.Select(context.Background(), true, nil, labels.MustNewMatcher(labels.MatchEqual, "__name__", "m"))
	require.True(t, ss.Next())
	s := ss.At()
	assert.Equal(t, `{__name__="m", k="a"}`, s.Labels().String())
	assert.Equal(t, [][2]float64{
		{float64(testNow.Add(-2 * time.Minute).UnixMilli()), 1},
		{float64(testNow.Add(-time.Minute).UnixMilli()), 3},
	}, points(t, s))
	require.True(t, ss.Next())
	assert.Equal(t, `{__name__="m", k="b"}`, ss.At().Labels().String())
	assert.False(t, ss.Next())
	require.NoError(t, ss.Err())
	assert.Empty(t, ss.Warnings())

	it := s.Iterator(nil)
	assert.Equal(t, chunkenc.ValFloat, it.Seek(testNow.Add(-90*time.Second).UnixMilli()))
	assert.Equal(t, testNow.Add(-time.Minute).UnixMilli(), it.AtT())
	assert.Equal(t, chunkenc.ValNone, it.Seek(testNow.UnixMilli()))

	ss = q.Select(context.Background(), false, nil, labels.MustNewMatcher(labels.MatchEqual, "k", "a"))
	assert.False(t, ss.Next())
	assert.ErrorIs(t, ss.Err(), errNoMetricName)
}

func TestMetricQuerierLabels(t *testing.T) {
	c := newTestServer(t)
	seedMeta(c)
	q := c.querier(t)
	ctx := context.Background()
	names, _, err := q.LabelNames(ctx, nil, labels.MustNewMatcher(labels.MatchEqual, "__name__", "up"))
	require.NoError(t, err)
	assert.Equal(t, []string{"__name__", "instance", "job"}, names)
	vals, _, err := q.LabelValues(ctx, "job", nil, labels.MustNewMatcher(labels.MatchRegexp, "__name__", ".+"))
	require.NoError(t, err)
	assert.Equal(t, []string{"api", "db"}, vals)
}

func TestFpointSample(t *testing.T) {
	p := &fpoint{t: 5, v: 1.5}
	cp := p.Copy()
	p.v = 2
	assert.Equal(t, 1.5, cp.F())
	assert.Equal(t, int64(5), cp.T())
	assert.Zero(t, cp.ST())
	assert.Nil(t, cp.H())
	assert.Nil(t, cp.FH())
	assert.Equal(t, chunkenc.ValFloat, cp.Type())
	assert.Equal(t, int64(-2), floorDiv(-1500, 1000))
	assert.Equal(t, int64(1), floorDiv(1500, 1000))
	v, ok := sampleValue(int64(3))
	assert.True(t, ok)
	assert.Equal(t, 3.0, v)
	_, ok = sampleValue(nil)
	assert.False(t, ok)
	s, ok := textValue([]byte("x"))
	assert.True(t, ok)
	assert.Equal(t, "x", s)
}

// Vectors are sorted by value, largest first, NaN last, ties by labels.
func TestPromVectorOrder(t *testing.T) {
	c := newTestServer(t)
	for name, v := range map[string]float64{"a": 1, "b": 3, "c": 1} {
		c.ingestSamples(sample{name: "v", labels: map[string]string{"n": name}, at: testNow, value: v})
	}
	r, pr := c.prom("query", "query", `v or label_replace(v{n="a"} / 0 * 0, "n", "nan", "", "")`, "time", unix(testNow))
	require.Equal(t, http.StatusOK, r.status, r.text())
	var order []string
	for _, s := range pr.series(t) {
		order = append(order, s.Metric["n"]+"="+s.Value[1])
	}
	assert.Equal(t, []string{"b=3", "a=1", "c=1", "nan=NaN"}, order)
}

// OTLP histograms are queried through their _bucket stream and "inf" le.
func TestPromOTLPHistogram(t *testing.T) {
	c := newTestServer(t)
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("rpc.latency")
	h := m.SetEmptyHistogram()
	h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	for i, at := range []time.Time{testNow.Add(-2 * time.Minute), testNow} {
		dp := h.DataPoints().AppendEmpty()
		dp.SetStartTimestamp(pcommon.NewTimestampFromTime(testNow.Add(-time.Hour)))
		dp.SetTimestamp(pcommon.NewTimestampFromTime(at))
		dp.ExplicitBounds().FromRaw([]float64{0.1, 1})
		n := uint64(i + 1)
		dp.BucketCounts().FromRaw([]uint64{5 * n, 4 * n, 1 * n})
		dp.SetCount(10 * n)
		dp.Attributes().PutStr("method", "get")
	}
	body, err := pmetricotlp.NewExportRequestFromMetrics(md).MarshalJSON()
	require.NoError(t, err)
	r := c.post("/api/default/v1/metrics", string(body), "Content-Type", "application/json")
	require.Equal(t, http.StatusOK, r.status, r.text())

	r, pr := c.prom("query", "query", `histogram_quantile(0.5, sum by (le) (increase(rpc_latency_bucket[5m])))`, "time", unix(testNow))
	require.Equal(t, http.StatusOK, r.status, r.text())
	res := pr.series(t)
	require.Len(t, res, 1)
	assert.InDelta(t, 0.1, num(t, res[0].Value[1]), 1e-9)
	r, _ = c.prom("series", "match[]", "rpc_latency_bucket")
	assert.Contains(t, r.text(), `"le":"inf"`)
}
