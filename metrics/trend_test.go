package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// feed sets a gauge to each value in turn, one collection every 15 s, and
// returns the time of the last.
func feed(t *testing.T, values []float64) (*Registry, int64) {
	t.Helper()
	now := pinned()
	r := newReg(t, WithClock(func() time.Time { return now }))
	g := Must(r.Gauge(Desc{Name: "signal"}))
	var last int64
	for _, v := range values {
		g.Set(v)
		require.NoError(t, r.Flush(t.Context()))
		last = now.UnixMilli()
		now = now.Add(15 * time.Second)
	}
	return r, last
}

func noise(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, seed))
	out := make([]float64, n)
	for i := range out {
		out[i] = 100 + rng.NormFloat64()
	}
	return out
}

func eval(t *testing.T, r *Registry, f WindowFunc, end int64, d time.Duration) float64 {
	t.Helper()
	pts := r.Window().Eval(f, "signal", end, d)
	require.Len(t, pts, 1)
	return pts[0].V
}

func TestTrendOfAKnownSlope(t *testing.T) {
	vals := make([]float64, 60)
	for i := range vals {
		vals[i] = 50 + 0.3*float64(i) // 0.3 per 15 s: 0.02 per second
	}
	r, end := feed(t, vals)
	assert.InDelta(t, 0.02, eval(t, r, Slope, end, time.Hour), 1e-9)
	assert.InDelta(t, 50+0.3*59+0.02*600, eval(t, r, Forecast(10*time.Minute), end, time.Hour), 1e-6)
	assert.InDelta(t, 50+0.3*63, eval(t, r, HoltForecast(0.5, 0.5, 4), end, time.Hour), 1e-6, "Holt follows a clean line exactly")
	s := r.Window().Select("signal", 0, end)
	fit, ok := LinearFit(s[0].Samples)
	require.True(t, ok)
	assert.InDelta(t, 1, fit.R2, 1e-12)
}

func TestAnomalies(t *testing.T) {
	base := noise(80, 1)
	step := append(append([]float64(nil), base...), 112)
	spike := append(append([]float64(nil), base...), 140)
	for name, c := range map[string]struct {
		vals []float64
		want bool
	}{
		"noise": {base, false},
		"step":  {step, true},
		"spike": {spike, true},
	} {
		r, end := feed(t, c.vals)
		for _, d := range []Detector{ZScore{}, EWMA{}, MAD{}} {
			score := eval(t, r, AnomalyScore(d), end, 30*time.Minute)
			assert.Equal(t, c.want, math.Abs(score) > 3.5, "%s with %T: score %.2f", name, d, score)
		}
	}
	r, end := feed(t, noise(200, 7))
	s := r.Window().Select("signal", 0, end)
	flagged := 0
	for _, v := range Scan(MAD{}, s[0].Samples, 30*time.Minute) {
		if v.Anomalous {
			flagged++
		}
	}
	assert.LessOrEqual(t, flagged, 2, "plain noise is (almost) never flagged")
}
