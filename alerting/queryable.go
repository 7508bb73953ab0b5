package alerting

import (
	"context"
	"sort"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/annotations"

	"github.com/o2kit/o2kit/metrics"
)

// evalQueryable serves the samples of several Sources to Prometheus' query
// engine as one storage.Queryable. A series present in more than one
// Source is merged into one, its samples joined by time.
type evalQueryable struct{ sources []Source }

// Querier returns a querier of the range [mint, maxt] in milliseconds.
func (q evalQueryable) Querier(mint, maxt int64) (storage.Querier, error) {
	return &evalQuerier{sources: q.sources, mint: mint, maxt: maxt}, nil
}

type evalQuerier struct {
	sources    []Source
	mint, maxt int64
}

// Select turns the first __name__ equality matcher into the Sources' name
// argument, other __name__ matchers into a filter on the series' names,
// label equality matchers into [metrics.Equal], which the window store
// answers from its label index, and every other matcher into a
// [metrics.MatcherFunc].
func (q *evalQuerier) Select(_ context.Context, _ bool, hints *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	from, to := q.mint, q.maxt
	if hints != nil {
		from, to = hints.Start, hints.End
	}
	name, names, own := evalSplitMatchers(ms)
	var (
		list []*evalSeries
		b    labels.ScratchBuilder
	)
	for _, src := range q.sources {
		for _, s := range src.Select(name, from, to, own...) {
			if evalNameMatches(names, s.Name) {
				list = append(list, newEvalSeries(&b, s))
			}
		}
	}
	sort.Slice(list, func(i, j int) bool { return labels.Compare(list[i].lset, list[j].lset) < 0 })
	if len(q.sources) > 1 {
		list = evalMergeSeries(list)
	}
	return &evalSeriesSet{list: list, i: -1}
}

// evalSplitMatchers separates the metric name equality matcher (the first
// one, if any), the other matchers on __name__, and the label matchers.
func evalSplitMatchers(ms []*labels.Matcher) (name string, names []*labels.Matcher, own []metrics.Matcher) {
	for _, m := range ms {
		switch {
		case m.Name != labels.MetricName && m.Type == labels.MatchEqual:
			own = append(own, metrics.Equal(m.Name, m.Value))
			continue
		case m.Name != labels.MetricName:
			own = append(own, metrics.MatcherFunc(func(ls metrics.Labels) bool { return m.Matches(ls.Get(m.Name)) }))
			continue
		}
		if m.Type == labels.MatchEqual && name == "" && m.Value != "" {
			name = m.Value
			continue
		}
		names = append(names, m)
	}
	return name, names, own
}

func evalNameMatches(ms []*labels.Matcher, name string) bool {
	for _, m := range ms {
		if !m.Matches(name) {
			return false
		}
	}
	return true
}

// evalMergeSeries joins neighbours of a sorted list that have the same
// labels: their samples are merged by time, the first list's sample
// winning a tie.
func evalMergeSeries(list []*evalSeries) []*evalSeries {
	out := list[:0]
	for _, s := range list {
		if n := len(out); n > 0 && labels.Equal(out[n-1].lset, s.lset) {
			out[n-1].samples = evalMergeSamples(out[n-1].samples, s.samples)
			continue
		}
		out = append(out, s)
	}
	return out
}

func evalMergeSamples(a, b []metrics.Sample) []metrics.Sample {
	out := make([]metrics.Sample, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		switch {
		case a[0].T < b[0].T:
			out, a = append(out, a[0]), a[1:]
		case a[0].T > b[0].T:
			out, b = append(out, b[0]), b[1:]
		default:
			out, a, b = append(out, a[0]), a[1:], b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// LabelValues is not needed by the engine's instant queries.
func (q *evalQuerier) LabelValues(context.Context, string, *storage.LabelHints, ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	return nil, nil, nil
}

// LabelNames is not needed by the engine's instant queries.
func (q *evalQuerier) LabelNames(context.Context, *storage.LabelHints, ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	return nil, nil, nil
}

func (q *evalQuerier) Close() error { return nil }

// evalSeries is one selected series with its Prometheus label set.
type evalSeries struct {
	lset    labels.Labels
	samples []metrics.Sample
}

// newEvalSeries converts s, building its labels with b.
func newEvalSeries(b *labels.ScratchBuilder, s metrics.Series) *evalSeries {
	b.Reset()
	b.Add(labels.MetricName, s.Name)
	for _, l := range s.Labels {
		b.Add(l.Name, l.Value)
	}
	b.Sort()
	return &evalSeries{lset: b.Labels(), samples: s.Samples}
}

type evalSeriesSet struct {
	list []*evalSeries
	i    int
}

func (s *evalSeriesSet) Next() bool { s.i++; return s.i < len(s.list) }

// At returns the series as the engine's own list series type.
func (s *evalSeriesSet) At() storage.Series {
	x := s.list[s.i]
	pts := make([]promql.FPoint, len(x.samples))
	for i, p := range x.samples {
		pts[i] = promql.FPoint{T: p.T, F: p.V}
	}
	return promql.NewStorageSeries(promql.Series{Metric: x.lset, Floats: pts})
}

func (s *evalSeriesSet) Err() error                        { return nil }
func (s *evalSeriesSet) Warnings() annotations.Annotations { return nil }
