package timeseries

import (
	"cmp"
	"fmt"
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
// an env label.
func Equal(name, value string) Matcher {
	return MatcherFunc(func(ls Labels) bool { return ls.Get(name) == value })
}

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
