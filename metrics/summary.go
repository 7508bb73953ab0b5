package metrics

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// DefaultQuantiles are the quantiles a summary reports when registered
// without any.
var DefaultQuantiles = []float64{0.5, 0.9, 0.99}

const (
	ageBuckets  = 5   // the window slides in this many steps
	reservoirSz = 256 // observations kept per step; more are sampled
)

// Summary reports quantiles of its observations over a sliding window
// ([WithSummaryWindow], default 10 minutes), plus the count and sum of all
// observations. Observe is safe for concurrent use; it takes a short lock,
// and keeps at most 1280 observations whatever the rate (uniform
// reservoir samples per fifth of the window). NaN is rejected (counted in
// [Stats].Rejected).
type Summary struct {
	quantiles []float64
	now       func() time.Time
	span      time.Duration // one age bucket
	stats     *stats

	mu        sync.Mutex // guards the fields below
	buckets   [ageBuckets]reservoir
	head      int       // the bucket being filled
	headStart time.Time // when it started
	count     uint64
	sum       float64
	rng       uint64 // xorshift state for reservoir sampling
}

// reservoir is a uniform sample of the observations of one age bucket.
type reservoir struct {
	vals []float64
	seen uint64
}

func newSummary(q []float64, window time.Duration, now func() time.Time, s *stats) *Summary {
	return &Summary{quantiles: q, now: now, span: window / ageBuckets, stats: s, headStart: now(), rng: 0x9e3779b97f4a7c15}
}

// Observe adds one observation of v.
func (s *Summary) Observe(v float64) {
	if v != v {
		s.stats.rejected.Add(1)
		return
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rotate(now)
	s.count++
	s.sum += v
	r := &s.buckets[s.head]
	r.seen++
	if len(r.vals) < reservoirSz {
		r.vals = append(r.vals, v)
		return
	}
	if j := s.rand() % r.seen; j < reservoirSz {
		r.vals[j] = v
	}
}

// ObserveSince observes the seconds elapsed since start.
func (s *Summary) ObserveSince(start time.Time) { s.Observe(s.now().Sub(start).Seconds()) }

func (s *Summary) rand() uint64 {
	s.rng ^= s.rng << 13
	s.rng ^= s.rng >> 7
	s.rng ^= s.rng << 17
	return s.rng
}

// rotate drops the age buckets that have slid out of the window; s.mu is
// held.
func (s *Summary) rotate(now time.Time) {
	for i := 0; now.Sub(s.headStart) >= s.span; i++ {
		if i >= ageBuckets {
			s.headStart = now
			break
		}
		s.head = (s.head + 1) % ageBuckets
		s.buckets[s.head].vals = s.buckets[s.head].vals[:0]
		s.buckets[s.head].seen = 0
		s.headStart = s.headStart.Add(s.span)
	}
}

// Quantile returns the q-quantile (0 ≤ q ≤ 1) of the observations in the
// window, or NaN when there are none.
func (s *Summary) Quantile(q float64) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rotate(s.now())
	return quantileOf(s.window(), q)
}

// window returns the sorted observations of the window; s.mu is held.
func (s *Summary) window() []float64 {
	var all []float64
	for i := range s.buckets {
		all = append(all, s.buckets[i].vals...)
	}
	slices.Sort(all)
	return all
}

// quantileOf interpolates the q-quantile of sorted values.
func quantileOf(sorted []float64, q float64) float64 {
	if len(sorted) == 0 || q != q {
		return math.NaN()
	}
	q = min(max(q, 0), 1)
	pos := q * float64(len(sorted)-1)
	i := int(pos)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (pos-float64(i))*(sorted[i+1]-sorted[i])
}

// Count returns the number of observations since the summary was created.
func (s *Summary) Count() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// Sum returns the sum of all observations.
func (s *Summary) Sum() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sum
}

func (s *Summary) write(w *pointWriter) {
	f := w.fam
	s.mu.Lock()
	s.rotate(s.now())
	win := s.window()
	count, sum := s.count, s.sum
	s.mu.Unlock()
	for i, q := range f.quantiles {
		w.addExtra(f.desc.Name, "quantile", f.qs[i], quantileOf(win, q))
	}
	w.add(f.sumName, sum)
	w.add(f.countName, float64(count))
}

func (s *Summary) fingerprint() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// SummaryVec is a summary per label set.
type SummaryVec struct{ v *vec[Summary, *Summary] }

// With returns the summary of the given label values; see
// [CounterVec.With].
func (sv *SummaryVec) With(values ...string) *Summary { return sv.v.with(values) }

// Summary registers (or returns the already registered) summary d, which
// has no labels, reporting the given quantiles (each in [0, 1]); none
// means [DefaultQuantiles].
func (r *Registry) Summary(d Desc, quantiles ...float64) (*Summary, error) {
	sv, err := r.summaryVec(d, false, quantiles)
	if err != nil {
		return nil, err
	}
	return sv.With(), nil
}

// SummaryVec registers (or returns the already registered) summary vector
// d; quantiles are as for [Registry.Summary].
func (r *Registry) SummaryVec(d Desc, quantiles ...float64) (*SummaryVec, error) {
	return r.summaryVec(d, true, quantiles)
}

func (r *Registry) summaryVec(d Desc, labels bool, quantiles []float64) (*SummaryVec, error) {
	if len(quantiles) == 0 {
		quantiles = DefaultQuantiles
	}
	for _, q := range quantiles {
		if !(q >= 0 && q <= 1) {
			return nil, fmt.Errorf("metrics: summary %q: %w", d.fullName(), errors.New("quantiles must be within [0, 1]"))
		}
	}
	q := slices.Clone(quantiles)
	f, err := r.family(d, kindSummary, labels, nil, q, func(f *family) collector {
		return newVec[Summary](f, func() *Summary { return newSummary(f.quantiles, r.cfg.summaryWindow, r.cfg.now, f.stats) })
	})
	if err != nil {
		return nil, err
	}
	return &SummaryVec{v: f.c.(*vec[Summary, *Summary])}, nil
}
