package metrics

import (
	"fmt"
	"time"

	"github.com/o2kit/o2kit/internal/timeseries"
)

// The window store's types. A [Store] keeps the newest samples of every
// series the registry collects (one per collection, [WithWindowSize] per
// series) and answers window functions, trends and anomaly scores over
// them; see [Registry.Window].
type (
	// Store is the in-memory window store. All its methods are safe for
	// concurrent use; Select and Eval take times in Unix milliseconds.
	Store = timeseries.Store
	// Sample is one stored value: T in Unix milliseconds, V.
	Sample = timeseries.Sample
	// Series is one series' name, labels and samples, oldest first.
	Series = timeseries.Series
	// Label is one label name and value.
	Label = timeseries.Label
	// Labels is a label set sorted by name.
	Labels = timeseries.Labels
	// Point is a window function's result for one series.
	Point = timeseries.Point
	// Matcher selects series by their labels.
	Matcher = timeseries.Matcher
	// MatcherFunc adapts a function to [Matcher].
	MatcherFunc = timeseries.MatcherFunc
	// WindowFunc reduces the samples of a window to one value.
	WindowFunc = timeseries.WindowFunc
	// Fit is a least-squares line through a series.
	Fit = timeseries.Fit
	// Detector judges a value against the samples before it.
	Detector = timeseries.Detector
	// Verdict is a detector's judgement of one value.
	Verdict = timeseries.Verdict
	// ZScore is the rolling z-score detector.
	ZScore = timeseries.ZScore
	// EWMA is the exponentially weighted moving average detector.
	EWMA = timeseries.EWMA
	// MAD is the median absolute deviation detector.
	MAD = timeseries.MAD
)

// The window store's errors, returned by [Store.Append] and reported for
// the samples of a collection it refuses (see [Stats].WindowRejected).
var (
	// ErrOutOfOrder is a sample older than the newest of its series, as
	// when the clock steps back.
	ErrOutOfOrder = timeseries.ErrOutOfOrder
	// ErrSeriesLimit is a new series past the store's cap
	// ([WithWindowSeries]); the series already stored keep working.
	ErrSeriesLimit = timeseries.ErrSeriesLimit
	// ErrInvalidLabels is a label set with a name given twice, or an empty
	// metric name.
	ErrInvalidLabels = timeseries.ErrInvalidLabels
)

// Sum is the window function for the sum of the samples.
func Sum(s []Sample) (float64, bool) { return timeseries.Sum(s) }

// Avg is the window function for the mean of the samples.
func Avg(s []Sample) (float64, bool) { return timeseries.Avg(s) }

// Min is the window function for the smallest sample.
func Min(s []Sample) (float64, bool) { return timeseries.Min(s) }

// Max is the window function for the largest sample.
func Max(s []Sample) (float64, bool) { return timeseries.Max(s) }

// Count is the window function for the number of samples.
func Count(s []Sample) (float64, bool) { return timeseries.Count(s) }

// Last is the window function for the newest finite sample, the value a
// gauge showed at the window's end.
func Last(s []Sample) (float64, bool) { return timeseries.Last(s) }

// StdDev is the window function for the population standard deviation
// of the samples (dividing by n, as Prometheus' stddev_over_time does).
func StdDev(s []Sample) (float64, bool) { return timeseries.StdDev(s) }

// Increase is the window function for a counter's growth, counter resets
// handled, without Prometheus' extrapolation to the window's edges.
func Increase(s []Sample) (float64, bool) { return timeseries.Increase(s) }

// Rate is the window function for a counter's growth per second between
// its first and last sample in the window.
func Rate(s []Sample) (float64, bool) { return timeseries.Rate(s) }

// IRate is the window function for a counter's growth per second between
// the last two samples (Prometheus' irate): it follows fast changes that
// [Rate] averages away. A drop between them counts as a reset.
func IRate(s []Sample) (float64, bool) { return timeseries.IRate(s) }

// Resets is the window function for how many times a counter was reset:
// the drops between consecutive samples (Prometheus' resets).
func Resets(s []Sample) (float64, bool) { return timeseries.Resets(s) }

// Slope is the window function for the least-squares slope per second
// (Prometheus' deriv).
func Slope(s []Sample) (float64, bool) { return timeseries.Slope(s) }

// Quantile returns a window function for the q-quantile of the samples.
func Quantile(q float64) WindowFunc { return timeseries.Quantile(q) }

// Forecast returns a window function that extends the least-squares line
// ahead past the last sample (Prometheus' predict_linear).
func Forecast(ahead time.Duration) WindowFunc { return timeseries.Forecast(ahead) }

// HoltForecast returns a window function that smooths the samples with
// Holt's double exponential smoothing (level factor alpha, trend factor
// beta, both in (0, 1]) and forecasts steps samples ahead.
func HoltForecast(alpha, beta, steps float64) WindowFunc {
	return func(s []Sample) (float64, bool) { return timeseries.HoltForecast(s, alpha, beta, steps) }
}

// AnomalyScore returns a window function that scores the last sample of
// the window against the ones before it with d.
func AnomalyScore(d Detector) WindowFunc { return timeseries.AnomalyScore(d) }

// LinearFit fits a least-squares line through the samples.
func LinearFit(s []Sample) (Fit, bool) { return timeseries.LinearFit(s) }

// Scan judges every sample against the samples in the window before it.
func Scan(d Detector, s []Sample, window time.Duration) []Verdict {
	return timeseries.Scan(d, s, window)
}

// Equal matches series whose label name has exactly value.
func Equal(name, value string) Matcher { return timeseries.Equal(name, value) }

// NotEqual matches series whose label name is not value.
func NotEqual(name, value string) Matcher { return timeseries.NotEqual(name, value) }

// Regexp matches series whose label name matches expr in full.
func Regexp(name, expr string) (Matcher, error) { return timeseries.Regexp(name, expr) }

// NotRegexp matches series whose label name does not match expr in full.
func NotRegexp(name, expr string) (Matcher, error) { return timeseries.NotRegexp(name, expr) }

// Window returns the samples of s, which must be sorted by time, in the
// window of length d ending at end (Unix milliseconds): end-d < T <= end,
// open at the start and closed at the end like a Prometheus range
// selector. The result shares s's backing array. It lets a [WindowFunc]
// run over samples from [Store.Select].
func Window(s []Sample, end int64, d time.Duration) []Sample { return timeseries.Window(s, end, d) }

// Window returns the registry's window store: the last samples of every
// series, appended at each collection, for alert rules and dashboards in
// the process. Its Select (name, label matchers, a range in Unix
// milliseconds) is what the alerting package reads.
func (r *Registry) Window() *Store { return r.store }

// record forgets the series that stopped reporting longer ago than the
// window store's span, making room, then appends the points of one
// collection to the store; r.collectMu is held. Points the store refuses
// are counted in [Stats].WindowRejected and reported once, with the
// first refusal.
func (r *Registry) record(now time.Time, pts []point) {
	ms := now.UnixMilli()
	r.store.DropIdle(ms - r.span().Milliseconds())
	var refused uint64
	var first error
	for i := range pts {
		p := &pts[i]
		r.scratch = r.scratch[:0]
		for j, l := range p.fam.desc.Labels {
			r.scratch = append(r.scratch, Label{Name: l, Value: p.values[j]})
		}
		if p.extra != "" {
			r.scratch = append(r.scratch, Label{Name: p.extra, Value: p.extraValue})
		}
		if err := r.store.Append(p.name, r.scratch, ms, p.value); err != nil {
			if refused++; first == nil {
				first = fmt.Errorf("%s%v: %w", p.name, r.scratch, err)
			}
		}
	}
	if refused > 0 {
		r.stats.windowRej.Add(refused)
		r.cfg.errs.Handle(fmt.Errorf("metrics: window store refused %d of %d samples, first %w", refused, len(pts), first))
	}
}

// span is how long the window store keeps a silent series.
func (r *Registry) span() time.Duration {
	iv := r.cfg.interval
	if iv < 0 {
		iv = 15 * time.Second
	}
	return max(r.cfg.idleExpiry, iv*time.Duration(r.cfg.window))
}

// newStore makes the window store, without eviction: see WithWindowSeries.
func newStore(cfg config) (*Store, error) {
	return timeseries.New(timeseries.WithCapacity(cfg.window), timeseries.WithMaxSeries(cfg.windowCap()))
}

// Select returns copies of the window store's samples of the series called
// name whose labels satisfy every matcher, with from <= T <= to (Unix
// milliseconds); see [Store.Select]. It makes a Registry the sample source
// the alerting package evaluates rules over.
func (r *Registry) Select(name string, from, to int64, ms ...Matcher) []Series {
	return r.store.Select(name, from, to, ms...)
}
