package timeseries

import (
	"math"
	"slices"
	"time"
)

// Verdict is a detector's judgement of one value.
type Verdict struct {
	// Score is the signed distance of the value from what the history
	// expects, in standard deviations or their robust equivalent. It is 0
	// when the history is too short to judge, and ±Inf when the history has
	// no spread at all and the value differs from it. It is never NaN.
	Score float64
	// Anomalous reports |Score| > the detector's threshold.
	Anomalous bool
}

// Detector judges a value against the samples that came before it.
// Implementations must be safe for concurrent use and must neither modify
// nor keep history, which is in ascending time order and may hold NaN or
// infinite values (detectors skip them).
type Detector interface {
	// Detect judges x, the value that followed history.
	Detect(history []Sample, x float64) Verdict
}

// DetectorFunc adapts a function to [Detector].
type DetectorFunc func(history []Sample, x float64) Verdict

// Detect calls f(history, x).
func (f DetectorFunc) Detect(history []Sample, x float64) Verdict { return f(history, x) }

var (
	_ Detector = ZScore{}
	_ Detector = EWMA{}
	_ Detector = MAD{}
)

// Defaults the detectors use for zero fields.
const (
	// DefaultZThreshold is the |score| above which [ZScore] and [EWMA] flag
	// a value: three standard deviations, 0.27% of a normal distribution.
	DefaultZThreshold = 3.0
	// DefaultMADThreshold is the |modified z-score| above which [MAD] flags
	// a value, as Iglewicz and Hoaglin recommend.
	DefaultMADThreshold = 3.5
	// DefaultEWMAAlpha is the weight of the newest value in [EWMA]: an
	// effective memory of about 2/alpha - 1 = 19 samples.
	DefaultEWMAAlpha = 0.1
	// DefaultMinSamples is the history a detector needs before it judges.
	DefaultMinSamples = 10
)

// verdict builds a Verdict from a deviation and a spread, handling a zero
// spread without dividing by it and mapping any NaN (from overflow) to 0.
func verdict(dev, spread, threshold float64) Verdict {
	var z float64
	switch {
	case dev == 0:
		z = 0
	case spread == 0:
		z = math.Inf(1)
		if dev < 0 {
			z = math.Inf(-1)
		}
	default:
		z = dev / spread
	}
	if math.IsNaN(z) {
		z = 0
	}
	return Verdict{Score: z, Anomalous: math.Abs(z) > threshold}
}

// orDefault returns def for a zero, negative or NaN setting.
func orDefault[T int | float64](v, def T) T {
	if !(v > 0) {
		return def
	}
	return v
}

// ZScore is the rolling z-score: the value's distance from the history's
// mean in sample standard deviations (n-1 in the denominator). The zero
// value uses [DefaultZThreshold] and [DefaultMinSamples].
type ZScore struct {
	// Threshold is the |score| above which a value is anomalous; <= 0 means
	// the default.
	Threshold float64
	// MinSamples is the fewest finite history samples needed to judge;
	// below it the score is 0. <= 0 means the default; values below 2 act
	// as 2.
	MinSamples int
}

// Detect implements [Detector].
func (d ZScore) Detect(history []Sample, x float64) Verdict {
	if !finite(x) {
		return Verdict{}
	}
	var n, mean, m2 float64
	for _, s := range history {
		if finite(s.V) {
			n++
			delta := s.V - mean
			mean += delta / n
			m2 += delta * (s.V - mean)
		}
	}
	if int(n) < max(orDefault(d.MinSamples, DefaultMinSamples), 2) {
		return Verdict{}
	}
	return verdict(x-mean, math.Sqrt(m2/(n-1)), orDefault(d.Threshold, DefaultZThreshold))
}

// EWMA scores a value against an exponentially weighted moving mean and
// variance of the history (West's incremental form: for each value
// diff = v - mean, mean += alpha*diff, var = (1-alpha)*(var + alpha*diff²)),
// so recent samples weigh more and the baseline follows slow drift. The
// zero value uses [DefaultEWMAAlpha], [DefaultZThreshold] and
// [DefaultMinSamples].
type EWMA struct {
	// Alpha is the weight of the newest value, in (0, 1]; other values mean
	// the default.
	Alpha float64
	// Threshold is the |score| above which a value is anomalous; <= 0 means
	// the default.
	Threshold float64
	// MinSamples is the fewest finite history samples needed to judge;
	// below it the score is 0. <= 0 means the default; values below 2 act
	// as 2.
	MinSamples int
}

// Detect implements [Detector].
func (d EWMA) Detect(history []Sample, x float64) Verdict {
	if !finite(x) {
		return Verdict{}
	}
	alpha := d.Alpha
	if !(alpha > 0 && alpha <= 1) {
		alpha = DefaultEWMAAlpha
	}
	var mean, variance float64
	n := 0
	for _, s := range history {
		if !finite(s.V) {
			continue
		}
		if n++; n == 1 {
			mean = s.V
			continue
		}
		diff := s.V - mean
		mean += alpha * diff
		variance = (1 - alpha) * (variance + alpha*diff*diff)
	}
	if n < max(orDefault(d.MinSamples, DefaultMinSamples), 2) {
		return Verdict{}
	}
	return verdict(x-mean, math.Sqrt(variance), orDefault(d.Threshold, DefaultZThreshold))
}

// MAD scores with the modified z-score of Iglewicz and Hoaglin:
// 0.6745*(x - median)/MAD, where MAD is the median absolute deviation of
// the history from its median. Outliers in the history barely move it, so
// it suits spiky series. When more than half the history sits on the
// median (MAD = 0) the score falls back to (x - median)/(1.253314*MeanAD)
// with the mean absolute deviation, as IBM's SPSS does; only when that is
// 0 too does a differing value score ±Inf. The zero value uses
// [DefaultMADThreshold] and [DefaultMinSamples].
type MAD struct {
	// Threshold is the |score| above which a value is anomalous; <= 0 means
	// the default.
	Threshold float64
	// MinSamples is the fewest finite history samples needed to judge;
	// below it the score is 0. <= 0 means the default.
	MinSamples int
}

// Detect implements [Detector].
func (d MAD) Detect(history []Sample, x float64) Verdict {
	if !finite(x) {
		return Verdict{}
	}
	vs := finiteValues(history)
	if len(vs) < max(orDefault(d.MinSamples, DefaultMinSamples), 1) {
		return Verdict{}
	}
	slices.Sort(vs)
	med := quantileSorted(0.5, vs)
	var meanAD float64
	for i, v := range vs {
		vs[i] = math.Abs(v - med)
		meanAD += vs[i] / float64(len(vs))
	}
	slices.Sort(vs)
	threshold := orDefault(d.Threshold, DefaultMADThreshold)
	if mad := quantileSorted(0.5, vs); mad > 0 {
		return verdict(0.6745*(x-med), mad, threshold)
	}
	return verdict(x-med, 1.253314*meanAD, threshold)
}

// Scan judges every sample of a series with d against the samples that
// precede it within the window of length window ending at its timestamp
// (the sample itself excluded), and returns one verdict per sample,
// aligned with samples; non-finite samples get a zero verdict. samples
// must be in ascending time order. A nil d judges nothing: every verdict
// is zero.
func Scan(d Detector, samples []Sample, window time.Duration) []Verdict {
	out := make([]Verdict, len(samples))
	if d == nil {
		return out
	}
	for i, s := range samples {
		if finite(s.V) {
			out[i] = d.Detect(Window(samples[:i], s.T, window), s.V)
		}
	}
	return out
}

// AnomalyScore returns a [WindowFunc] that judges the last finite sample
// of a window against the samples before it and returns its score. ok is
// false when there is no finite sample, or d is nil.
func AnomalyScore(d Detector) WindowFunc {
	return func(samples []Sample) (float64, bool) {
		if d == nil {
			return 0, false
		}
		for i := len(samples) - 1; i >= 0; i-- {
			if finite(samples[i].V) {
				return d.Detect(samples[:i], samples[i].V).Score, true
			}
		}
		return 0, false
	}
}
