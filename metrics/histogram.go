package metrics

import (
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"time"
)

// DefaultBuckets are the upper bounds used when a histogram is registered
// without any: Prometheus' defaults, for latencies in seconds from 5 ms to
// 10 s.
var DefaultBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// LinearBuckets returns n upper bounds starting at start, width apart;
// none when n < 1, which registers [DefaultBuckets].
func LinearBuckets(start, width float64, n int) []float64 {
	out := make([]float64, max(n, 0))
	for i := range out {
		out[i] = start + float64(i)*width
	}
	return out
}

// ExponentialBuckets returns n upper bounds starting at start, each factor
// times the one before; none when n < 1, which registers
// [DefaultBuckets]. Bounds that do not increase (factor ≤ 1, start ≤ 0)
// are refused when the histogram is registered.
func ExponentialBuckets(start, factor float64, n int) []float64 {
	out := make([]float64, max(n, 0))
	for i := range out {
		out[i] = start
		start *= factor
	}
	return out
}

// Histogram counts observations, such as request durations, in buckets
// with fixed upper bounds, and keeps their count and sum. Observe is safe
// for concurrent use, takes no lock and allocates nothing. It rejects NaN
// (counted in [Stats].Rejected); infinities land in the first bucket that
// holds them and make the sum infinite, which the export clamps. A
// collection reads the buckets and then the sum without stopping
// observers, so while Observe calls run the sum may count an observation
// the buckets do not, or the other way round; the exported _count is
// always the +Inf bucket.
// (client_golang's hot/cold swap avoids that at a cost on every Observe.)
type Histogram struct {
	upper  []float64       // shared by the metric's series
	counts []atomic.Uint64 // per bucket, not cumulative; the last is +Inf
	sum    atomic.Uint64   // float64 bits
	stats  *stats
}

func newHistogram(upper []float64, s *stats) *Histogram {
	return &Histogram{upper: upper, counts: make([]atomic.Uint64, len(upper)+1), stats: s}
}

// Observe adds one observation of v.
func (h *Histogram) Observe(v float64) {
	if v != v {
		h.stats.rejected.Add(1)
		return
	}
	h.counts[h.bucket(v)].Add(1)
	addFloat(&h.sum, v)
}

// ObserveSince observes the seconds elapsed since start.
func (h *Histogram) ObserveSince(start time.Time) { h.Observe(time.Since(start).Seconds()) }

// bucket returns the index of the first bucket whose bound is at least v.
func (h *Histogram) bucket(v float64) int {
	u := h.upper
	if len(u) <= 16 {
		for i, b := range u {
			if v <= b {
				return i
			}
		}
		return len(u)
	}
	lo, hi := 0, len(u)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if u[m] < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// Count returns the number of observations.
func (h *Histogram) Count() uint64 {
	var n uint64
	for i := range h.counts {
		n += h.counts[i].Load()
	}
	return n
}

// Sum returns the sum of the observations.
func (h *Histogram) Sum() float64 { return math.Float64frombits(h.sum.Load()) }

func (h *Histogram) write(w *pointWriter) {
	f := w.fam
	var cum uint64
	for i := range h.counts {
		cum += h.counts[i].Load()
		w.addExtra(f.bucketName, "le", f.les[i], float64(cum))
	}
	w.add(f.sumName, h.Sum())
	w.add(f.countName, float64(cum))
}

func (h *Histogram) fingerprint() uint64 { return h.Count() ^ h.sum.Load()<<1 }

// HistogramVec is a histogram per label set.
type HistogramVec struct{ v *vec[Histogram, *Histogram] }

// With returns the histogram of the given label values; see
// [CounterVec.With].
func (hv *HistogramVec) With(values ...string) *Histogram { return hv.v.with(values) }

// Histogram registers (or returns the already registered) histogram d,
// which has no labels. No buckets means [DefaultBuckets]. Bounds must be
// finite and strictly increasing; a last +Inf is implied and may be left
// out.
func (r *Registry) Histogram(d Desc, buckets ...float64) (*Histogram, error) {
	hv, err := r.histogramVec(d, false, buckets)
	if err != nil {
		return nil, err
	}
	return hv.With(), nil
}

// HistogramVec registers (or returns the already registered) histogram
// vector d; buckets are as for [Registry.Histogram].
func (r *Registry) HistogramVec(d Desc, buckets ...float64) (*HistogramVec, error) {
	return r.histogramVec(d, true, buckets)
}

func (r *Registry) histogramVec(d Desc, labels bool, buckets []float64) (*HistogramVec, error) {
	upper, err := checkBuckets(buckets)
	if err != nil {
		return nil, fmt.Errorf("metrics: histogram %q: %w", d.fullName(), err)
	}
	f, err := r.family(d, kindHistogram, labels, upper, nil, func(f *family) collector {
		return newVec[Histogram](f, func() *Histogram { return newHistogram(f.buckets, f.stats) })
	})
	if err != nil {
		return nil, err
	}
	return &HistogramVec{v: f.c.(*vec[Histogram, *Histogram])}, nil
}

func checkBuckets(b []float64) ([]float64, error) {
	if len(b) == 0 {
		b = DefaultBuckets
	}
	if math.IsInf(b[len(b)-1], 1) {
		b = b[:len(b)-1]
	}
	for i, v := range b {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errors.New("bucket bounds must be finite")
		}
		if i > 0 && v <= b[i-1] {
			return nil, errors.New("bucket bounds must increase")
		}
	}
	return append([]float64(nil), b...), nil
}
