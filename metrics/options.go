package metrics

import (
	"slices"
	"strings"
	"time"

	"github.com/o2kit/o2kit"
)

// Option configures a [Registry].
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	interval      time.Duration
	now           func() time.Time
	seriesLimit   int
	idleExpiry    time.Duration
	summaryWindow time.Duration
	errs          o2kit.ErrorHandler
	window        int // samples the window store keeps per series
	windowSeries  int // series the window store keeps
	constLabels   []Label
}

func defaultConfig() config {
	return config{
		interval:      15 * time.Second,
		now:           time.Now,
		seriesLimit:   2000,
		idleExpiry:    10 * time.Minute,
		summaryWindow: 10 * time.Minute,
		window:        240,
		windowSeries:  10000,
	}
}

// WithInterval sets how often the registry collects its metrics and sends
// them to OpenObserve. Default 15 s; zero means the default. A negative
// value turns the timer off: samples are then collected only by
// [Registry.Flush] and [Registry.Shutdown].
func WithInterval(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d != 0 {
			c.interval = d
		}
	})
}

// WithClock sets the clock that stamps exported samples and slides summary
// windows. Default time.Now; nil means the default. Tests and examples pin
// it.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) {
		if now != nil {
			c.now = now
		}
	})
}

// WithSeriesLimit sets the most series one metric keeps. Past it, new
// label sets share one overflow series whose labels all read
// [OverflowValue], and [Stats].Overflowed counts them. Default 2000; zero
// means the default, a negative value means no limit.
func WithSeriesLimit(n int) Option {
	return optionFunc(func(c *config) {
		if n != 0 {
			c.seriesLimit = max(n, 0)
		}
	})
}

// WithIdleExpiry sets how long a labelled series may go unchanged before
// it is removed (checked at each collection; [Stats].Expired counts
// removals). A handle kept from With keeps working but is no longer
// exported once its series expired; call With again. Metrics without
// labels never expire. Default 10 minutes; zero means the default, a
// negative value turns expiry off.
func WithIdleExpiry(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d != 0 {
			c.idleExpiry = d
		}
	})
}

// WithSummaryWindow sets the sliding window over which summaries compute
// their quantiles. Default 10 minutes; zero means the default, and
// NewRegistry rejects a negative value.
func WithSummaryWindow(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d != 0 {
			c.summaryWindow = d
		}
	})
}

// WithErrorHandler sets where export failures go (samples the client
// dropped, once per collection). Default: the log package, on stderr;
// nil means the default.
func WithErrorHandler(h o2kit.ErrorHandler) Option {
	return optionFunc(func(c *config) { c.errs = h })
}

// WithWindowSize sets how many recent samples the window store keeps per
// series (one per collection). Default 240, an hour at the default
// interval; zero means the default, and NewRegistry rejects a negative
// value.
func WithWindowSize(n int) Option {
	return optionFunc(func(c *config) {
		if n != 0 {
			c.window = n
		}
	})
}

// WithWindowSeries sets how many series the window store keeps. Past it,
// a new series replaces the one silent longest (finding it scans the
// store, so keep the cap above the registry's live series). Default
// 10000; zero means the default, and NewRegistry rejects a negative
// value.
func WithWindowSeries(n int) Option {
	return optionFunc(func(c *config) {
		if n != 0 {
			c.windowSeries = n
		}
	})
}

// WithConstLabels adds labels to every sample exported to OpenObserve,
// such as the service and the instance. Several replicas that export the
// same metric need a label that tells them apart: without one, their
// samples land in one series and their counters interleave. Default
// none. Names follow the rules of [Desc] and may not be used by a
// metric's own labels; NewRegistry rejects a bad name, registration a
// clash. The exposition and the window store leave them out: a scraper
// adds its own target labels, and the store holds this process only.
func WithConstLabels(labels map[string]string) Option {
	return optionFunc(func(c *config) {
		c.constLabels = c.constLabels[:0]
		for k, v := range labels {
			c.constLabels = append(c.constLabels, Label{Name: k, Value: v})
		}
		slices.SortFunc(c.constLabels, func(a, b Label) int { return strings.Compare(a.Name, b.Name) })
	})
}
