package timeseries

import (
	"context"
	"slices"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
	"github.com/prometheus/prometheus/util/annotations"
)

// promQueryable serves a [Store] to Prometheus' query engine, so that the
// conformance tests run PromQL over exactly the samples this package sees,
// read back through Select.
type promQueryable struct{ st *Store }

func (q promQueryable) Querier(mint, maxt int64) (storage.Querier, error) {
	return &promQuerier{st: q.st, mint: mint, maxt: maxt}, nil
}

type promQuerier struct {
	st         *Store
	mint, maxt int64
}

// Select turns the __name__ matcher into Select's name and every other
// matcher into a MatcherFunc.
func (q *promQuerier) Select(_ context.Context, _ bool, hints *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	from, to := q.mint, q.maxt
	if hints != nil {
		from, to = hints.Start, hints.End
	}
	var name string
	var own []Matcher
	for _, m := range ms {
		if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
			name = m.Value
			continue
		}
		own = append(own, MatcherFunc(func(ls Labels) bool { return m.Matches(ls.Get(m.Name)) }))
	}
	var list []storage.Series
	for _, s := range q.st.Select(name, from, to, own...) {
		b := labels.NewScratchBuilder(len(s.Labels) + 1)
		b.Add(labels.MetricName, s.Name)
		for _, l := range s.Labels {
			b.Add(l.Name, l.Value)
		}
		b.Sort()
		pts := make([]chunks.Sample, len(s.Samples))
		for i, x := range s.Samples {
			pts[i] = promPoint{x}
		}
		list = append(list, storage.NewListSeries(b.Labels(), pts))
	}
	slices.SortFunc(list, func(a, b storage.Series) int { return labels.Compare(a.Labels(), b.Labels()) })
	return &promSet{list: list, i: -1}
}

func (q *promQuerier) LabelValues(context.Context, string, *storage.LabelHints, ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	return nil, nil, nil
}

func (q *promQuerier) LabelNames(context.Context, *storage.LabelHints, ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	return nil, nil, nil
}

func (q *promQuerier) Close() error { return nil }

type promSet struct {
	list []storage.Series
	i    int
}

func (s *promSet) Next() bool                        { s.i++; return s.i < len(s.list) }
func (s *promSet) At() storage.Series                { return s.list[s.i] }
func (s *promSet) Err() error                        { return nil }
func (s *promSet) Warnings() annotations.Annotations { return nil }

// promPoint is a float sample for storage.NewListSeries.
type promPoint struct{ s Sample }

func (p promPoint) T() int64                      { return p.s.T }
func (p promPoint) ST() int64                     { return 0 }
func (p promPoint) F() float64                    { return p.s.V }
func (p promPoint) H() *histogram.Histogram       { return nil }
func (p promPoint) FH() *histogram.FloatHistogram { return nil }
func (p promPoint) Type() chunkenc.ValueType      { return chunkenc.ValFloat }
func (p promPoint) Copy() chunks.Sample           { return p }
