package timeseries

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Series is a copy of one stored series, or of the part of it that a query
// selected. The caller owns every slice in it.
type Series struct {
	Name    string
	Labels  Labels
	Samples []Sample // oldest first
}

// Select returns copies of the samples with from <= T <= to (milliseconds,
// both ends included) of every series called name whose labels satisfy all
// matchers; name "" selects every metric name. Series without a sample in
// the range are left out. The result is sorted by name, then labels.
// Matchers run under the store's read lock and must not call the Store.
func (st *Store) Select(name string, from, to int64, ms ...Matcher) []Series {
	var (
		out  []Series
		copy labelCopier
	)
	for _, s := range st.matching(name, ms) {
		if smp := s.copyRange(nil, from, to); len(smp) > 0 {
			out = append(out, Series{Name: s.name, Labels: copy.clone(s.labels), Samples: smp})
		}
	}
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

// compareLabelSets orders label sets by name, then value, label by label.
func compareLabelSets(a, b Labels) int {
	return slices.CompareFunc(a, b, func(x, y Label) int {
		return cmp.Or(strings.Compare(x.Name, y.Name), strings.Compare(x.Value, y.Value))
	})
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
// truncated to whole milliseconds. Each window is copied out under its
// series' lock into a buffer reused across series, so f runs without any
// store lock held and must not keep the slice it is given.
func (st *Store) Eval(f WindowFunc, name string, end int64, d time.Duration, ms ...Matcher) []Point {
	from := end - d.Milliseconds() + 1
	if d.Milliseconds() > 0 && from > end {
		from = math.MinInt64 // the window reaches past the oldest time
	}
	var (
		out  []Point
		buf  []Sample
		copy labelCopier
	)
	for _, s := range st.matching(name, ms) {
		if buf = s.copyRange(buf[:0], from, end); len(buf) == 0 {
			continue
		}
		if v, ok := f(buf); ok {
			out = append(out, Point{Name: s.name, Labels: copy.clone(s.labels), V: v})
		}
	}
	return out
}

// matching returns the series called name (any if "") that satisfy ms,
// sorted by name and labels. Each family's sorted order is kept between
// calls, so steady-state queries sort nothing, except when an [Equal]
// matcher picks few enough series through the label index: then only
// those are tested and sorted.
func (st *Store) matching(name string, ms []Matcher) []*series {
	var out []*series
	st.mu.RLock()
	defer st.mu.RUnlock()
	for _, f := range st.familiesNamed(name) {
		if cands, ok := f.indexed(ms); ok {
			start := len(out)
			for _, s := range cands {
				if matchAll(s.labels, ms) {
					out = append(out, s)
				}
			}
			slices.SortFunc(out[start:], func(a, b *series) int { return compareLabelSets(a.labels, b.labels) })
			continue
		}
		for _, s := range f.sortedList() {
			if matchAll(s.labels, ms) {
				out = append(out, s)
			}
		}
	}
	return out
}

// familiesNamed returns the family called name, or every family sorted by
// name if name is ""; the caller holds mu.
func (st *Store) familiesNamed(name string) []*family {
	if name != "" {
		if f := st.families[name]; f != nil {
			return []*family{f}
		}
		return nil
	}
	names := slices.Sorted(maps.Keys(st.families))
	out := make([]*family, len(names))
	for i, n := range names {
		out[i] = st.families[n]
	}
	return out
}

// labelCopier clones label sets into shared chunks that double in size up
// to 1024 labels, so a result of many series costs a few allocations
// rather than one per series, and a result of one series no more than a
// plain clone. Each clone is capped at its length: appending to it
// reallocates instead of overwriting the next clone.
type labelCopier struct{ buf []Label }

func (c *labelCopier) clone(ls Labels) Labels {
	if cap(c.buf)-len(c.buf) < len(ls) {
		c.buf = make([]Label, 0, max(min(2*cap(c.buf), 1024), len(ls)))
	}
	start := len(c.buf)
	c.buf = append(c.buf, ls...)
	return c.buf[start:len(c.buf):len(c.buf)]
}

// Matcher selects series by their labels. Implementations must be safe for
// concurrent use and must not keep or modify the Labels they are given.
type Matcher interface {
	// Matches reports whether a series with these labels is selected.
	Matches(Labels) bool
}

// MatcherFunc adapts a function to [Matcher].
type MatcherFunc func(Labels) bool

// Matches calls f(ls).
func (f MatcherFunc) Matches(ls Labels) bool { return f(ls) }

// Equal matches series whose label name has exactly value; a missing label
// counts as "", as in Prometheus, so Equal("env", "") matches series without
// an env label. Selections find the series of an Equal with a value other
// than "" through the store's label index instead of testing every series.
func Equal(name, value string) Matcher { return equalMatcher{name: name, value: value} }

// NotEqual matches series whose label name is not value.
func NotEqual(name, value string) Matcher {
	return MatcherFunc(func(ls Labels) bool { return ls.Get(name) != value })
}

// Regexp matches series whose label name matches expr (RE2 syntax) in
// full: as in Prometheus the expression is anchored at both ends and "."
// matches a newline too. A missing label counts as "". An invalid
// expression is an error.
func Regexp(name, expr string) (Matcher, error) {
	re, err := regexp.Compile("^(?s:" + expr + ")$")
	if err != nil {
		return nil, fmt.Errorf("timeseries: label matcher %s: %w", name, err)
	}
	return MatcherFunc(func(ls Labels) bool { return re.MatchString(ls.Get(name)) }), nil
}

// NotRegexp matches series whose label name does not match expr in full.
func NotRegexp(name, expr string) (Matcher, error) {
	m, err := Regexp(name, expr)
	if err != nil {
		return nil, err
	}
	return MatcherFunc(func(ls Labels) bool { return !m.Matches(ls) }), nil
}
