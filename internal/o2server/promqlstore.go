package o2server

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/annotations"

	"github.com/o2kit/o2kit/internal/norm"
)

// promError is a failure whose text the server answers as it is, without
// the "Execution error: " prefix of parse failures.
type promError struct{ msg string }

func (e *promError) Error() string { return e.msg }

// errNoMetricName is the planner error for a selector without a metric name.
var errNoMetricName = &promError{"Error during planning: VectorSelector: metric name is required"}

// metricStore is a [storage.Queryable] over an org's metrics streams: one
// stream per metric name, whose string columns are the labels (as the
// server's series loader reads them) and whose value and _timestamp
// columns are the samples.
type metricStore struct{ db *database }

var _ storage.Queryable = metricStore{}

// Querier returns a querier for samples in [mint, maxt] (ms).
func (m metricStore) Querier(mint, maxt int64) (storage.Querier, error) {
	return &metricQuerier{db: m.db, mint: mint, maxt: maxt}, nil
}

// metricQuerier reads series for one query.
type metricQuerier struct {
	db         *database
	mint, maxt int64 // ms
}

// Select returns the series whose labels satisfy the matchers, with their
// samples in the hinted time range. A __name__ matcher picks the streams;
// the others filter rows as the server's SQL predicates do: a matcher on a
// label the stream does not have is ignored, and a row without the label
// fails every matcher on it.
func (q *metricQuerier) Select(ctx context.Context, _ bool, hints *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	from, to := q.mint, q.maxt
	if hints != nil {
		from, to = hints.Start, hints.End
	}
	if nameMatcher(ms) == nil {
		return storage.ErrSeriesSet(errNoMetricName)
	}
	list, err := q.db.loadSeries(ctx, from*1000, to*1000+999, ms)
	if err != nil {
		return storage.ErrSeriesSet(err)
	}
	return &seriesSet{list: list, i: -1}
}

// LabelValues returns the sorted values of a label among matching series.
func (q *metricQuerier) LabelValues(ctx context.Context, name string, _ *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	list, err := q.db.loadSeries(ctx, q.mint*1000, q.maxt*1000+999, ms)
	if err != nil {
		return nil, nil, err
	}
	var out []string
	for _, s := range list {
		if v := s.lset.Get(name); v != "" {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil, nil
}

// LabelNames returns the sorted label names among matching series.
func (q *metricQuerier) LabelNames(ctx context.Context, _ *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	list, err := q.db.loadSeries(ctx, q.mint*1000, q.maxt*1000+999, ms)
	if err != nil {
		return nil, nil, err
	}
	var out []string
	for _, s := range list {
		s.lset.Range(func(l labels.Label) { out = append(out, l.Name) })
	}
	slices.Sort(out)
	return slices.Compact(out), nil, nil
}

// Close releases nothing: series are read in full by Select.
func (q *metricQuerier) Close() error { return nil }

func nameMatcher(ms []*labels.Matcher) *labels.Matcher {
	for _, m := range ms {
		if m.Name == labels.MetricName {
			return m
		}
	}
	return nil
}

// metricStreams lists the metrics streams a __name__ matcher selects; an
// equality matcher names the stream (normalised if no stream has the name
// as given), and no matcher selects every stream. The caller holds db.mu.
func (db *database) metricStreams(m *labels.Matcher) []*stream {
	if m != nil && m.Type == labels.MatchEqual {
		if st, ok := db.streams[m.Value]; ok {
			return []*stream{st}
		}
		if st, ok := db.streams[norm.StreamName(m.Value)]; ok {
			return []*stream{st}
		}
		return nil
	}
	var out []*stream
	for _, n := range db.order {
		if m == nil || m.Matches(n) {
			out = append(out, db.streams[n])
		}
	}
	return out
}

// loadSeries reads the series of the selected streams with samples in
// [from, to] µs, grouped by label set and sorted by time.
func (db *database) loadSeries(ctx context.Context, from, to int64, ms []*labels.Matcher) ([]*promSeries, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	var out []*promSeries
	for _, st := range db.metricStreams(nameMatcher(ms)) {
		list, err := db.streamSeries(ctx, st, from, to, ms)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	slices.SortFunc(out, func(a, b *promSeries) int { return labels.Compare(a.lset, b.lset) })
	return out, nil
}

// labelColumns are a stream's label columns, sorted by name: its string
// columns but __hash__ and exemplars.
func labelColumns(st *stream) []string {
	var cols []string
	for _, f := range st.fields {
		if classOf(f.typ) == classString && f.name != hashLabel && f.name != "exemplars" {
			cols = append(cols, f.name)
		}
	}
	slices.Sort(cols)
	return cols
}

// streamSeries reads one stream's rows in the time range, in ingestion
// order, and groups them.
// The caller holds db.mu.
func (db *database) streamSeries(ctx context.Context, st *stream, from, to int64, ms []*labels.Matcher) ([]*promSeries, error) {
	if !st.hasTable || !hasColumns(st, "_timestamp", valueLabel) {
		return nil, nil
	}
	cols := labelColumns(st)
	filters := rowFilters(cols, ms)
	sel := make([]string, 0, len(cols)+2)
	sel = append(sel, `"_timestamp"`, `"value"`)
	for _, c := range cols {
		sel = append(sel, quoteIdent(c))
	}
	q := "SELECT " + strings.Join(sel, ",") + " FROM " + quoteIdent(st.table) +
		` WHERE "_timestamp" >= ` + strconv.FormatInt(from, 10) + ` AND "_timestamp" <= ` + strconv.FormatInt(to, 10) +
		` AND "value" IS NOT NULL ORDER BY ` + rowidCol
	rs, err := db.query(ctx, q)
	if err != nil {
		return nil, err
	}
	g := seriesGrouper{cols: cols, byKey: map[string]*promSeries{}}
	for _, r := range rs.rows {
		g.add(r, filters)
	}
	for _, s := range g.list {
		s.settle()
	}
	return g.list, nil
}

func hasColumns(st *stream, names ...string) bool {
	for _, n := range names {
		if _, ok := st.field(n); !ok {
			return false
		}
	}
	return true
}

// rowFilter applies a matcher to one label column.
type rowFilter struct {
	col int // index among the label columns
	m   *labels.Matcher
}

// rowFilters keeps the matchers on the stream's label columns; those on
// __name__, value, _timestamp and missing or non-text columns are dropped.
func rowFilters(cols []string, ms []*labels.Matcher) []rowFilter {
	var out []rowFilter
	for _, m := range ms {
		switch m.Name {
		case labels.MetricName, valueLabel, "_timestamp":
			continue
		}
		if i, ok := slices.BinarySearch(cols, m.Name); ok {
			out = append(out, rowFilter{col: i, m: m})
		}
	}
	return out
}
