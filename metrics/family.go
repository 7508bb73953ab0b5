package metrics

import (
	"math"
	"slices"
	"strconv"
	"sync/atomic"
)

// kind is the type of a metric, as OpenObserve's __type__ names it.
type kind uint8

// The metric kinds.
const (
	kindCounter kind = iota + 1
	kindGauge
	kindHistogram
	kindSummary
)

// String returns the kind as OpenObserve's __type__ spells it.
func (k kind) String() string {
	switch k {
	case kindCounter:
		return "counter"
	case kindGauge:
		return "gauge"
	case kindHistogram:
		return "histogram"
	case kindSummary:
		return "summary"
	}
	return "untyped"
}

// collector is what the registry needs of a vector, whatever its series.
type collector interface {
	collect(w *pointWriter)
	expire(now, idle int64) int
	count() int
	distinct() []int
}

// family is one registered metric.
type family struct {
	desc      Desc // Name is the full name, unit included
	kind      kind
	buckets   []float64 // histogram upper bounds, +Inf left out
	les       []string  // the buckets' le values, "+Inf" last
	quantiles []float64 // summary quantiles
	qs        []string  // their quantile label values
	pinned    bool      // a metric without labels: never expires
	limit     int       // series limit, 0 for none
	stats     *stats
	c         collector

	bucketName, sumName, countName string
}

func newFamily(d Desc, k kind, s *stats, limit int) *family {
	f := &family{desc: d, kind: k, stats: s, limit: limit, pinned: len(d.Labels) == 0}
	f.bucketName, f.sumName, f.countName = d.Name+"_bucket", d.Name+"_sum", d.Name+"_count"
	return f
}

// names returns every sample name the family writes.
func (f *family) names() []string {
	switch f.kind {
	case kindHistogram:
		return []string{f.desc.Name, f.bucketName, f.sumName, f.countName}
	case kindSummary:
		return []string{f.desc.Name, f.sumName, f.countName}
	}
	return []string{f.desc.Name}
}

// same reports whether g defines the same metric as f.
func (f *family) same(g *family) bool {
	return f.kind == g.kind && f.desc.Help == g.desc.Help && f.desc.Unit == g.desc.Unit &&
		slices.Equal(f.desc.Labels, g.desc.Labels) && slices.Equal(f.buckets, g.buckets) &&
		slices.Equal(f.quantiles, g.quantiles)
}

// stats are the registry's counters.
type stats struct {
	rejected   atomic.Uint64
	overflowed atomic.Uint64
	expired    atomic.Uint64
	exports    atomic.Uint64
	samples    atomic.Uint64
	dropped    atomic.Uint64
	windowRej  atomic.Uint64
}

// point is one sample of one series at collection time.
type point struct {
	fam        *family
	name       string   // sample name: the metric's, or with _bucket, _sum, _count
	values     []string // label values, in the order of fam.desc.Labels
	extra      string   // "le" or "quantile", or empty
	extraValue string
	value      float64
}

// pointWriter gathers points; values are the label values of the series
// being written.
type pointWriter struct {
	pts    []point
	fam    *family
	values []string
}

func (w *pointWriter) add(name string, v float64) {
	w.pts = append(w.pts, point{fam: w.fam, name: name, values: w.values, value: v})
}

func (w *pointWriter) addExtra(name, extra, extraValue string, v float64) {
	w.pts = append(w.pts, point{fam: w.fam, name: name, values: w.values, extra: extra, extraValue: extraValue, value: v})
}

// formatFloat writes v as Prometheus does: shortest form, NaN, +Inf, -Inf.
func formatFloat(v float64) string {
	return string(appendFloat(nil, v))
}

func appendFloat(dst []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(dst, "NaN"...)
	case math.IsInf(v, 1):
		return append(dst, "+Inf"...)
	case math.IsInf(v, -1):
		return append(dst, "-Inf"...)
	}
	return strconv.AppendFloat(dst, v, 'g', -1, 64)
}

// addFloat adds v to the float64 whose bits are in u.
func addFloat(u *atomic.Uint64, v float64) {
	for {
		old := u.Load()
		next := math.Float64bits(math.Float64frombits(old) + v)
		if u.CompareAndSwap(old, next) {
			return
		}
	}
}
