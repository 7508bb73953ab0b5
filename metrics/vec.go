package metrics

import (
	"slices"
	"sync"
	"sync/atomic"
)

// OverflowValue is the value of every label of the overflow series: the
// series that takes the samples of new label sets once a metric has
// reached its series limit ([WithSeriesLimit]). A With call whose values
// are all OverflowValue returns that series too, so no second series
// carries its labels.
const OverflowValue = "__overflow__"

// series is what every instrument does for the collector.
type series interface {
	// write appends the series' samples to w.
	write(w *pointWriter)
	// fingerprint changes whenever the series is written to (barring
	// exotic coincidences); expiry compares it between checks.
	fingerprint() uint64
}

type seriesPtr[S any] interface {
	*S
	series
}

// vec holds the series of one metric, found by their label values.
type vec[S any, P seriesPtr[S]] struct {
	fam     *family
	newS    func() *S
	tab     atomic.Pointer[table[S]]
	discard *S // returned for a call with the wrong number of values

	mu   sync.Mutex // guards table writes, over and the entries' fp and changed
	over *entry[S]  // the overflow series, once needed
}

func newVec[S any, P seriesPtr[S]](f *family, newS func() *S) *vec[S, P] {
	v := &vec[S, P]{fam: f, newS: newS, discard: newS()}
	v.tab.Store(newTable[S](1))
	return v
}

// with returns the series of values, creating it on first use. Found
// series cost no lock and no allocation.
func (v *vec[S, P]) with(values []string) *S {
	if len(values) != len(v.fam.desc.Labels) {
		v.fam.stats.rejected.Add(1)
		return v.discard
	}
	h := hashValues(values)
	if s := v.tab.Load().get(h, values); s != nil {
		return s
	}
	return v.add(h, values)
}

func (v *vec[S, P]) add(h uint64, values []string) *S {
	if !validValues(values) {
		v.fam.stats.rejected.Add(1)
		return v.discard
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	t := v.tab.Load()
	if s := t.get(h, values); s != nil {
		return s
	}
	if limit := v.fam.limit; limit > 0 && t.n >= limit && len(values) > 0 {
		v.fam.stats.overflowed.Add(1)
		return v.overflow()
	}
	if len(values) > 0 && !slices.ContainsFunc(values, func(s string) bool { return s != OverflowValue }) {
		return v.overflow() // the same labels: one series, not two
	}
	e := &entry[S]{hash: h, values: cloneValues(values), s: v.newS()}
	if t.full() {
		t = t.rebuilt(t.n+1, func(*entry[S]) bool { return true })
	}
	t.put(e)
	v.tab.Store(t)
	return e.s
}

// overflow returns the overflow series; v.mu is held.
func (v *vec[S, P]) overflow() *S {
	if v.over == nil {
		values := make([]string, len(v.fam.desc.Labels))
		for i := range values {
			values[i] = OverflowValue
		}
		v.over = &entry[S]{values: values, s: v.newS()}
	}
	return v.over.s
}

// collect appends the samples of every series to w, ordered by label
// values so exports and expositions read the same way each time.
func (v *vec[S, P]) collect(w *pointWriter) {
	var es []*entry[S]
	v.tab.Load().each(func(e *entry[S]) { es = append(es, e) })
	slices.SortFunc(es, func(a, b *entry[S]) int { return slices.Compare(a.values, b.values) })
	for _, e := range es {
		w.values = e.values
		P(e.s).write(w)
	}
	v.mu.Lock()
	over := v.over
	v.mu.Unlock()
	if over != nil {
		w.values = over.values
		P(over.s).write(w)
	}
}

// expire removes the series that have not changed since idle before now
// (both in nanoseconds), as seen at the checks so far, and returns how many
// it removed. The overflow series stays.
func (v *vec[S, P]) expire(now, idle int64) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	t := v.tab.Load()
	removed := 0
	t.each(func(e *entry[S]) {
		fp := P(e.s).fingerprint()
		if fp != e.fp || e.changed == 0 {
			e.fp, e.changed = fp, now
			return
		}
		if now-e.changed >= idle {
			removed++
		}
	})
	if removed > 0 {
		v.tab.Store(t.rebuilt(0, func(e *entry[S]) bool { return now-e.changed < idle }))
	}
	return removed
}

// count returns the number of series, the overflow series included.
func (v *vec[S, P]) count() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	n := v.tab.Load().n
	if v.over != nil {
		n++
	}
	return n
}

// distinct returns, per label, how many distinct values the series have.
func (v *vec[S, P]) distinct() []int {
	sets := make([]map[string]struct{}, len(v.fam.desc.Labels))
	for i := range sets {
		sets[i] = map[string]struct{}{}
	}
	v.tab.Load().each(func(e *entry[S]) {
		for i, val := range e.values {
			sets[i][val] = struct{}{}
		}
	})
	out := make([]int, len(sets))
	for i, s := range sets {
		out[i] = len(s)
	}
	return out
}
