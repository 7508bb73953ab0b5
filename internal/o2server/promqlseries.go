package o2server

import (
	"cmp"
	"database/sql/driver"
	"slices"
	"strings"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
	"github.com/prometheus/prometheus/util/annotations"
)

// promSeries is one series: its labels and its samples in time order, at
// most one per millisecond.
type promSeries struct {
	lset   labels.Labels
	points []fpoint
}

// Labels returns the series labels.
func (s *promSeries) Labels() labels.Labels { return s.lset }

// Iterator returns an iterator over the samples.
func (s *promSeries) Iterator(chunkenc.Iterator) chunkenc.Iterator {
	return storage.NewListSeriesIterator(s)
}

// Get returns the i-th sample, for [storage.NewListSeriesIterator].
func (s *promSeries) Get(i int) chunks.Sample { return &s.points[i] }

// Len returns the number of samples.
func (s *promSeries) Len() int { return len(s.points) }

// add appends a sample in ingestion order.
func (s *promSeries) add(t int64, v float64) {
	s.points = append(s.points, fpoint{t: t, v: v})
}

// settle sorts the samples by time, keeping ingestion order among equal
// times, and keeps one sample per millisecond: the last written.
func (s *promSeries) settle() {
	if !slices.IsSortedFunc(s.points, cmpPoint) {
		slices.SortStableFunc(s.points, cmpPoint)
	}
	out := s.points[:0]
	for _, p := range s.points {
		if n := len(out); n > 0 && out[n-1].t == p.t {
			out[n-1] = p
			continue
		}
		out = append(out, p)
	}
	s.points = out
}

func cmpPoint(a, b fpoint) int { return cmp.Compare(a.t, b.t) }

// seriesGrouper groups rows of (_timestamp, value, label columns...) by
// their label set, keeping the rows that pass the filters.
type seriesGrouper struct {
	cols  []string
	byKey map[string]*promSeries
	list  []*promSeries
	key   strings.Builder
}

func (g *seriesGrouper) add(r []driver.Value, filters []rowFilter) {
	for _, f := range filters {
		v, ok := textValue(r[f.col+2])
		if !ok || !f.m.Matches(v) {
			return
		}
	}
	v, ok := sampleValue(r[1])
	if !ok {
		return
	}
	g.key.Reset()
	for i := range g.cols {
		if v, ok := textValue(r[i+2]); ok {
			g.key.WriteString(g.cols[i])
			g.key.WriteByte(0xff)
			g.key.WriteString(v)
			g.key.WriteByte(0xfe)
		}
	}
	s := g.byKey[g.key.String()]
	if s == nil {
		s = &promSeries{lset: g.labels(r)}
		g.byKey[g.key.String()] = s
		g.list = append(g.list, s)
	}
	us, _ := r[0].(int64)
	s.add(floorDiv(us, 1000), v)
}

// labels builds the label set of a row; columns are sorted, so the
// builder's order is already the label order.
func (g *seriesGrouper) labels(r []driver.Value) labels.Labels {
	b := labels.NewScratchBuilder(len(g.cols))
	for i, c := range g.cols {
		if v, ok := textValue(r[i+2]); ok {
			b.Add(c, v)
		}
	}
	return b.Labels()
}

// textValue reads a label column value; NULL has none.
func textValue(v driver.Value) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	}
	return "", false
}

func sampleValue(v driver.Value) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	}
	return 0, false
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// seriesSet iterates a list of series.
type seriesSet struct {
	list []*promSeries
	i    int
}

// Next moves to the next series.
func (s *seriesSet) Next() bool { s.i++; return s.i < len(s.list) }

// At returns the current series.
func (s *seriesSet) At() storage.Series { return s.list[s.i] }

// Err is always nil: series are read before iteration starts.
func (s *seriesSet) Err() error { return nil }

// Warnings is always empty.
func (s *seriesSet) Warnings() annotations.Annotations { return nil }

// fpoint is a float sample; the series hands out pointers into its slice,
// so iterating allocates nothing per sample.
type fpoint struct {
	t int64 // ms
	v float64
}

// T returns the time in ms.
func (p *fpoint) T() int64 { return p.t }

// ST returns no start time.
func (p *fpoint) ST() int64 { return 0 }

// F returns the value.
func (p *fpoint) F() float64 { return p.v }

// H returns no histogram.
func (p *fpoint) H() *histogram.Histogram { return nil }

// FH returns no float histogram.
func (p *fpoint) FH() *histogram.FloatHistogram { return nil }

// Type reports a float sample.
func (p *fpoint) Type() chunkenc.ValueType { return chunkenc.ValFloat }

// Copy returns a copy of the sample.
func (p *fpoint) Copy() chunks.Sample { c := *p; return &c }
