package o2server

import (
	"context"
	"database/sql/driver"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
)

// handlePromLabelValues answers GET .../label/{name}/values. For __name__
// it lists the metrics streams (or only the named one) whose data overlaps
// the range; for any other label it needs a metric name and lists the
// label's distinct values among the metric's rows in [start, end) that
// pass the matchers, sorted.
func handlePromLabelValues(c *call) {
	req, ok := c.metaParams()
	if !ok {
		return
	}
	label := c.param("name")
	name, named := req.metricName()
	if label == labels.MetricName {
		c.promOverlapping(req, func(out []string, st *stream) []string { return append(out, st.name) })
		return
	}
	var out []string
	if named {
		var err error
		if out, err = c.org.dbs[typeMetrics].labelValues(c.ctx(), name, label, req); err != nil {
			c.promInternal(err)
			return
		}
	}
	c.promStrings(out)
}

// labelValues reads a label's distinct values for one metric.
func (db *database) labelValues(ctx context.Context, metric, label string, req metaRequest) ([]string, error) {
	var out []string
	err := db.scanMeta(ctx, metric, req, []string{label}, func(vals []driver.Value, _ []string) {
		if s, ok := textValue(vals[0]); ok {
			out = append(out, s)
		}
	})
	slices.Sort(out)
	out = slices.Compact(out)
	return out[:min(len(out), promMetaSize)], err
}

// seriesOf reads a metric's distinct label sets as objects of its fields
// in schema order, nulls left out, the first 1000 in ingestion order.
func (db *database) seriesOf(ctx context.Context, metric string, req metaRequest) ([]orderedObject, error) {
	var out []orderedObject
	seen := map[string]bool{}
	var key strings.Builder
	err := db.scanMeta(ctx, metric, req, nil, func(vals []driver.Value, decls []string) {
		key.Reset()
		for _, v := range vals {
			key.WriteString(strconv.Quote(textOfValue(v)))
			key.WriteByte(',')
		}
		if seen[key.String()] || len(out) >= promMetaSize {
			return
		}
		seen[key.String()] = true
		out = append(out, seriesObject(db, metric, vals, decls))
	})
	return out, err
}

// seriesObject is one label set as a search hit shows it.
func seriesObject(db *database, metric string, vals []driver.Value, decls []string) orderedObject {
	st := db.streams[metric]
	var obj orderedObject
	i := 0
	for _, f := range st.fields {
		if !isLabelField(f.name) {
			continue
		}
		v := hitValue(vals[i], decls[i])
		if x, ok := v.(float64); ok {
			v = rfloat(x)
		}
		if v != nil {
			obj = append(obj, kv{f.name, v})
		}
		i++
	}
	return obj
}

func isLabelField(name string) bool {
	return name != "_timestamp" && name != valueLabel && name != hashLabel
}

// textOfValue is a value's text for telling label sets apart.
func textOfValue(v driver.Value) string {
	if v == nil {
		return "n"
	}
	t, _ := sqlText(v)
	return "v" + t
}

// scanMeta reads the given columns (all label fields when nil) of a
// metric's rows in [start, end) that pass the selector's matchers, as the
// server's SQL does: matchers on __name__, value, _timestamp or fields the
// stream lacks are dropped, regex matchers match anywhere in the value
// (re_match), and a NULL value fails every matcher. It holds db.mu.
func (db *database) scanMeta(ctx context.Context, metric string, req metaRequest, cols []string, fn func([]driver.Value, []string)) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	st, ok := db.streams[metric]
	if !ok || !st.hasTable {
		return nil
	}
	if cols == nil {
		for _, f := range st.fields {
			if isLabelField(f.name) {
				cols = append(cols, f.name)
			}
		}
	}
	filters := metaFilters(st, req)
	sel := make([]string, 0, len(cols)+len(filters))
	for _, c := range cols {
		if _, ok := st.field(c); !ok {
			return nil
		}
		sel = append(sel, quoteIdent(c))
	}
	if len(sel) == 0 {
		return nil
	}
	for _, f := range filters {
		sel = append(sel, quoteIdent(f.name))
	}
	q := "SELECT " + strings.Join(sel, ",") + " FROM " + quoteIdent(st.table) +
		` WHERE "_timestamp" >= ` + strconv.FormatInt(req.start, 10) + ` AND "_timestamp" < ` + strconv.FormatInt(req.end, 10) +
		" ORDER BY " + rowidCol
	rs, err := db.query(ctx, q)
	if err != nil {
		return err
	}
	for _, r := range rs.rows {
		if passes(r[len(cols):], filters) {
			fn(r[:len(cols)], rs.decls[:len(cols)])
		}
	}
	return nil
}

// metaFilter is a matcher turned into the server's SQL condition.
type metaFilter struct {
	name string
	m    *labels.Matcher
	re   *regexp.Regexp // unanchored, for =~ and !~
}

func metaFilters(st *stream, req metaRequest) []metaFilter {
	if req.sel == nil {
		return nil
	}
	var out []metaFilter
	for _, m := range req.sel.LabelMatchers {
		if _, ok := st.field(m.Name); !ok || !isLabelField(m.Name) || m.Name == labels.MetricName {
			continue
		}
		f := metaFilter{name: m.Name, m: m}
		if m.Type == labels.MatchRegexp || m.Type == labels.MatchNotRegexp {
			f.re, _ = regexp.Compile(m.Value) // the parser has compiled it already
		}
		out = append(out, f)
	}
	return out
}

func passes(vals []driver.Value, filters []metaFilter) bool {
	for i, f := range filters {
		if vals[i] == nil {
			return false
		}
		v, _ := sqlText(vals[i])
		var hit bool
		switch f.m.Type {
		case labels.MatchEqual:
			hit = v == f.m.Value
		case labels.MatchNotEqual:
			hit = v != f.m.Value
		case labels.MatchRegexp:
			hit = f.re != nil && f.re.MatchString(v)
		case labels.MatchNotRegexp:
			hit = f.re != nil && !f.re.MatchString(v)
		}
		if !hit {
			return false
		}
	}
	return true
}
