package timeseries

import (
	"math"
	"slices"
	"sort"
	"time"
)

// WindowFunc reduces the samples of one window to a value. ok is false when
// the window has no result (no usable sample, or too few for a rate), the
// way Prometheus returns no series for an empty range. Samples must be in
// ascending time order, as [Store.Select] and [Window] return them. A
// WindowFunc must not modify or keep the slice (Eval reuses it), and one
// given to [Store.Eval] may be called from several goroutines at once when
// several queries run. Every WindowFunc in this package is safe for that,
// skips NaN and infinite samples, and from finite samples never returns
// NaN (a sum can still overflow to ±Inf).
type WindowFunc func(samples []Sample) (v float64, ok bool)

var (
	_ WindowFunc = Sum
	_ WindowFunc = Avg
	_ WindowFunc = Min
	_ WindowFunc = Max
	_ WindowFunc = Count
	_ WindowFunc = Last
	_ WindowFunc = StdDev
	_ WindowFunc = Increase
	_ WindowFunc = Rate
	_ WindowFunc = IRate
	_ WindowFunc = Resets
)

// Window returns the part of samples, which must be sorted by time, with
// end-d < T <= end: the window of length d ending at end (Unix
// milliseconds), open at the start and closed at the end like a Prometheus
// range selector. The result shares samples' backing array.
func Window(samples []Sample, end int64, d time.Duration) []Sample {
	start := end - d.Milliseconds()
	if d.Milliseconds() > 0 && start > end {
		start = math.MinInt64 // the window reaches past the oldest time
	}
	lo := sort.Search(len(samples), func(i int) bool { return samples[i].T > start })
	hi := sort.Search(len(samples), func(i int) bool { return samples[i].T > end })
	if hi < lo {
		hi = lo
	}
	return samples[lo:hi]
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// kahan is a Neumaier-compensated running sum, as Prometheus uses for
// sum_over_time, so long windows of mixed magnitudes keep their precision.
type kahan struct{ sum, c float64 }

func (k *kahan) add(x float64) {
	t := k.sum + x
	if math.Abs(k.sum) >= math.Abs(x) {
		k.c += (k.sum - t) + x
	} else {
		k.c += (x - t) + k.sum
	}
	k.sum = t
}

// value returns the compensated sum; on overflow the plain sum (±Inf), as
// the compensation would turn it into NaN.
func (k *kahan) value() float64 {
	if math.IsInf(k.sum, 0) || !finite(k.c) {
		return k.sum
	}
	return k.sum + k.c
}

// Sum returns the sum of the finite samples.
func Sum(samples []Sample) (float64, bool) {
	k, n := finiteSum(samples)
	return k.value(), n > 0
}

// finiteSum adds up the finite samples and counts them.
func finiteSum(samples []Sample) (kahan, int) {
	var k kahan
	n := 0
	for _, s := range samples {
		if finite(s.V) {
			k.add(s.V)
			n++
		}
	}
	return k, n
}

// Count returns the number of finite samples; ok is false when it is 0.
func Count(samples []Sample) (float64, bool) {
	n := 0
	for _, s := range samples {
		if finite(s.V) {
			n++
		}
	}
	return float64(n), n > 0
}

// Avg returns the arithmetic mean of the finite samples. Should their sum
// overflow, the mean is computed from the values divided by the count
// first, so Avg of finite samples is always finite.
func Avg(samples []Sample) (float64, bool) {
	k, count := finiteSum(samples)
	if count == 0 {
		return 0, false
	}
	sum, n := k.value(), float64(count)
	if !math.IsInf(sum, 0) {
		return sum / n, true
	}
	var scaled kahan
	for _, s := range samples {
		if finite(s.V) {
			scaled.add(s.V / n)
		}
	}
	return scaled.value(), true
}

// Min returns the smallest finite sample.
func Min(samples []Sample) (float64, bool) {
	return extreme(samples, func(a, b float64) bool { return a < b })
}

// Max returns the largest finite sample.
func Max(samples []Sample) (float64, bool) {
	return extreme(samples, func(a, b float64) bool { return a > b })
}

func extreme(samples []Sample, better func(a, b float64) bool) (float64, bool) {
	var m float64
	ok := false
	for _, s := range samples {
		if finite(s.V) && (!ok || better(s.V, m)) {
			m, ok = s.V, true
		}
	}
	return m, ok
}

// Last returns the newest finite sample.
func Last(samples []Sample) (float64, bool) {
	for i := len(samples) - 1; i >= 0; i-- {
		if finite(samples[i].V) {
			return samples[i].V, true
		}
	}
	return 0, false
}

// StdDev returns the population standard deviation of the finite samples
// (dividing by n, as Prometheus' stddev_over_time does), computed with
// Welford's method after scaling by the largest magnitude so that finite
// input neither loses precision nor overflows.
func StdDev(samples []Sample) (float64, bool) {
	scale := maxAbs(samples)
	var n, mean, m2 float64
	for _, s := range samples {
		if finite(s.V) {
			x := s.V / scale
			n++
			d := x - mean
			mean += d / n
			m2 += d * (x - mean)
		}
	}
	if n == 0 {
		return 0, false
	}
	return math.Sqrt(max(m2, 0)/n) * scale, true
}

// Quantile returns a [WindowFunc] for the q-quantile (0 <= q <= 1) of the
// finite samples, with linear interpolation between the two nearest ranks:
// for n sorted values x[0..n-1] the rank is h = q*(n-1) and the result
// x[floor(h)] + (h-floor(h))*(x[floor(h)+1]-x[floor(h)]). This is
// definition 7 of Hyndman and Fan, the default of R and NumPy, and what
// Prometheus' quantile_over_time computes. For q outside [0, 1] or NaN the
// function has no result (ok false), where Prometheus would return ±Inf.
func Quantile(q float64) WindowFunc {
	return func(samples []Sample) (float64, bool) {
		if !(q >= 0 && q <= 1) {
			return 0, false
		}
		vs := finiteValues(samples)
		if len(vs) == 0 {
			return 0, false
		}
		slices.Sort(vs)
		return quantileSorted(q, vs), true
	}
}

// quantileSorted interpolates the q-quantile of sorted, non-empty vs.
func quantileSorted(q float64, vs []float64) float64 {
	h := q * float64(len(vs)-1)
	lo := int(math.Floor(h))
	hi := min(lo+1, len(vs)-1)
	frac := h - float64(lo)
	if frac == 0 {
		return vs[lo]
	}
	// A convex combination cannot overflow the way vs[lo] + frac*(hi-lo)
	// can when the two values have opposite signs near the float64 limit.
	return vs[lo]*(1-frac) + vs[hi]*frac
}

// finiteValues copies the finite values of samples.
func finiteValues(samples []Sample) []float64 {
	vs := make([]float64, 0, len(samples))
	for _, s := range samples {
		if finite(s.V) {
			vs = append(vs, s.V)
		}
	}
	return vs
}
