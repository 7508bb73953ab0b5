package metrics_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/metrics"
)

// These tests drive the trend and anomaly functions through the public
// API only, as an alert rule in the process would: a gauge, collections
// every 15 s, and the registry's window store.

// feed sets a gauge to each value in turn, one collection every 15 s, and
// returns the registry and the samples the window store holds.
func feed(t *testing.T, values []float64) (*metrics.Registry, []metrics.Sample) {
	t.Helper()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	r, err := metrics.NewRegistry(nil, metrics.WithInterval(-1), metrics.WithClock(func() time.Time { return now }))
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	g := metrics.Must(r.Gauge(metrics.Desc{Name: "signal"}))
	for _, v := range values {
		g.Set(v)
		require.NoError(t, r.Flush(t.Context()))
		now = now.Add(15 * time.Second)
	}
	s := r.Window().Select("signal", 0, now.UnixMilli())
	require.Len(t, s, 1)
	require.Len(t, s[0].Samples, len(values))
	return r, s[0].Samples
}

// eval applies f to the hour before the last sample.
func eval(t *testing.T, r *metrics.Registry, s []metrics.Sample, f metrics.WindowFunc, d time.Duration) float64 {
	t.Helper()
	pts := r.Window().Eval(f, "signal", s[len(s)-1].T, d)
	require.Len(t, pts, 1)
	return pts[0].V
}

// noise is n values around 100 with standard deviation 1.
func noise(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, seed))
	out := make([]float64, n)
	for i := range out {
		out[i] = 100 + rng.NormFloat64()
	}
	return out
}

func TestTrendOfAKnownSlope(t *testing.T) {
	vals := make([]float64, 60)
	for i := range vals {
		vals[i] = 50 + 0.3*float64(i) // 0.3 per 15 s: 0.02 per second
	}
	r, s := feed(t, vals)
	assert.InDelta(t, 0.02, eval(t, r, s, metrics.Slope, time.Hour), 1e-9)
	assert.InDelta(t, 50+0.3*59+0.02*600, eval(t, r, s, metrics.Forecast(10*time.Minute), time.Hour), 1e-6)
	assert.InDelta(t, 50+0.3*63, eval(t, r, s, metrics.HoltForecast(0.5, 0.5, 4), time.Hour), 1e-6, "Holt follows a clean line exactly")
	fit, ok := metrics.LinearFit(s)
	require.True(t, ok)
	assert.InDelta(t, 1, fit.R2, 1e-12)

	_, flat := feed(t, noise(60, 3))
	fit, ok = metrics.LinearFit(flat)
	require.True(t, ok)
	assert.InDelta(t, 0, fit.Slope, 0.002, "noise has no trend to speak of")
	assert.Less(t, fit.R2, 0.2)
}

// detectors are the three built-in detectors with their defaults.
var detectors = []metrics.Detector{metrics.ZScore{}, metrics.EWMA{}, metrics.MAD{}}

func TestAnomalyOnASpike(t *testing.T) {
	r, s := feed(t, append(noise(80, 1), 140))
	for _, d := range detectors {
		assert.Greater(t, eval(t, r, s, metrics.AnomalyScore(d), 30*time.Minute), 3.5, "%T", d)
		v := metrics.Scan(d, s, 30*time.Minute)
		assert.True(t, v[len(v)-1].Anomalous, "%T flags the spike", d)
	}
}

func TestAnomalyOnAStepChange(t *testing.T) {
	vals := noise(80, 2)
	for i := range 20 {
		vals = append(vals, 112+noise(20, 5)[i]-100) // the level moves up by 12
	}
	_, s := feed(t, vals)
	for _, d := range detectors {
		v := metrics.Scan(d, s, 30*time.Minute)
		assert.True(t, v[80].Anomalous, "%T flags the first sample past the step", d)
		assert.Positive(t, v[80].Score, "%T: upwards", d)
		for i := range 80 {
			assert.False(t, v[i].Anomalous, "%T: nothing before the step (sample %d, score %.2f)", d, i, v[i].Score)
		}
	}
}

// TestAnomalyNotOnNoise: Gaussian noise crosses a fixed threshold now and
// then (|z| > 3 for 0.27% of samples, more while the history is short),
// so over 1000 samples each detector may flag at most 1%, and none flags
// the last sample of any series.
func TestAnomalyNotOnNoise(t *testing.T) {
	flagged := map[string]int{}
	for seed := range uint64(5) {
		r, s := feed(t, noise(200, seed+10))
		for _, d := range detectors {
			for _, v := range metrics.Scan(d, s, 30*time.Minute) {
				if v.Anomalous {
					flagged[fmt.Sprintf("%T", d)]++
				}
			}
			assert.Less(t, math.Abs(eval(t, r, s, metrics.AnomalyScore(d), 30*time.Minute)), 3.0, "%T on seed %d", d, seed)
		}
	}
	for _, d := range detectors {
		assert.LessOrEqual(t, flagged[fmt.Sprintf("%T", d)], 10, "%T flags at most 1%% of plain noise", d)
	}
}
