package metrics

import (
	"math"
	"sync/atomic"
)

// Counter is a value that only goes up, such as requests served. Its
// methods are safe for concurrent use, take no lock and allocate nothing.
//
// Add rejects a negative, NaN or infinite delta: the counter is left
// unchanged and the call is counted in [Stats].Rejected.
type Counter struct {
	whole atomic.Uint64 // the sum of whole increments
	frac  atomic.Uint64 // float64 bits of the sum of fractional ones
	stats *stats
}

func newCounter(s *stats) *Counter { return &Counter{stats: s} }

// Inc adds one.
func (c *Counter) Inc() { c.whole.Add(1) }

// Add adds v, which must be a finite number of at least zero.
func (c *Counter) Add(v float64) {
	if !(v >= 0) || v > math.MaxFloat64 {
		c.stats.rejected.Add(1)
		return
	}
	if v < 1<<63 {
		if u := uint64(v); float64(u) == v {
			c.whole.Add(u)
			return
		}
	}
	addFloat(&c.frac, v)
}

// Value returns the current count.
func (c *Counter) Value() float64 {
	return float64(c.whole.Load()) + math.Float64frombits(c.frac.Load())
}

func (c *Counter) write(w *pointWriter) { w.add(w.fam.desc.Name, c.Value()) }

func (c *Counter) fingerprint() uint64 { return c.whole.Load() ^ c.frac.Load()<<1 }

// CounterVec is a counter per label set. With finds a series without a
// lock or an allocation once it exists.
type CounterVec struct{ v *vec[Counter, *Counter] }

// With returns the counter of the given label values, one per label name
// of the [Desc], in order. A call with the wrong number of values, or with
// values that are not valid UTF-8, returns a counter that is not exported
// and counts the call in [Stats].Rejected. Past the series limit, new
// label sets share the overflow series (every value [OverflowValue]).
func (cv *CounterVec) With(values ...string) *Counter { return cv.v.with(values) }

// Counter registers (or returns the already registered) counter d, which
// has no labels.
func (r *Registry) Counter(d Desc) (*Counter, error) {
	cv, err := r.counterVec(d, false)
	if err != nil {
		return nil, err
	}
	return cv.With(), nil
}

// CounterVec registers (or returns the already registered) counter vector
// d.
func (r *Registry) CounterVec(d Desc) (*CounterVec, error) { return r.counterVec(d, true) }

func (r *Registry) counterVec(d Desc, labels bool) (*CounterVec, error) {
	f, err := r.family(d, kindCounter, labels, nil, nil, func(f *family) collector {
		return newVec[Counter](f, func() *Counter { return newCounter(f.stats) })
	})
	if err != nil {
		return nil, err
	}
	return &CounterVec{v: f.c.(*vec[Counter, *Counter])}, nil
}
