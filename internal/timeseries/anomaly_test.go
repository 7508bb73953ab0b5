package timeseries

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// detectors are the package's detectors with default settings.
var detectors = map[string]Detector{
	"zscore": ZScore{},
	"ewma":   EWMA{},
	"mad":    MAD{},
}

// noise returns n samples one second apart of mean + N(0, sd²).
func noise(seed uint64, n int, mean, sd float64) []Sample {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	out := make([]Sample, n)
	for i := range out {
		out[i] = Sample{T: int64(i) * 1000, V: mean + sd*rng.NormFloat64()}
	}
	return out
}

const window = time.Minute // 60 samples of history at one per second

func TestDetectorsFlagStepChange(t *testing.T) {
	s := noise(10, 300, 100, 2)
	for i := 200; i < len(s); i++ {
		s[i].V += 20 // a level shift of 10 standard deviations
	}
	for name, d := range detectors {
		t.Run(name, func(t *testing.T) {
			v := Scan(d, s, window)
			assert.True(t, v[200].Anomalous, "step at 200 scored %v", v[200].Score)
			assert.Greater(t, v[200].Score, 0.0, "upwards")
		})
	}
}

func TestDetectorsFlagSpike(t *testing.T) {
	s := noise(11, 200, 50, 1)
	s[150].V -= 12
	for name, d := range detectors {
		t.Run(name, func(t *testing.T) {
			v := Scan(d, s, window)
			assert.True(t, v[150].Anomalous, "spike scored %v", v[150].Score)
			assert.Less(t, v[150].Score, 0.0, "downwards")
			// The spike is excluded from its own history, and the robust
			// detector is not thrown by it afterwards.
			if name == "mad" {
				assert.False(t, v[151].Anomalous)
			}
		})
	}
}

// TestDetectorsQuietOnNoise bounds the false-positive rate on Gaussian
// noise. At |z| > 3 a perfect detector flags 0.27% of points; estimating
// mean and spread from 60 samples widens the tails a little.
func TestDetectorsQuietOnNoise(t *testing.T) {
	bounds := map[string]float64{"zscore": 0.01, "ewma": 0.02, "mad": 0.01}
	for name, d := range detectors {
		t.Run(name, func(t *testing.T) {
			flagged, judged := 0, 0
			for seed := range uint64(4) {
				s := noise(100+seed, 2500, 10, 3)
				for _, v := range Scan(d, s, window) {
					if v.Anomalous {
						flagged++
					}
					if v.Score != 0 {
						judged++
					}
				}
			}
			rate := float64(flagged) / float64(judged)
			t.Logf("%s: %d of %d flagged (%.3f%%)", name, flagged, judged, 100*rate)
			assert.Less(t, rate, bounds[name])
		})
	}
}

func TestDetectorsConstantSeries(t *testing.T) {
	flat := samplesOf(1000, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7)
	for name, d := range detectors {
		t.Run(name, func(t *testing.T) {
			for _, v := range Scan(d, flat, window) {
				assert.Equal(t, Verdict{}, v)
			}
			up := d.Detect(flat, 8)
			assert.True(t, up.Anomalous)
			assert.True(t, math.IsInf(up.Score, 1))
			down := d.Detect(flat, 6)
			assert.True(t, math.IsInf(down.Score, -1))
		})
	}
}

func TestDetectorsShortOrBrokenHistory(t *testing.T) {
	short := samplesOf(1000, 1, 2, 3)
	for name, d := range detectors {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, Verdict{}, d.Detect(short, 100), "too little history")
			assert.Equal(t, Verdict{}, d.Detect(noise(1, 30, 0, 1), nan))
			assert.Equal(t, Verdict{}, d.Detect(noise(1, 30, 0, 1), inf))
			hist := noise(2, 30, 0, 1)
			hist[3].V, hist[4].V = nan, ninf
			v := d.Detect(hist, 100)
			assert.True(t, v.Anomalous, "non-finite history samples are skipped")
			assert.False(t, math.IsNaN(v.Score))
		})
	}
}

func TestDetectorSettings(t *testing.T) {
	hist := noise(5, 30, 0, 1)
	assert.Equal(t, Verdict{}, ZScore{MinSamples: 31}.Detect(hist, 10))
	assert.False(t, ZScore{Threshold: 100}.Detect(hist, 10).Anomalous)
	assert.True(t, ZScore{MinSamples: 1}.Detect(hist[:2], 1e6).Anomalous, "at least 2 are used")
	assert.False(t, EWMA{Threshold: 100, Alpha: 0.5}.Detect(hist, 10).Anomalous)
	assert.Equal(t,
		EWMA{}.Detect(hist, 5), EWMA{Alpha: 7}.Detect(hist, 5), "invalid alpha means default")
	assert.False(t, MAD{Threshold: 100}.Detect(hist, 10).Anomalous)
	assert.Equal(t, ZScore{}.Detect(hist, 4), ZScore{Threshold: nan}.Detect(hist, 4), "NaN means default")
}

func TestMADFallsBackToMeanAbsoluteDeviation(t *testing.T) {
	// More than half the values equal the median, so MAD is 0; the mean
	// absolute deviation is (2+2)/12.
	hist := samplesOf(1000, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 3, 7)
	v := MAD{}.Detect(hist, 6)
	assert.InDelta(t, 1/(1.253314*4.0/12), v.Score, 1e-9)
	assert.False(t, v.Anomalous)
	assert.True(t, MAD{}.Detect(hist, 9).Anomalous)
}

func TestMADHandComputed(t *testing.T) {
	// Median 5; absolute deviations 4,3,2,1,0,1,2,3,4,5 have median 2.5.
	hist := samplesOf(1000, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	v := MAD{}.Detect(hist, 15)
	assert.InDelta(t, 0.6745*(15-5.5)/2.5, v.Score, 1e-9)
}

func TestZScoreHandComputed(t *testing.T) {
	// Mean 5.5; the squared deviations of 1..10 sum to 82.5, and the
	// sample variance divides by n-1 = 9.
	hist := samplesOf(1000, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	v := ZScore{}.Detect(hist, 15)
	assert.InDelta(t, (15-5.5)/math.Sqrt(82.5/9), v.Score, 1e-12)
}

func TestDetectorFuncAndAnomalyScore(t *testing.T) {
	d := DetectorFunc(func(h []Sample, x float64) Verdict {
		return Verdict{Score: x - float64(len(h))}
	})
	f := AnomalyScore(d)
	v, ok := f(samplesOf(1000, 1, 2, 10, nan))
	require.True(t, ok)
	assert.Equal(t, 8.0, v, "the last finite sample against the two before it")
	_, ok = f([]Sample{{1, nan}})
	assert.False(t, ok)

	st := newStore(t)
	for _, s := range noise(7, 100, 0, 1) {
		require.NoError(t, st.Append("latency", nil, s.T, s.V))
	}
	require.NoError(t, st.Append("latency", nil, 100_000, 50))
	pts := st.Eval(AnomalyScore(ZScore{}), "latency", 100_000, window)
	require.Len(t, pts, 1)
	assert.Greater(t, pts[0].V, DefaultZThreshold)
}

func TestNilDetectorJudgesNothing(t *testing.T) {
	s := samplesOf(1000, 1, 2, 100)
	assert.Equal(t, make([]Verdict, 3), Scan(nil, s, window))
	_, ok := AnomalyScore(nil)(s)
	assert.False(t, ok)
}
