package timeseries

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

var (
	nan  = math.NaN()
	inf  = math.Inf(1)
	ninf = math.Inf(-1)
)

func TestWindowFuncs(t *testing.T) {
	tests := []struct {
		name   string
		f      WindowFunc
		values []float64
		want   float64
		ok     bool
	}{
		{"sum", Sum, []float64{1, 2, 3.5}, 6.5, true},
		{"sum empty", Sum, nil, 0, false},
		{"sum skips non-finite", Sum, []float64{1, nan, inf, ninf, 2}, 3, true},
		{"sum only NaN", Sum, []float64{nan}, 0, false},
		{"sum compensated", Sum, []float64{1e16, 1, -1e16, 1}, 2, true},
		{"count", Count, []float64{1, nan, 3}, 2, true},
		{"count empty", Count, nil, 0, false},
		{"avg", Avg, []float64{1, 2, 3, 4}, 2.5, true},
		{"avg empty", Avg, []float64{nan}, 0, false},
		{"avg near overflow", Avg, []float64{math.MaxFloat64, math.MaxFloat64}, math.MaxFloat64, true},
		{"min", Min, []float64{3, -1, nan, 2}, -1, true},
		{"min empty", Min, nil, 0, false},
		{"max", Max, []float64{3, -1, inf, 2}, 3, true},
		{"max first", Max, []float64{5, 1}, 5, true},
		{"last", Last, []float64{1, 2, nan}, 2, true},
		{"last empty", Last, []float64{inf}, 0, false},
		// Deviations from 5 are -3,-1,-1,-1,0,0,2,4: squares sum to 32, /8.
		{"stddev", StdDev, []float64{2, 4, 4, 4, 5, 5, 7, 9}, 2, true},
		{"stddev zeros", StdDev, []float64{0, 0}, 0, true},
		{"stddev constant", StdDev, []float64{3, 3, 3}, 0, true},
		{"stddev empty", StdDev, []float64{nan}, 0, false},
		{"stddev extremes", StdDev, []float64{-math.MaxFloat64, math.MaxFloat64}, math.MaxFloat64, true},
		{"median odd", Quantile(0.5), []float64{5, 1, 3}, 3, true},
		{"median even", Quantile(0.5), []float64{4, 1, 3, 2}, 2.5, true},
		// h = 0.9*4 = 3.6 over 10,20,30,40,50: 40 + 0.6*10.
		{"p90", Quantile(0.9), []float64{50, 10, 40, 20, 30}, 46, true},
		{"p0", Quantile(0), []float64{2, 1, 3}, 1, true},
		{"p100", Quantile(1), []float64{2, 1, 3}, 3, true},
		{"quantile one value", Quantile(0.3), []float64{7}, 7, true},
		{"quantile empty", Quantile(0.5), []float64{nan}, 0, false},
		{"quantile q below 0", Quantile(-0.1), []float64{1}, 0, false},
		{"quantile q above 1", Quantile(1.1), []float64{1}, 0, false},
		{"quantile q NaN", Quantile(nan), []float64{1}, 0, false},
		{"quantile extremes", Quantile(0.5), []float64{-math.MaxFloat64, math.MaxFloat64}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.f(samplesOf(1000, tt.values...))
			assert.Equal(t, tt.ok, ok)
			if tt.ok {
				assert.InDelta(t, tt.want, got, 1e-9*math.Max(1, math.Abs(tt.want)))
			}
		})
	}
}

func TestWindow(t *testing.T) {
	s := samplesOf(1000, 0, 1, 2, 3, 4, 5) // t = 0s .. 5s
	tests := []struct {
		end  int64
		d    time.Duration
		want []float64
	}{
		{5000, 2 * time.Second, []float64{4, 5}}, // (3s, 5s]: open start
		{5000, 2001 * time.Millisecond, []float64{3, 4, 5}},
		{3500, time.Second, []float64{3}},
		{10000, time.Hour, []float64{0, 1, 2, 3, 4, 5}},
		{-1, time.Second, nil},
		{5000, 0, nil},
		{5000, -time.Second, nil},
	}
	for _, tt := range tests {
		var got []float64
		for _, x := range Window(s, tt.end, tt.d) {
			got = append(got, x.V)
		}
		assert.Equal(t, tt.want, got, "end %d d %v", tt.end, tt.d)
	}
}

func TestIncreaseAndRate(t *testing.T) {
	tests := []struct {
		name      string
		values    []float64
		inc, rate float64
		ok        bool
	}{
		{"steady", []float64{0, 10, 20, 30}, 30, 10, true},
		{"flat", []float64{5, 5, 5}, 0, 0, true},
		// 10 -> 20 (+10), reset to 3 (+3), 3 -> 8 (+5).
		{"one reset", []float64{10, 20, 3, 8}, 18, 6, true},
		// 100 -> 0 is a reset to 0 (+0), then +7, then reset to 2 (+2).
		{"two resets", []float64{100, 0, 7, 2}, 9, 3, true},
		{"skips NaN", []float64{1, nan, 4, inf}, 3, 1.5, true},
		{"single sample", []float64{4}, 0, 0, false},
		{"empty", nil, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := samplesOf(1000, tt.values...)
			inc, ok := Increase(s)
			assert.Equal(t, tt.ok, ok)
			rate, rok := Rate(s)
			assert.Equal(t, tt.ok, rok)
			if tt.ok {
				assert.InDelta(t, tt.inc, inc, 1e-12)
				assert.InDelta(t, tt.rate, rate, 1e-12)
			}
		})
	}
	_, ok := Rate([]Sample{{T: 5, V: 1}, {T: 5, V: 2}})
	assert.False(t, ok, "no time between the samples")
}

func TestIRateAndResets(t *testing.T) {
	tests := []struct {
		name          string
		values        []float64
		irate, resets float64
		iok, rok      bool
	}{
		{"steady", []float64{0, 10, 20, 50}, 30, 0, true, true},
		{"reset at the end", []float64{10, 20, 3}, 3, 1, true, true},
		{"two resets", []float64{5, 1, 4, 2, 8}, 6, 2, true, true},
		{"skips NaN", []float64{1, 4, nan, 10, inf}, 6.0 / 2, 0, true, true},
		{"single", []float64{4}, 0, 0, false, true},
		{"empty", []float64{nan}, 0, 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := samplesOf(1000, tt.values...)
			ir, ok := IRate(s)
			assert.Equal(t, tt.iok, ok)
			if ok {
				assert.InDelta(t, tt.irate, ir, 1e-12)
			}
			r, ok := Resets(s)
			assert.Equal(t, tt.rok, ok)
			assert.Equal(t, tt.resets, r)
		})
	}
	_, ok := IRate([]Sample{{T: 5, V: 1}, {T: 5, V: 2}})
	assert.False(t, ok, "no time between the samples")
}

func TestStoreEval(t *testing.T) {
	st := newStore(t)
	for i := range int64(10) {
		_ = st.Append("c", mustLabels(t, "k", "a"), i*1000, float64(i))
		_ = st.Append("c", mustLabels(t, "k", "b"), i*1000, float64(2*i))
	}
	// Window (6s, 9s] holds t = 7, 8, 9 s.
	got := st.Eval(Sum, "c", 9000, 3*time.Second)
	assert.Equal(t, []Point{
		{Name: "c", Labels: Labels{{"k", "a"}}, V: 24},
		{Name: "c", Labels: Labels{{"k", "b"}}, V: 48},
	}, got)
	got = st.Eval(Rate, "c", 9000, 3*time.Second, Equal("k", "b"))
	assert.Equal(t, []Point{{Name: "c", Labels: Labels{{"k", "b"}}, V: 2}}, got)
	assert.Empty(t, st.Eval(Rate, "c", 9000, time.Second), "one sample has no rate")
	assert.Empty(t, st.Eval(Count, "c", 60_000, time.Second), "no sample in the window")
}

// TestWindowsAtTheEdgesOfTime: windows reaching past the oldest
// representable time, and empty or inverted ones, neither wrap nor panic.
func TestWindowsAtTheEdgesOfTime(t *testing.T) {
	st := newStore(t)
	_ = st.Append("c", nil, 1000, 1)
	_ = st.Append("c", nil, 2000, 2)
	huge := time.Duration(math.MaxInt64)
	assert.Equal(t, []Point{{Name: "c", V: 3}}, st.Eval(Sum, "c", 2000, huge), "the whole history")
	assert.Empty(t, st.Eval(Sum, "c", math.MinInt64, huge), "nothing before the oldest time")
	assert.Empty(t, st.Eval(Sum, "c", 2000, -time.Second), "a negative window is empty")
	assert.Empty(t, st.Select("c", 2000, 1000), "from after to")
	s := samplesOf(1000, 1, 2, 3)
	assert.Equal(t, s, Window(s, 3000, huge))
	assert.Empty(t, Window(s, math.MinInt64, huge))
}
