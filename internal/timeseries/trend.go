package timeseries

import (
	"fmt"
	"math"
	"time"
)

// Fit is the least-squares line through a series' finite samples, with
// time measured in seconds from Origin.
type Fit struct {
	// Slope is the fitted change per second.
	Slope float64
	// Intercept is the fitted value at Origin.
	Intercept float64
	// Origin is the timestamp of the first finite sample, in Unix
	// milliseconds. Anchoring there keeps the intercept meaningful and the
	// arithmetic precise, where an intercept at the Unix epoch would not be.
	Origin int64
	// R2 is the coefficient of determination, in [0, 1]: the share of the
	// values' variance the line explains. A constant series is fitted
	// exactly and has R2 1.
	R2 float64
	// N is the number of finite samples fitted.
	N int

	// scaled is the line fitted to values divided by scale; At uses it so
	// that a line near the float64 limit does not compute Inf - Inf.
	scaled struct{ slope, intercept, scale float64 }
}

// At returns the fitted value at t (Unix milliseconds): a forecast when t
// is after the last sample. For a Fit made by [LinearFit] it is never NaN;
// it may overflow to ±Inf far from the data.
func (f Fit) At(t int64) float64 {
	dt := (float64(t) - float64(f.Origin)) / 1000
	if sc := f.scaled; sc.scale != 0 {
		return (sc.intercept + sc.slope*dt) * sc.scale
	}
	return f.Intercept + f.Slope*dt
}

// LinearFit fits a line to the finite samples by ordinary least squares.
// ok is false with fewer than two finite samples or when they all share
// one timestamp. Values are scaled by their largest magnitude while
// fitting, so finite input never overflows into a NaN.
func LinearFit(samples []Sample) (Fit, bool) {
	origin, _, ok := finiteSpan(samples)
	if !ok {
		return Fit{}, false
	}
	scale := maxAbs(samples)
	m := moments(samples, origin, scale)
	if m.n < 2 || m.sxx == 0 {
		return Fit{}, false
	}
	slope := m.sxy / m.sxx
	r2 := 1.0
	if m.syy > 0 {
		r2 = min(max(m.sxy*m.sxy/(m.sxx*m.syy), 0), 1)
	}
	intercept := m.my - slope*m.mx
	f := Fit{
		Slope:     slope * scale,
		Intercept: intercept * scale,
		Origin:    origin,
		R2:        r2,
		N:         m.n,
	}
	f.scaled.slope, f.scaled.intercept, f.scaled.scale = slope, intercept, scale
	return f, true
}

// fitMoments are the means and centred sums of squares of time (seconds
// from the origin) and scaled value.
type fitMoments struct {
	n             int
	mx, my        float64
	sxx, sxy, syy float64
}

// moments computes fitMoments in one pass with Welford's updates, which
// stay exact for a constant series.
func moments(samples []Sample, origin int64, scale float64) fitMoments {
	var m fitMoments
	for _, s := range samples {
		if !finite(s.V) {
			continue
		}
		x := (float64(s.T) - float64(origin)) / 1000
		y := s.V / scale
		m.n++
		dx, dy := x-m.mx, y-m.my
		m.mx += dx / float64(m.n)
		m.my += dy / float64(m.n)
		m.sxx += dx * (x - m.mx)
		m.sxy += dx * (y - m.my)
		m.syy += dy * (y - m.my)
	}
	return m
}

// Slope is a [WindowFunc] for the least-squares slope per second, the
// same line [LinearFit] draws; Prometheus calls it deriv().
func Slope(samples []Sample) (float64, bool) {
	f, ok := LinearFit(samples)
	return f.Slope, ok
}

// Forecast returns a [WindowFunc] that extrapolates the [LinearFit] line
// to ahead after the window's last finite sample, like Prometheus'
// predict_linear() anchored at the data rather than the evaluation time.
func Forecast(ahead time.Duration) WindowFunc {
	return func(samples []Sample) (float64, bool) {
		f, ok := LinearFit(samples)
		if !ok {
			return 0, false
		}
		_, last, _ := finiteSpan(samples)
		return f.At(last + ahead.Milliseconds()), true
	}
}

// Holt is Holt's double exponential smoothing (level and trend), updated
// one value at a time. It is not safe for concurrent use.
type Holt struct {
	alpha, beta  float64
	level, trend float64
	n            int
}

// NewHolt returns a [Holt] smoother with level factor alpha and trend
// factor beta, both in (0, 1]: larger values follow recent data faster. It
// fails for factors outside that range.
func NewHolt(alpha, beta float64) (*Holt, error) {
	if !(alpha > 0 && alpha <= 1) || !(beta > 0 && beta <= 1) {
		return nil, fmt.Errorf("timeseries: holt factors %v, %v not in (0, 1]", alpha, beta)
	}
	return &Holt{alpha: alpha, beta: beta}, nil
}

// Update feeds the next value; NaN and infinities are skipped. As in
// Prometheus' double_exponential_smoothing, the first value sets the level
// and the second sets the initial trend to their difference.
func (h *Holt) Update(v float64) {
	if !finite(v) {
		return
	}
	h.n++
	switch h.n {
	case 1:
		h.level = v
		return
	case 2:
		h.trend = v - h.level
	}
	prev := h.level
	h.level = h.alpha*v + (1-h.alpha)*(h.level+h.trend)
	h.trend = h.beta*(h.level-prev) + (1-h.beta)*h.trend
}

// Level returns the smoothed level after the values fed so far.
func (h *Holt) Level() float64 { return h.level }

// Trend returns the smoothed change per step (per value fed).
func (h *Holt) Trend() float64 { return h.trend }

// Forecast returns the value expected steps values after the last one fed:
// level + steps*trend. ok is false before two values were fed.
func (h *Holt) Forecast(steps float64) (float64, bool) {
	if h.n < 2 {
		return 0, false
	}
	return h.level + steps*h.trend, true
}

// HoltForecast smooths the finite samples with [Holt] and forecasts steps
// samples past the last. ok is false for invalid factors, a non-finite
// steps, or fewer than two finite samples. A step is one sampling
// interval, so steps = 4 with samples every 15 s forecasts a minute ahead;
// steps = 0 gives the smoothed level, what Prometheus'
// double_exponential_smoothing returns. The values are scaled by their
// largest magnitude while smoothing, so finite input never overflows into
// a NaN.
func HoltForecast(samples []Sample, alpha, beta, steps float64) (float64, bool) {
	h, err := NewHolt(alpha, beta)
	if err != nil || !finite(steps) {
		return 0, false
	}
	scale := maxAbs(samples)
	for _, s := range samples {
		h.Update(s.V / scale)
	}
	f, ok := h.Forecast(steps)
	return f * scale, ok
}

// maxAbs returns the largest magnitude among the finite samples, or 1 if
// there is none or it is 0, for scaling values into [-1, 1].
func maxAbs(samples []Sample) float64 {
	m := 0.0
	for _, s := range samples {
		if finite(s.V) {
			m = max(m, math.Abs(s.V))
		}
	}
	if m == 0 {
		return 1
	}
	return m
}
