package metrics

import (
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2test"
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
	r := newReg(t, WithClock(func() time.Time { return now }), WithWindowSeries(2), WithErrorHandler(&o2test.Errors{}))
	g := Must(r.GaugeVec(Desc{Name: "g", Labels: []string{"k"}}))
	for _, k := range []string{"a", "b", "c"} {
		g.With(k).Set(1)
		require.NoError(t, r.Flush(t.Context()))
		now = now.Add(time.Second)
	}
	assert.Equal(t, 2, r.Window().Len(), "the store holds at most two series")
	assert.Empty(t, r.Window().Select("g", 0, now.UnixMilli(), Equal("k", "c")), "the newest is left out")
	assert.Equal(t, uint64(1), r.Stats().WindowRejected)
	_, err := NewRegistry(nil, WithWindowSeries(-1))
	assert.Error(t, err)
	_, err = NewRegistry(nil, WithWindowSize(-1))
	assert.Error(t, err)
}

// TestWindowCapBelowLiveSeriesKeepsHistory: with more live series than
// the cap, the stored series keep every sample and the others are
// refused at each collection, instead of series being evicted and
// recreated collection after collection.
func TestWindowCapBelowLiveSeriesKeepsHistory(t *testing.T) {
	now := pinned()
	errs := &o2test.Errors{}
	r := newReg(t, WithClock(func() time.Time { return now }), WithWindowSeries(3), WithErrorHandler(errs))
	g := Must(r.GaugeVec(Desc{Name: "g", Labels: []string{"k"}}))
	for range 4 {
		for _, k := range []string{"a", "b", "c", "d", "e"} {
			g.With(k).Add(1)
		}
		require.NoError(t, r.Flush(t.Context()))
		now = now.Add(15 * time.Second)
	}
	got := r.Window().Select("g", 0, now.UnixMilli())
	require.Len(t, got, 3)
	for _, s := range got {
		assert.Len(t, s.Samples, 4, "%v kept its history", s.Labels)
	}
	assert.Equal(t, uint64(2*4), r.Stats().WindowRejected)
	require.Len(t, errs.All(), 4, "one report per collection")
	assert.ErrorIs(t, errs.All()[0], ErrSeriesLimit)
}

func TestWindowCapFollowsTheSeriesLimit(t *testing.T) {
	for _, c := range []struct {
		opts []Option
		want int
	}{
		{nil, 16*2001 + MaxIngestSeries},
		{[]Option{WithSeriesLimit(100)}, 16*101 + MaxIngestSeries},
		{[]Option{WithSeriesLimit(-1)}, 16*2001 + MaxIngestSeries},
		{[]Option{WithSeriesLimit(math.MaxInt)}, 16*(1<<40+1) + MaxIngestSeries},
		{[]Option{WithSeriesLimit(100), WithWindowSeries(7)}, 7},
	} {
		cfg := defaultConfig()
		for _, o := range c.opts {
			o.apply(&cfg)
		}
		assert.Equal(t, c.want, cfg.windowCap())
	}
	// Three metrics at the default limit, one a histogram: every series
	// fits, nothing is refused.
	r := newReg(t, WithErrorHandler(&o2test.Errors{}))
	cv := Must(r.CounterVec(Desc{Name: "c_total", Labels: []string{"k"}}))
	gv := Must(r.GaugeVec(Desc{Name: "g", Labels: []string{"k"}}))
	hv := Must(r.HistogramVec(Desc{Name: "h", Labels: []string{"k"}}))
	for i := range defaultSeriesLimit + 50 {
		k := strconv.Itoa(i)
		cv.With(k).Inc()
		gv.With(k).Set(1)
		hv.With(k).Observe(1)
	}
	require.NoError(t, r.Flush(t.Context()))
	assert.Equal(t, 2*2001+14*2001, r.Window().Len())
	assert.Zero(t, r.Stats().WindowRejected)
}

func TestLastStdDevIRateResetsByHand(t *testing.T) {
	s := []Sample{{T: 0, V: 2}, {T: 10_000, V: 3}, {T: 20_000, V: 4}, {T: 30_000, V: 5}}
	for name, c := range map[string]struct {
		f    WindowFunc
		want float64
	}{
		"last": {Last, 5}, "stddev": {StdDev, 1.118033988749895}, // sqrt((2.25+0.25+0.25+2.25)/4)
		"irate": {IRate, 0.1}, "resets": {Resets, 0},
	} {
		v, ok := c.f(s)
		require.True(t, ok, name)
		assert.InDelta(t, c.want, v, 1e-12, name)
	}
	counter := []Sample{{T: 0, V: 5}, {T: 15_000, V: 10}, {T: 30_000, V: 2}, {T: 45_000, V: 6}}
	v, _ := IRate(counter)
	assert.InDelta(t, 4.0/15, v, 1e-12, "from 2 to 6 in 15 s")
	v, _ = Resets(counter)
	assert.Equal(t, 1.0, v, "the drop from 10 to 2")
	assert.Equal(t, counter[1:3], Window(counter, 30_000, 20*time.Second), "(10 s, 30 s]")
}

func TestNotRegexp(t *testing.T) {
	r := newReg(t)
	st := r.Window()
	for _, room := range []string{"attic", "bath", "cellar"} {
		require.NoError(t, st.Append("temp", Labels{{Name: "room", Value: room}}, 1000, 1))
	}
	m, err := NotRegexp("room", "a.*|b.*")
	require.NoError(t, err)
	got := st.Select("temp", 0, 1000, m)
	require.Len(t, got, 1)
	assert.Equal(t, "cellar", got[0].Labels.Get("room"), "anchored: cellar holds an a but is kept")
	_, err = NotRegexp("room", "(")
	assert.Error(t, err)
}

func TestWindowRefusalsCountedAndReportedOncePerCollection(t *testing.T) {
	now := pinned()
	errs := &o2test.Errors{}
	r := newReg(t, WithClock(func() time.Time { return now }), WithErrorHandler(errs))
	g := Must(r.GaugeVec(Desc{Name: "temp", Labels: []string{"room"}}))
	g.With("a").Set(1)
	g.With("b").Set(2)
	require.NoError(t, r.Flush(t.Context()))
	assert.Empty(t, errs.All())

	now = now.Add(-time.Minute) // the clock steps back
	require.NoError(t, r.Flush(t.Context()), "the export is not the window store's business")
	assert.Equal(t, uint64(2), r.Stats().WindowRejected)
	got := errs.All()
	require.Len(t, got, 1, "one report for the collection")
	assert.ErrorIs(t, got[0], ErrOutOfOrder)
	assert.Contains(t, got[0].Error(), "refused 2 of 2 samples")
	assert.Contains(t, got[0].Error(), `temp{room="a"}`)

	now = now.Add(2 * time.Minute) // past the stored samples again
	require.NoError(t, r.Flush(t.Context()))
	assert.Equal(t, uint64(2), r.Stats().WindowRejected)
	assert.Len(t, errs.All(), 1)
	assert.Len(t, r.Window().Select("temp", 0, now.UnixMilli(), Equal("room", "a"))[0].Samples, 2)
}

// TestSilentSeriesMakeRoomInTheSameCollection: series silent past the
// store's span leave before the collection's samples are appended, so a
// new series takes their room at once.
func TestSilentSeriesMakeRoomInTheSameCollection(t *testing.T) {
	now := pinned()
	errs := &o2test.Errors{}
	r := newReg(t, WithClock(func() time.Time { return now }), WithWindowSeries(2), WithWindowSize(2),
		WithIdleExpiry(time.Second), WithErrorHandler(errs)) // span: max(1 s, 2 × 15 s)
	g := Must(r.GaugeVec(Desc{Name: "g", Labels: []string{"k"}}))
	g.With("a").Set(1)
	g.With("b").Set(1)
	require.NoError(t, r.Flush(t.Context()))
	now = now.Add(10 * time.Second)
	require.NoError(t, r.Flush(t.Context())) // a and b expire from the registry
	now = now.Add(40 * time.Second)
	g.With("c").Set(1)
	require.NoError(t, r.Flush(t.Context()))
	got := r.Window().Select("g", 0, now.UnixMilli())
	require.Len(t, got, 1)
	assert.Equal(t, "c", got[0].Labels.Get("k"))
	assert.Zero(t, r.Stats().WindowRejected)
	assert.Empty(t, errs.All())
}

func TestIntervalBelowTheMinimumIsRefused(t *testing.T) {
	_, err := NewRegistry(nil, WithInterval(time.Nanosecond))
	assert.ErrorContains(t, err, "below the minimum")
	r, err := NewRegistry(nil, WithInterval(MinInterval))
	require.NoError(t, err)
	require.NoError(t, r.Shutdown(t.Context()))
}
