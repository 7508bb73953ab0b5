package timeseries

import (
	"errors"
	"fmt"
)

// DefaultCapacity is the number of samples kept per series when
// [WithCapacity] is not given: an hour at a 5 s tick, three hours at 15 s.
const DefaultCapacity = 720

// DefaultMaxSeries is the number of series a [Store] holds when
// [WithMaxSeries] is not given.
const DefaultMaxSeries = 10000

var (
	// ErrSeriesLimit is returned by [Store.Append] when a new series would
	// take the store past its series cap; existing series keep working.
	ErrSeriesLimit = errors.New("timeseries: series limit reached")
	// ErrOutOfOrder is returned by [Store.Append] for a sample older than the
	// newest sample of its series.
	ErrOutOfOrder = errors.New("timeseries: sample out of order")
	// ErrInvalidLabels is returned for a label set with a name given twice
	// and for malformed label input.
	ErrInvalidLabels = errors.New("timeseries: invalid labels")
)

// config is what the options set; see [New].
type config struct {
	capacity  int
	maxSeries int
	evict     bool
}

// Option configures a [Store]; see [New].
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithCapacity sets how many of the newest samples each series keeps; older
// ones are overwritten. Default [DefaultCapacity]. Memory per series grows
// with use up to 16 bytes per sample. Values below 1 are rejected by [New]
// with an error.
func WithCapacity(n int) Option { return optionFunc(func(c *config) { c.capacity = n }) }

// WithMaxSeries caps the number of series in the store. Default
// [DefaultMaxSeries]. At the cap, appending to a new series returns
// [ErrSeriesLimit] unless [WithEvictOldest] is given. Values below 1 are
// rejected by [New] with an error.
func WithMaxSeries(n int) Option { return optionFunc(func(c *config) { c.maxSeries = n }) }

// WithEvictOldest makes a new series at the series cap replace the series
// whose newest sample is the oldest, instead of failing with
// [ErrSeriesLimit]. Finding that series scans the whole store, so eviction
// costs time linear in the series count; the default, off, keeps the
// first-come series and refuses new ones.
func WithEvictOldest() Option { return optionFunc(func(c *config) { c.evict = true }) }

func newConfig(opts []Option) (config, error) {
	c := config{capacity: DefaultCapacity, maxSeries: DefaultMaxSeries}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if c.capacity < 1 {
		return c, fmt.Errorf("timeseries: capacity %d is below 1", c.capacity)
	}
	if c.maxSeries < 1 {
		return c, fmt.Errorf("timeseries: series limit %d is below 1", c.maxSeries)
	}
	return c, nil
}
