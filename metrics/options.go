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
	windowSeries  int // series the window store keeps; 0 sizes it from seriesLimit
	constLabels   []Label
}

func defaultConfig() config {
	return config{
		interval:      15 * time.Second,
		now:           time.Now,
		seriesLimit:   defaultSeriesLimit,
		idleExpiry:    10 * time.Minute,
		summaryWindow: 10 * time.Minute,
		window:        240,
	}
}

// defaultSeriesLimit is [WithSeriesLimit]'s default.
const defaultSeriesLimit = 2000

// windowMetricsAtLimit is how many metrics at their series limit the
// window store has room for by default; see [WithWindowSeries].
const windowMetricsAtLimit = 16

// windowCap is the window store's series cap: the one set with
// WithWindowSeries, else room for windowMetricsAtLimit metrics at the
// series limit (the default limit when there is none) and for the series
// ingestion may add.
func (c config) windowCap() int {
	if c.windowSeries > 0 {
		return c.windowSeries
	}
	limit := c.seriesLimit
	if limit <= 0 {
		limit = defaultSeriesLimit
	}
	limit = min(limit, 1<<40) // keeps the product in range
	return windowMetricsAtLimit*(limit+1) + MaxIngestSeries
}

// MinInterval is the shortest collection interval [NewRegistry] accepts:
// a shorter one would spend the process on collecting.
const MinInterval = 100 * time.Millisecond

// WithInterval sets how often the registry collects its metrics and sends
// them to OpenObserve. Default 15 s; zero means the default. A negative
// value turns the timer off: samples are then collected only by
// [Registry.Flush] and [Registry.Shutdown]. A positive value below
// [MinInterval] makes NewRegistry fail.
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

// WithWindowSeries sets how many series the window store keeps. A new
// series past the cap is left out of the store (the series it holds keep
// their history) and counted in [Stats].WindowRejected until room is made
// by silent series, which are dropped once they have had no sample for
// [WithWindowSize] collections or [WithIdleExpiry], whichever is longer.
// Stored series are never evicted for new ones: at a cap below the live
// series that would drop and recreate series at every collection.
//
// The default follows the registry's limits: room for 16 metrics at
// their series limit ([WithSeriesLimit]; the default limit of 2000 when
// there is none) plus the [MaxIngestSeries] that POST /api/metrics may
// add, 16 × 2001 + 10000 = 42016 series with the default limit. Each label
// set of a histogram is one series per bucket plus _sum and _count (14
// with [DefaultBuckets]) and of a summary one per quantile plus two, so
// one histogram at its limit takes the room of 14 metrics. Each stored
// series holds up to [WithWindowSize] samples of 16 bytes (3.75 KiB at
// the default 240), so a store at the default cap holds about 160 MB;
// lower the cap or the window size for a tighter bound. Zero means the
// default, and NewRegistry rejects a negative value.
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
