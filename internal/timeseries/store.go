package timeseries

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"
)

// Series is a copy of one stored series, or of the part of it that a query
// selected. The caller owns every slice in it.
type Series struct {
	Name    string
	Labels  Labels
	Samples []Sample // oldest first
}

// Store keeps the newest samples of every series in memory; see the
// package documentation. The zero value is not usable: call [New]. All
// methods are safe for concurrent use.
type Store struct {
	cfg config

	mu       sync.RWMutex
	families map[string]*family // guarded by mu; by metric name
	count    int                // guarded by mu; series in all families
}

// family holds the series of one metric name, by hash of name and labels;
// a bucket holds more than one series only on a hash collision.
type family struct {
	bySig map[uint64][]*series
}

// errEmptyName is returned by Append for an empty metric name, which
// Select reserves for "every name".
var errEmptyName = errors.New("timeseries: empty metric name")

// New returns an empty [Store]. It fails only on an invalid option.
func New(opts ...Option) (*Store, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return &Store{cfg: c, families: make(map[string]*family)}, nil
}

// Append adds the sample (t, v) to the series name{labels}, creating the
// series if needed. t is a Unix timestamp in milliseconds. labels need not
// be sorted (a sorted set avoids a copy) and are not retained: the store
// keeps its own copy. A sample older than the series' newest is refused
// with [ErrOutOfOrder]; one at the same timestamp replaces that value. A
// new series past the cap fails with [ErrSeriesLimit] unless
// [WithEvictOldest] is set. NaN and infinite values are stored as given;
// the window functions skip them.
func (st *Store) Append(name string, labels Labels, t int64, v float64) error {
	if name == "" {
		return errEmptyName
	}
	ls, err := canonical(labels)
	if err != nil {
		return err
	}
	h := hashSeries(name, ls)
	x := Sample{T: t, V: v}
	st.mu.RLock()
	s := st.lookup(name, ls, h)
	if s != nil {
		// The read lock is held while appending so that DropIdle cannot
		// remove the series between the lookup and the write.
		err = s.appendSample(x)
		st.mu.RUnlock()
		return err
	}
	st.mu.RUnlock()
	return st.create(name, ls, h, x)
}

// lookup finds a series; the caller holds mu.
func (st *Store) lookup(name string, ls Labels, h uint64) *series {
	f := st.families[name]
	if f == nil {
		return nil
	}
	for _, s := range f.bySig[h] {
		if s.labels.equal(ls) {
			return s
		}
	}
	return nil
}

// create adds a series under the write lock, unless another Append made it
// first, and appends x to it.
func (st *Store) create(name string, ls Labels, h uint64, x Sample) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if s := st.lookup(name, ls, h); s != nil {
		return s.appendSample(x)
	}
	if st.count >= st.cfg.maxSeries {
		if !st.cfg.evict {
			return ErrSeriesLimit
		}
		st.remove(st.oldest())
	}
	f := st.families[name]
	if f == nil {
		f = &family{bySig: make(map[uint64][]*series)}
		st.families[name] = f
	}
	s := newSeries(name, slices.Clone(ls), h, st.cfg.capacity)
	f.bySig[h] = append(f.bySig[h], s)
	st.count++
	return s.appendSample(x)
}

// oldest returns the series whose newest sample is the oldest; the caller
// holds mu and the store is not empty.
func (st *Store) oldest() *series {
	var old *series
	var oldT int64
	st.each("", func(s *series) {
		t, _ := s.lastT()
		if old == nil || t < oldT {
			old, oldT = s, t
		}
	})
	return old
}

// remove deletes s; the caller holds mu for writing.
func (st *Store) remove(s *series) {
	f := st.families[s.name]
	b := slices.DeleteFunc(f.bySig[s.hash], func(o *series) bool { return o == s })
	if len(b) == 0 {
		delete(f.bySig, s.hash)
	} else {
		f.bySig[s.hash] = b
	}
	if len(f.bySig) == 0 {
		delete(st.families, s.name)
	}
	st.count--
}

// each calls fn for every series of the metric name, or of every name if
// name is ""; the caller holds mu.
func (st *Store) each(name string, fn func(*series)) {
	visit := func(f *family) {
		for _, b := range f.bySig {
			for _, s := range b {
				fn(s)
			}
		}
	}
	if name != "" {
		if f := st.families[name]; f != nil {
			visit(f)
		}
		return
	}
	for _, f := range st.families {
		visit(f)
	}
}

// Select returns copies of the samples with from <= T <= to (milliseconds,
// both ends included) of every series called name whose labels satisfy all
// matchers; name "" selects every metric name. Series without a sample in
// the range are left out. The result is sorted by name, then labels.
func (st *Store) Select(name string, from, to int64, ms ...Matcher) []Series {
	var out []Series
	st.mu.RLock()
	st.each(name, func(s *series) {
		if !matchAll(s.labels, ms) {
			return
		}
		if smp := s.copyRange(nil, from, to); len(smp) > 0 {
			out = append(out, Series{Name: s.name, Labels: slices.Clone(s.labels), Samples: smp})
		}
	})
	st.mu.RUnlock()
	slices.SortFunc(out, compareSeries)
	return out
}

func matchAll(ls Labels, ms []Matcher) bool {
	for _, m := range ms {
		if !m.Matches(ls) {
			return false
		}
	}
	return true
}

func compareSeries(a, b Series) int {
	if c := strings.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	return slices.CompareFunc(a.Labels, b.Labels, func(x, y Label) int {
		return cmp.Or(strings.Compare(x.Name, y.Name), strings.Compare(x.Value, y.Value))
	})
}

// Len returns the number of series in the store.
func (st *Store) Len() int {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.count
}

// DropIdle removes every series whose newest sample is older than before
// (Unix milliseconds) and returns how many it removed.
func (st *Store) DropIdle(before int64) int {
	st.mu.Lock()
	defer st.mu.Unlock()
	var idle []*series
	st.each("", func(s *series) {
		if t, _ := s.lastT(); t < before {
			idle = append(idle, s)
		}
	})
	for _, s := range idle {
		st.remove(s)
	}
	return len(idle)
}

// Point is the result of a window function for one series.
type Point struct {
	Name   string
	Labels Labels
	V      float64
}

// Eval applies f to the window (end-d, end] of every series Select would
// pick by name and matchers, and returns one [Point] per series for which f
// has a result, in Select's order. end is in Unix milliseconds; d is
// truncated to whole milliseconds.
func (st *Store) Eval(f WindowFunc, name string, end int64, d time.Duration, ms ...Matcher) []Point {
	var out []Point
	for _, s := range st.Select(name, end-d.Milliseconds()+1, end, ms...) {
		if v, ok := f(s.Samples); ok {
			out = append(out, Point{Name: s.Name, Labels: s.Labels, V: v})
		}
	}
	return out
}
