package alerting

import (
	"context"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/metrics"
)

// staticSource serves fixed series, filtered as a store would.
type staticSource []metrics.Series

func (s staticSource) Select(name string, from, to int64, ms ...metrics.Matcher) []metrics.Series {
	var out []metrics.Series
	for _, x := range s {
		if (name != "" && x.Name != name) || !evalMatchAll(x.Labels, ms) {
			continue
		}
		var smp []metrics.Sample
		for _, p := range x.Samples {
			if p.T >= from && p.T <= to {
				smp = append(smp, p)
			}
		}
		if len(smp) > 0 {
			out = append(out, metrics.Series{Name: x.Name, Labels: x.Labels, Samples: smp})
		}
	}
	return out
}

func series(name string, lv ...string) func(...metrics.Sample) metrics.Series {
	var ls metrics.Labels
	for i := 0; i < len(lv); i += 2 {
		ls = append(ls, metrics.Label{Name: lv[i], Value: lv[i+1]})
	}
	return func(s ...metrics.Sample) metrics.Series { return metrics.Series{Name: name, Labels: ls, Samples: s} }
}

// drain reads a SeriesSet into label strings and samples.
func drain(t *testing.T, ss storage.SeriesSet) map[string][]metrics.Sample {
	t.Helper()
	out := map[string][]metrics.Sample{}
	var it chunkenc.Iterator
	for ss.Next() {
		s := ss.At()
		it = s.Iterator(it)
		var got []metrics.Sample
		for it.Next() == chunkenc.ValFloat {
			ts, v := it.At()
			got = append(got, metrics.Sample{T: ts, V: v})
		}
		out[s.Labels().String()] = got
	}
	require.NoError(t, ss.Err())
	return out
}

func TestQueryableSelect(t *testing.T) {
	a := staticSource{
		series("up", "job", "api")(metrics.Sample{T: 1, V: 1}, metrics.Sample{T: 3, V: 3}),
		series("up", "job", "web")(metrics.Sample{T: 2, V: 2}),
		series("down", "job", "api")(metrics.Sample{T: 2, V: 9}),
	}
	b := staticSource{
		series("up", "job", "api")(metrics.Sample{T: 2, V: 20}, metrics.Sample{T: 3, V: 30}),
		series("upper", "job", "db")(metrics.Sample{T: 2, V: 5}),
	}
	q, err := evalQueryable{sources: []Source{a, b}}.Querier(0, 10)
	require.NoError(t, err)
	defer q.Close()
	m := func(typ labels.MatchType, n, v string) *labels.Matcher { return labels.MustNewMatcher(typ, n, v) }
	tests := []struct {
		name string
		ms   []*labels.Matcher
		want map[string][]metrics.Sample
	}{
		{"name and label, merged across sources", []*labels.Matcher{m(labels.MatchEqual, "__name__", "up"), m(labels.MatchEqual, "job", "api")},
			map[string][]metrics.Sample{`{__name__="up", job="api"}`: {{T: 1, V: 1}, {T: 2, V: 20}, {T: 3, V: 3}}}},
		{"regexp name", []*labels.Matcher{m(labels.MatchRegexp, "__name__", "up.*"), m(labels.MatchNotEqual, "job", "api")},
			map[string][]metrics.Sample{`{__name__="up", job="web"}`: {{T: 2, V: 2}}, `{__name__="upper", job="db"}`: {{T: 2, V: 5}}}},
		{"label regexp", []*labels.Matcher{m(labels.MatchEqual, "__name__", "down"), m(labels.MatchRegexp, "job", "a.i")},
			map[string][]metrics.Sample{`{__name__="down", job="api"}`: {{T: 2, V: 9}}}},
		{"missing label is empty", []*labels.Matcher{m(labels.MatchEqual, "__name__", "up"), m(labels.MatchEqual, "zone", "")},
			map[string][]metrics.Sample{`{__name__="up", job="api"}`: {{T: 1, V: 1}, {T: 2, V: 20}, {T: 3, V: 3}}, `{__name__="up", job="web"}`: {{T: 2, V: 2}}}},
		{"no match", []*labels.Matcher{m(labels.MatchEqual, "__name__", "nothing")}, map[string][]metrics.Sample{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, drain(t, q.Select(context.Background(), true, nil, tt.ms...)))
		})
	}
	hinted := q.Select(context.Background(), true, &storage.SelectHints{Start: 2, End: 2}, m(labels.MatchEqual, "__name__", "up"))
	assert.Equal(t, map[string][]metrics.Sample{`{__name__="up", job="api"}`: {{T: 2, V: 20}}, `{__name__="up", job="web"}`: {{T: 2, V: 2}}}, drain(t, hinted))
	vals, _, err := q.LabelValues(context.Background(), "job", nil)
	assert.NoError(t, err)
	assert.Empty(t, vals)
	names, _, err := q.LabelNames(context.Background(), nil)
	assert.NoError(t, err)
	assert.Empty(t, names)
}

func TestOverlay(t *testing.T) {
	o := newEvalOverlay()
	lset := labels.FromStrings("__name__", "rec", "svc", "a")
	h := lset.Hash()
	for i := range 100 {
		o.add(h, lset, int64(i)*1000, float64(i))
	}
	o.add(h, lset, 50_000, -1)  // older than the last: dropped
	o.add(h, lset, 99_000, 990) // same time: replaces
	got := o.Select("rec", 0, 1e9, metrics.Equal("svc", "a"))
	require.Len(t, got, 1)
	require.Len(t, got[0].Samples, evalOverlayPoints)
	assert.Equal(t, metrics.Sample{T: 36_000, V: 36}, got[0].Samples[0])
	assert.Equal(t, metrics.Sample{T: 99_000, V: 990}, got[0].Samples[evalOverlayPoints-1])
	assert.Equal(t, metrics.Labels{{Name: "svc", Value: "a"}}, got[0].Labels)
	assert.Empty(t, o.Select("other", 0, 1e9))
	assert.Empty(t, o.Select("rec", 0, 1e9, metrics.Equal("svc", "b")))
	assert.Len(t, o.Select("", 98_000, 98_000), 1)

	o.prune(99_000)
	assert.Len(t, o.Select("", 0, 1e9), 1, "refreshed at the cut-off: kept")
	o.prune(99_001)
	assert.Empty(t, o.Select("", 0, 1e9))
	o.markStale(h, 100_000) // unknown series: nothing to end
	assert.Empty(t, o.Select("", 0, 1e9))
}
