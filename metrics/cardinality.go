package metrics

import (
	"cmp"
	"slices"
)

// Cardinality is one metric's share of the series: how many it has, and
// how many distinct values each of its labels takes.
type Cardinality struct {
	Name   string
	Series int
	Labels []LabelCardinality // most values first
}

// LabelCardinality is the number of distinct values of one label.
type LabelCardinality struct {
	Name   string
	Values int
}

// Cardinality reports the n metrics with the most series, most first (all
// of them when n ≤ 0), with their labels by number of distinct values: the
// place to look when a series limit is reached.
func (r *Registry) Cardinality(n int) []Cardinality {
	var out []Cardinality
	for _, f := range *r.order.Load() {
		c := Cardinality{Name: f.desc.Name, Series: f.c.count()}
		for i, v := range f.c.distinct() {
			c.Labels = append(c.Labels, LabelCardinality{Name: f.desc.Labels[i], Values: v})
		}
		slices.SortStableFunc(c.Labels, func(a, b LabelCardinality) int { return cmp.Compare(b.Values, a.Values) })
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b Cardinality) int { return cmp.Compare(b.Series, a.Series) })
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}
