package timeseries

import (
	"slices"
	"sort"
	"sync"
	"sync/atomic"
)

// Sample is one observation: a Unix timestamp in milliseconds and a value.
type Sample struct {
	T int64
	V float64
}

// series is one stored series: identity plus a ring of its newest samples.
type series struct {
	name   string
	labels Labels // canonical, never modified after creation
	hash   uint64
	pos    int // index in its family's list; guarded by the Store's mu

	// last is the newest timestamp, kept apart from the ring so that
	// DropIdle and eviction can scan every series without taking its lock.
	last atomic.Int64

	mu   sync.Mutex
	buf  []Sample // guarded by mu; grows up to cap, then wraps
	head int      // guarded by mu; index of the oldest sample once full
	max  int      // capacity, fixed
}

func newSeries(name string, ls Labels, h uint64, capacity int) *series {
	return &series{name: name, labels: ls, hash: h, max: capacity}
}

// appendSample adds x after the newest sample. A sample at the newest
// timestamp replaces its value; an older one is refused.
func (s *series) appendSample(x Sample) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.buf); n > 0 {
		last := s.at(n - 1)
		switch {
		case x.T < last.T:
			return ErrOutOfOrder
		case x.T == last.T:
			s.buf[s.index(n-1)].V = x.V
			return nil
		}
	}
	s.last.Store(x.T)
	if len(s.buf) < s.max {
		s.grow()
		s.buf = append(s.buf, x)
		return nil
	}
	s.buf[s.head] = x
	s.head++
	if s.head == len(s.buf) {
		s.head = 0
	}
	return nil
}

// grow makes room for one more sample, doubling the buffer but never
// past max, so a series with few samples stays small.
func (s *series) grow() {
	if len(s.buf) < cap(s.buf) {
		return
	}
	n := min(max(2*cap(s.buf), 8), s.max)
	b := make([]Sample, len(s.buf), n)
	copy(b, s.buf)
	s.buf = b
}

// index maps a logical position (0 is the oldest) to a buffer index.
func (s *series) index(i int) int {
	i += s.head
	if i >= len(s.buf) {
		i -= len(s.buf)
	}
	return i
}

func (s *series) at(i int) Sample { return s.buf[s.index(i)] }

// copyRange appends the samples with from <= T <= to to dst, oldest first.
func (s *series) copyRange(dst []Sample, from, to int64) []Sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.buf)
	lo := sort.Search(n, func(i int) bool { return s.at(i).T >= from })
	hi := sort.Search(n, func(i int) bool { return s.at(i).T > to })
	if hi <= lo {
		return dst
	}
	dst = slices.Grow(dst, hi-lo)
	for i := lo; i < hi; i++ {
		dst = append(dst, s.at(i))
	}
	return dst
}
