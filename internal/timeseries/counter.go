package timeseries

// Increase returns how much a counter grew over the samples, handling
// counter resets the Prometheus way: any drop in value is a reset, after
// which the counter restarted from zero, so the whole post-reset value
// counts as growth. Non-finite samples are skipped. ok is false with fewer
// than two finite samples.
//
// There is no extrapolation: the result is the growth between the first and
// the last sample of the window, not an estimate for the whole window as
// Prometheus' increase() gives. With samples every 15 s over a 5 min window
// Prometheus scales the observed growth by about 300/285; this function
// reports only what was observed, so it is never fractional for an integer
// counter and never exceeds the true growth.
func Increase(samples []Sample) (float64, bool) {
	var k kahan
	var prev float64
	n := 0
	for _, s := range samples {
		if !finite(s.V) {
			continue
		}
		if n > 0 {
			if s.V < prev {
				k.add(s.V) // reset: the counter went back to zero first
			} else {
				k.add(s.V - prev)
			}
		}
		prev = s.V
		n++
	}
	return k.value(), n >= 2
}

// Rate returns the per-second growth of a counter: [Increase] divided by
// the seconds between the first and the last finite sample. Prometheus'
// rate() extrapolates the increase to the window's edges and divides by
// the window's length, which comes to the same figure whenever it
// extrapolates all the way, that is when samples lie within 1.1 sampling
// intervals of both edges (a steady scrape, a window ending at the newest
// sample); over a series that starts or stops inside the window the two
// differ. ok is false with fewer than two finite samples or when they
// share one timestamp.
func Rate(samples []Sample) (float64, bool) {
	inc, ok := Increase(samples)
	if !ok {
		return 0, false
	}
	first, last, _ := finiteSpan(samples)
	dt := (float64(last) - float64(first)) / 1000
	if dt <= 0 {
		return 0, false
	}
	return inc / dt, true
}

// finiteSpan returns the timestamps of the first and the last finite
// sample; ok is false if there is none.
func finiteSpan(samples []Sample) (first, last int64, ok bool) {
	for _, s := range samples {
		if finite(s.V) {
			if !ok {
				first, ok = s.T, true
			}
			last = s.T
		}
	}
	return first, last, ok
}

// IRate returns the per-second growth between the last two finite samples,
// Prometheus' irate(): it follows fast changes that [Rate] averages away.
// A drop between them is a reset, so the growth is the last value. ok is
// false with fewer than two finite samples or when they share a timestamp.
func IRate(samples []Sample) (float64, bool) {
	last, prev := -1, -1
	for i := len(samples) - 1; i >= 0 && prev < 0; i-- {
		if !finite(samples[i].V) {
			continue
		}
		if last < 0 {
			last = i
		} else {
			prev = i
		}
	}
	if prev < 0 {
		return 0, false
	}
	a, b := samples[prev], samples[last]
	dt := (float64(b.T) - float64(a.T)) / 1000
	if dt <= 0 {
		return 0, false
	}
	growth := b.V - a.V
	if b.V < a.V {
		growth = b.V
	}
	return growth / dt, true
}

// Resets returns how many times a counter was reset in the window: the
// number of drops between consecutive finite samples, as Prometheus'
// resets() counts them. ok is false when there is no finite sample.
func Resets(samples []Sample) (float64, bool) {
	n, drops := 0, 0
	var prev float64
	for _, s := range samples {
		if !finite(s.V) {
			continue
		}
		if n > 0 && s.V < prev {
			drops++
		}
		prev = s.V
		n++
	}
	return float64(drops), n > 0
}
