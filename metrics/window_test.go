package metrics

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCollectionFeedsTheWindowStore(t *testing.T) {
	now := pinned()
	r := newReg(t, WithClock(func() time.Time { return now }))
	cv := Must(r.CounterVec(Desc{Name: "orders_total", Labels: []string{"status"}}))
	h := Must(r.Histogram(Desc{Name: "lat"}, 1))
	for i := range 10 {
		cv.With("paid").Add(2)
		if i == 5 {
			cv.With("failed").Inc()
		}
		h.Observe(0.5)
		require.NoError(t, r.Flush(t.Context()))
		now = now.Add(15 * time.Second)
	}
	end := now.Add(-15 * time.Second).UnixMilli()
	got := r.Window().Select("orders_total", 0, end, Equal("status", "paid"))
	require.Len(t, got, 1)
	assert.Len(t, got[0].Samples, 10)
	assert.Equal(t, Sample{T: pinned().UnixMilli(), V: 2}, got[0].Samples[0])

	pts := r.Window().Eval(Increase, "orders_total", end, 5*time.Minute, Equal("status", "paid"))
	require.Len(t, pts, 1)
	assert.Equal(t, 18.0, pts[0].V, "from 2 to 20 over the window")
	rate := r.Window().Eval(Rate, "orders_total", end, 5*time.Minute, Equal("status", "paid"))
	assert.InDelta(t, 18.0/135, rate[0].V, 1e-12)

	buckets := r.Window().Select("lat_bucket", 0, end, Equal("le", "+Inf"))
	require.Len(t, buckets, 1, "histogram buckets are series with their le label")
	assert.Equal(t, 10.0, buckets[0].Samples[9].V)
}

func TestWindowFunctionsByHand(t *testing.T) {
	now := pinned()
	r := newReg(t, WithClock(func() time.Time { return now }), WithWindowSize(4))
	g := Must(r.GaugeVec(Desc{Name: "temp", Labels: []string{"room"}}))
	for _, v := range []float64{9, 1, 2, 3, 4, 5} { // the window size keeps the last four
		g.With("a").Set(v)
		g.With("b").Set(-v)
		require.NoError(t, r.Flush(t.Context()))
		now = now.Add(10 * time.Second)
	}
	end := now.Add(-10 * time.Second).UnixMilli()
	for name, c := range map[string]struct {
		f    WindowFunc
		want float64
	}{
		"sum": {Sum, 14}, "avg": {Avg, 3.5}, "min": {Min, 2}, "max": {Max, 5}, "count": {Count, 4},
		"median": {Quantile(0.5), 3.5}, "p90": {Quantile(0.9), 4.7}, "slope": {Slope, 0.1},
	} {
		pts := r.Window().Eval(c.f, "temp", end, time.Hour, Equal("room", "a"))
		require.Len(t, pts, 1, name)
		assert.InDelta(t, c.want, pts[0].V, 1e-9, name)
	}
	pts := r.Window().Eval(Max, "temp", end, 25*time.Second, NotEqual("room", "a"))
	require.Len(t, pts, 1)
	assert.Equal(t, -3.0, pts[0].V, "(end-25s, end] holds -3, -4 and -5")
}

func TestCounterResetsInTheWindow(t *testing.T) {
	r := newReg(t)
	st := r.Window()
	for i, v := range []float64{5, 10, 2, 6} { // the process restarted after 10
		require.NoError(t, st.Append("jobs_total", nil, int64(i)*15_000, v))
	}
	inc := st.Eval(Increase, "jobs_total", 45_000, time.Minute)
	require.Len(t, inc, 1)
	assert.Equal(t, 11.0, inc[0].V, "5 before the reset, then 2 and 4")
	rate := st.Eval(Rate, "jobs_total", 45_000, time.Minute)
	assert.InDelta(t, 11.0/45, rate[0].V, 1e-12)
}

func TestSummaryVecSeries(t *testing.T) {
	now := pinned()
	r := newReg(t, WithClock(func() time.Time { return now }), WithIdleExpiry(time.Minute))
	sv := Must(r.SummaryVec(Desc{Name: "basket", Labels: []string{"country"}}, 0.5))
	sv.With("de").Observe(10)
	sv.With("fr").ObserveSince(now.Add(-2 * time.Second))
	assert.Equal(t, 2.0, sv.With("fr").Sum())
	require.NoError(t, r.Flush(t.Context()))
	now = now.Add(2 * time.Minute)
	sv.With("de").Observe(20)
	require.NoError(t, r.Flush(t.Context()))
	assert.Equal(t, uint64(1), r.Stats().Expired, "the idle summary went")
	assert.Equal(t, uint64(2), sv.With("de").Count())
}

func TestWindowSeriesCap(t *testing.T) {
	now := pinned()
	r := newReg(t, WithClock(func() time.Time { return now }), WithWindowSeries(2))
	g := Must(r.GaugeVec(Desc{Name: "g", Labels: []string{"k"}}))
	for _, k := range []string{"a", "b", "c"} {
		g.With(k).Set(1)
		require.NoError(t, r.Flush(t.Context()))
		now = now.Add(time.Second)
	}
	assert.Equal(t, 2, r.Window().Len(), "the store holds at most two series")
	_, err := NewRegistry(nil, WithWindowSeries(-1))
	assert.Error(t, err)
	_, err = NewRegistry(nil, WithWindowSize(-1))
	assert.Error(t, err)
}
