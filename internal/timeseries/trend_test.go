package timeseries

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// line returns n samples every step ms from t0 on the line
// v = v0 + slope*seconds, plus Gaussian noise of the given deviation.
func line(t0, step int64, n int, v0, slope, noise float64, rng *rand.Rand) []Sample {
	out := make([]Sample, n)
	for i := range out {
		t := t0 + int64(i)*step
		v := v0 + slope*float64(t-t0)/1000
		if noise > 0 {
			v += rng.NormFloat64() * noise
		}
		out[i] = Sample{T: t, V: v}
	}
	return out
}

func TestLinearFitExact(t *testing.T) {
	// v = 3 + 2*s at 1.7e12 ms (a 2023 timestamp), so precision matters.
	s := line(1_700_000_000_000, 15_000, 40, 3, 2, 0, nil)
	f, ok := LinearFit(s)
	require.True(t, ok)
	assert.InDelta(t, 2, f.Slope, 1e-12)
	assert.InDelta(t, 3, f.Intercept, 1e-9)
	assert.Equal(t, s[0].T, f.Origin)
	assert.InDelta(t, 1, f.R2, 1e-12)
	assert.Equal(t, 40, f.N)
	// An hour past the origin the line is at 3 + 2*3600.
	assert.InDelta(t, 7203, f.At(s[0].T+3_600_000), 1e-6)
}

func TestLinearFitRecoversNoisySlope(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := line(1_700_000_000_000, 10_000, 360, 100, -0.25, 5, rng)
	f, ok := LinearFit(s)
	require.True(t, ok)
	// The standard error of the slope is noise/sqrt(Sxx), about 0.0014/s here.
	assert.InDelta(t, -0.25, f.Slope, 0.01)
	assert.InDelta(t, 100, f.Intercept, 2)
	assert.Greater(t, f.R2, 0.9)
	slope, ok := Slope(s)
	require.True(t, ok)
	assert.Equal(t, f.Slope, slope)
}

func TestLinearFitEdgeCases(t *testing.T) {
	_, ok := LinearFit(nil)
	assert.False(t, ok)
	_, ok = LinearFit([]Sample{{1, 1}, {2, nan}})
	assert.False(t, ok, "one finite sample")
	_, ok = LinearFit([]Sample{{5, 1}, {5, 2}})
	assert.False(t, ok, "no spread in time")

	f, ok := LinearFit(samplesOf(1000, 4, 4, nan, 4, inf))
	require.True(t, ok)
	assert.Equal(t, 0.0, f.Slope)
	assert.Equal(t, 4.0, f.Intercept)
	assert.Equal(t, 1.0, f.R2, "a constant series is fitted exactly")
	assert.Equal(t, 3, f.N)

	f, ok = LinearFit(samplesOf(1000, 0, 0, 0))
	require.True(t, ok)
	assert.Equal(t, []float64{0, 0, 1}, []float64{f.Slope, f.Intercept, f.R2})
	assert.Equal(t, 0.0, f.At(1e6))
	assert.Equal(t, 5.0, Fit{Intercept: 1, Slope: 2, Origin: 1000}.At(3000), "a Fit made by hand")

	// Values near the float64 limit are scaled, not overflowed into NaN.
	f, ok = LinearFit(samplesOf(1000, -math.MaxFloat64, math.MaxFloat64))
	require.True(t, ok)
	assert.False(t, math.IsNaN(f.Slope) || math.IsNaN(f.R2))
}

func TestForecast(t *testing.T) {
	s := line(0, 1000, 60, 10, 0.5, 0, nil) // last sample at 59 s
	v, ok := Forecast(time.Minute)(s)
	require.True(t, ok)
	assert.InDelta(t, 10+0.5*119, v, 1e-9)
	_, ok = Forecast(time.Minute)(s[:1])
	assert.False(t, ok)
}

func TestHolt(t *testing.T) {
	_, err := NewHolt(0, 0.5)
	assert.Error(t, err)
	_, err = NewHolt(0.5, 1.5)
	assert.Error(t, err)
	_, err = NewHolt(nan, 0.5)
	assert.Error(t, err)

	h, err := NewHolt(0.5, 0.5)
	require.NoError(t, err)
	_, ok := h.Forecast(1)
	assert.False(t, ok)
	// Hand-computed: level 1, trend 2 after 1, 3; then for 4:
	// level = 0.5*4 + 0.5*(3+2) = 4.5, trend = 0.5*(4.5-3) + 0.5*2 = 1.75.
	for _, v := range []float64{1, nan, 3, inf, 4} {
		h.Update(v)
	}
	assert.InDelta(t, 4.5, h.Level(), 1e-12)
	assert.InDelta(t, 1.75, h.Trend(), 1e-12)
	v, ok := h.Forecast(2)
	require.True(t, ok)
	assert.InDelta(t, 8, v, 1e-12)
}

func TestHoltForecastFollowsLinearTrend(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	s := line(0, 1000, 200, 50, 2, 0.5, rng) // +2 per step
	v, ok := HoltForecast(s, 0.3, 0.1, 10)
	require.True(t, ok)
	want := 50 + 2*209.0
	assert.InDelta(t, want, v, 3)

	exact := line(0, 1000, 20, 0, 1, 0, nil)
	v, ok = HoltForecast(exact, 0.5, 0.5, 5)
	require.True(t, ok)
	assert.InDelta(t, 24, v, 1e-9, "a straight line is forecast exactly")

	_, ok = HoltForecast(s, 2, 0.1, 1)
	assert.False(t, ok)
	_, ok = HoltForecast(s, 0.5, 0.1, math.Inf(1))
	assert.False(t, ok)
	v, ok = HoltForecast(samplesOf(1000, math.MaxFloat64, -math.MaxFloat64, math.MaxFloat64), 1, 1, 1)
	require.True(t, ok)
	assert.False(t, math.IsNaN(v), "values near the limit are scaled, not overflowed")
	v, ok = HoltForecast(samplesOf(1000, 0, 0, 0), 0.5, 0.5, 3)
	require.True(t, ok)
	assert.Equal(t, 0.0, v)
	_, ok = HoltForecast(s[:1], 0.5, 0.5, 1)
	assert.False(t, ok)
}
