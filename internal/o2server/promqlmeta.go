package o2server

import (
	"net/http"
	"slices"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// Metadata endpoint limits and defaults (src/core/src/metrics/prom.rs).
const (
	promSeriesLookback = 24 * 3600 * 1_000_000 // µs, DEFAULT_SERIES_LOOKBACK_MICROS
	promMetaSize       = 1000                  // rows read by the series and values searches
	filePushInterval   = 2_000_000             // µs, ZO_FILE_PUSH_INTERVAL, widens stream stats
)

var metaFields = []string{"match[]", "start", "end"}

// metaRequest is a validated series, labels or label values request.
type metaRequest struct {
	sel        *parser.VectorSelector // nil without match[]
	start, end int64                  // µs; start 0 and end now when missing
}

// metricName is the stream a selector names: its metric name, else the
// value of its first __name__ matcher whatever the operator
// (try_into_metric_name).
func (m metaRequest) metricName() (string, bool) {
	if m.sel == nil {
		return "", false
	}
	if m.sel.Name != "" {
		return m.sel.Name, true
	}
	for _, lm := range m.sel.LabelMatchers {
		if lm.Name == labels.MetricName {
			return lm.Value, true
		}
	}
	return "", false
}

// metaParams reads and checks match[], start and end as
// validate_metadata_params does: one selector with a metric name and no
// offset or @ modifier; empty times count as missing. Failures are 400
// bad_data without a trace id.
func (c *call) metaParams() (metaRequest, bool) {
	p, ok := c.promParams(metaFields, nil, "")
	if !ok {
		return metaRequest{}, false
	}
	var req metaRequest
	if v, ok := p["match[]"]; ok {
		sel, msg := parseMatch(v)
		if msg != "" {
			c.promFail(msg, "")
			return req, false
		}
		req.sel = sel
	}
	req.end = c.s.nowMicros()
	for _, tp := range []struct {
		name string
		dst  *int64
	}{{"start", &req.start}, {"end", &req.end}} {
		if v := p[tp.name]; v != "" {
			t, err := c.s.parsePromTime(v)
			if err != nil {
				c.promFail(err.Error(), "")
				return req, false
			}
			*tp.dst = t
		}
	}
	return req, true
}

// parseMatch parses a match[] selector, or returns the server's message.
func parseMatch(v string) (*parser.VectorSelector, string) {
	_, p := promEngine()
	expr, err := p.ParseExpr(v)
	if err != nil {
		return nil, "parse promql error: " + err.Error()
	}
	sel, ok := expr.(*parser.VectorSelector)
	switch {
	case !ok:
		return nil, "vector selector expected"
	case !slices.ContainsFunc(sel.LabelMatchers, func(m *labels.Matcher) bool { return m.Name == labels.MetricName }):
		return nil, "match[] argument must start with a metric name, e.g. `match[]=up`"
	case sel.OriginalOffset != 0:
		return nil, "match[]: unexpected offset modifier"
	case sel.Timestamp != nil || sel.StartOrEnd != 0:
		return nil, "match[]: unexpected @ modifier"
	}
	return sel, ""
}

// handlePromSeries answers GET|POST .../series: the distinct label sets of
// the named metric's rows in [start, end), at most 1000, each an object of
// the stream's fields but _timestamp, value and __hash__. Without a metric
// name the answer is empty, and start defaults to 24 hours before end.
func handlePromSeries(c *call) {
	req, ok := c.metaParams()
	if !ok {
		return
	}
	if req.end <= 0 {
		req.end = c.s.nowMicros()
	}
	if req.start <= 0 {
		req.start = req.end - promSeriesLookback
	}
	var list []orderedObject
	if name, ok := req.metricName(); ok {
		var err error
		if list, err = c.org.dbs[typeMetrics].seriesOf(c.ctx(), name, req); err != nil {
			c.promInternal(err)
			return
		}
	}
	c.promData(func(dst []byte) []byte {
		b, _ := marshalNoEscape(list)
		if list == nil {
			b = []byte("[]")
		}
		return append(dst, b...)
	})
}

// handlePromLabels answers GET|POST .../labels: the sorted field names of
// the metrics streams (or only the named one) whose data overlaps the
// range, but _timestamp, value and __hash__. Other matchers are ignored.
func handlePromLabels(c *call) {
	req, ok := c.metaParams()
	if !ok {
		return
	}
	c.promOverlapping(req, func(out []string, st *stream) []string {
		for _, f := range st.fields {
			if isLabelField(f.name) {
				out = append(out, f.name)
			}
		}
		return out
	})
}

// promOverlapping answers the sorted, distinct strings fn adds for each
// metrics stream (or only the one the selector names) whose data overlaps
// the range. A start after end drops the connection: the server's stats
// check asserts start <= end and panics.
func (c *call) promOverlapping(req metaRequest, fn func(out []string, st *stream) []string) {
	if req.start > req.end {
		c.drop()
		return
	}
	db := c.org.dbs[typeMetrics]
	name, named := req.metricName()
	var out []string
	db.mu.Lock()
	for _, n := range db.order {
		if st := db.streams[n]; (!named || n == name) && overlaps(st, req) {
			out = fn(out, st)
		}
	}
	db.mu.Unlock()
	slices.Sort(out)
	c.promStrings(slices.Compact(out))
}

// overlaps reports whether a stream's data range, widened by the file push
// interval, meets [start, end) (time_range_intersects). The caller holds
// the database lock.
func overlaps(st *stream, req metaRequest) bool {
	return st.maxTS+filePushInterval >= req.start && st.minTS < req.end
}

// promData answers 200 with {"status":"success","data":...}.
func (c *call) promData(data func([]byte) []byte) {
	c.raw(http.StatusOK, "application/json", appendPromData(nil, data))
}

// promStrings answers a list of strings.
func (c *call) promStrings(list []string) {
	c.promData(func(dst []byte) []byte {
		dst = append(dst, '[')
		for i, s := range list {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, s)
		}
		return append(dst, ']')
	})
}

// promInternal answers a failed metadata search: 500 with errorType
// internal.
func (c *call) promInternal(err error) {
	c.raw(http.StatusInternalServerError, "application/json", appendPromError(nil, "internal", err.Error(), ""))
}
