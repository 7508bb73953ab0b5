package metrics

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCounter(t *testing.T) {
	r := newReg(t)
	c := Must(r.Counter(Desc{Name: "orders_total", Help: "Orders placed."}))
	c.Inc()
	c.Add(2)
	c.Add(0.5)
	assert.Equal(t, 3.5, c.Value())
	for _, bad := range []float64{-1, math.NaN(), math.Inf(1)} {
		c.Add(bad)
	}
	assert.Equal(t, 3.5, c.Value(), "bad deltas change nothing")
	assert.Equal(t, uint64(3), r.Stats().Rejected)
	c.Add(1e300)
	assert.Equal(t, 1e300, c.Value(), "huge deltas take the float path")
}

func TestGauge(t *testing.T) {
	r := newReg(t)
	g := Must(r.Gauge(Desc{Name: "queue_depth"}))
	g.Set(5)
	g.Inc()
	g.Dec()
	g.Dec()
	g.Add(2.5)
	g.Sub(0.5)
	assert.Equal(t, 6.0, g.Value())
	g.Set(math.NaN())
	assert.True(t, math.IsNaN(g.Value()), "a gauge may hold NaN")
	g.SetToCurrentTime(time.Unix(1700000000, 500_000_000))
	assert.Equal(t, 1700000000.5, g.Value())
}

func TestHistogram(t *testing.T) {
	r := newReg(t)
	h := Must(r.Histogram(Desc{Name: "order_duration", Unit: "seconds"}, 0.1, 0.5, 1))
	for _, v := range []float64{0.05, 0.1, 0.3, 0.7, 2, math.Inf(1)} {
		h.Observe(v)
	}
	h.Observe(math.NaN())
	assert.Equal(t, uint64(6), h.Count())
	assert.True(t, math.IsInf(h.Sum(), 1))
	assert.Equal(t, uint64(1), r.Stats().Rejected)
	var b []uint64
	for i := range h.counts {
		b = append(b, h.counts[i].Load())
	}
	assert.Equal(t, []uint64{2, 1, 1, 2}, b, "le is inclusive; 2 and +Inf land in +Inf")
}

func TestHistogramBucketSearch(t *testing.T) {
	r := newReg(t)
	h := Must(r.Histogram(Desc{Name: "sizes"}, LinearBuckets(1, 1, 40)...))
	for v := 0.5; v < 42; v += 0.5 {
		want := int(math.Ceil(v)) - 1
		if v <= 1 {
			want = 0
		}
		assert.Equal(t, min(want, 40), h.bucket(v), "v=%g", v)
	}
	assert.Equal(t, []float64{1, 2, 4, 8}, ExponentialBuckets(1, 2, 4))
}

func TestHistogramBucketsValidated(t *testing.T) {
	r := newReg(t)
	_, err := r.Histogram(Desc{Name: "a"}, 1, 1)
	assert.Error(t, err)
	_, err = r.Histogram(Desc{Name: "b"}, math.NaN())
	assert.Error(t, err)
	h, err := r.Histogram(Desc{Name: "c"}, 1, math.Inf(1))
	require.NoError(t, err)
	assert.Equal(t, []float64{1}, h.upper, "a last +Inf is implied")
	d, err := r.Histogram(Desc{Name: "d"})
	require.NoError(t, err)
	assert.Equal(t, DefaultBuckets, d.upper)
	assert.Empty(t, LinearBuckets(0, 1, -3), "no bounds, not a panic")
	assert.Empty(t, ExponentialBuckets(1, 2, -3))
	e, err := r.Histogram(Desc{Name: "e"}, LinearBuckets(0, 1, 0)...)
	require.NoError(t, err)
	assert.Equal(t, DefaultBuckets, e.upper)
	_, err = r.Histogram(Desc{Name: "f"}, ExponentialBuckets(1, 0.5, 3)...)
	assert.Error(t, err, "bounds that fall")
}

func TestSummarySlidingWindow(t *testing.T) {
	now := pinned()
	r := newReg(t, WithClock(func() time.Time { return now }), WithSummaryWindow(5*time.Minute))
	s := Must(r.Summary(Desc{Name: "checkout_seconds"}, 0.5, 0.9))
	for i := 1; i <= 100; i++ {
		s.Observe(float64(i))
	}
	assert.InDelta(t, 50.5, s.Quantile(0.5), 1e-9)
	assert.InDelta(t, 90.1, s.Quantile(0.9), 1e-9)
	now = now.Add(2 * time.Minute)
	for i := 0; i < 100; i++ {
		s.Observe(1000)
	}
	assert.Equal(t, 1000.0, s.Quantile(0.9))
	now = now.Add(4 * time.Minute)
	assert.Equal(t, 1000.0, s.Quantile(0.1), "the first minute slid out")
	now = now.Add(10 * time.Minute)
	assert.True(t, math.IsNaN(s.Quantile(0.5)), "an empty window has no quantile")
	assert.Equal(t, uint64(200), s.Count(), "count and sum are cumulative")
	assert.Equal(t, 5050.0+100000, s.Sum())
	s.Observe(math.NaN())
	assert.Equal(t, uint64(1), r.Stats().Rejected)
}

func TestSummaryReservoirIsBounded(t *testing.T) {
	r := newReg(t)
	s := Must(r.Summary(Desc{Name: "lat"}))
	for i := range 100000 {
		s.Observe(float64(i % 1000))
	}
	assert.Len(t, s.buckets[s.head].vals, reservoirSz)
	assert.InDelta(t, 500, s.Quantile(0.5), 100, "a uniform sample keeps the median")
	_, err := r.Summary(Desc{Name: "bad"}, 1.5)
	assert.Error(t, err)
}

func TestHotPathsDoNotAllocate(t *testing.T) {
	r := newReg(t)
	c := Must(r.Counter(Desc{Name: "c_total"}))
	cv := Must(r.CounterVec(Desc{Name: "cv_total", Labels: []string{"method", "code"}}))
	g := Must(r.Gauge(Desc{Name: "g"}))
	h := Must(r.Histogram(Desc{Name: "h"}))
	hv := Must(r.HistogramVec(Desc{Name: "hv", Labels: []string{"route"}}))
	cv.With("GET", "200").Inc()
	hv.With("/cart").Observe(1)
	for name, f := range map[string]func(){
		"Counter.Inc":           c.Inc,
		"Counter.Add":           func() { c.Add(1.5) },
		"CounterVec.With.Inc":   func() { cv.With("GET", "200").Inc() },
		"Gauge.Set":             func() { g.Set(3) },
		"Gauge.Add":             func() { g.Add(1) },
		"Histogram.Observe":     func() { h.Observe(0.3) },
		"HistogramVec.With.Obs": func() { hv.With("/cart").Observe(0.3) },
		"CounterVec.With.wrong": func() { cv.With("GET").Inc() },
	} {
		assert.Zero(t, testing.AllocsPerRun(1000, f), name)
	}
}

// TestSummaryWindowByHand slides a 5-minute window in 1-minute steps.
// Observations of the minute starting at t0 count until t0+5m, those of
// the minute starting at t0+2m until t0+7m; the quantiles interpolate
// between the two nearest ranks (h = q*(n-1)).
func TestSummaryWindowByHand(t *testing.T) {
	t0 := pinned()
	now := t0
	r := newReg(t, WithClock(func() time.Time { return now }), WithSummaryWindow(5*time.Minute))
	s := Must(r.Summary(Desc{Name: "basket_value"}, 0.25, 0.5))
	for i := 1; i <= 100; i++ {
		s.Observe(float64(i))
	}
	now = t0.Add(2 * time.Minute)
	for range 100 {
		s.Observe(1000)
	}
	// 200 sorted values: 1..100 then 1000 a hundred times.
	assert.Equal(t, 50.75, s.Quantile(0.25), "h = 49.75: 50 + 0.75*(51-50)")
	assert.Equal(t, 550.0, s.Quantile(0.5), "h = 99.5: 100 + 0.5*(1000-100)")
	now = t0.Add(5*time.Minute - time.Nanosecond)
	assert.Equal(t, 550.0, s.Quantile(0.5), "the first minute is still in the window")
	var buf bytes.Buffer
	r.WriteText(&buf)
	assert.Contains(t, buf.String(), `basket_value{quantile="0.5"} 550`)
	now = t0.Add(5 * time.Minute)
	assert.Equal(t, 1000.0, s.Quantile(0.25), "the first minute slid out")
	now = t0.Add(7*time.Minute - time.Nanosecond)
	assert.Equal(t, 1000.0, s.Quantile(0.5))
	now = t0.Add(7 * time.Minute)
	assert.True(t, math.IsNaN(s.Quantile(0.5)), "the window is empty")
	assert.Equal(t, uint64(200), s.Count())
}
