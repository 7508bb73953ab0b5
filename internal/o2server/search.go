package o2server

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// searchRequest is the part of a _search body this server uses.
type searchRequest struct {
	sql        string
	start, end int64
	from, size int64
	trackTotal bool
}

// parseSearch reads the body as the server's Request type, answering 422
// for a wrong shape.
func (c *call) parseSearch() (searchRequest, bool) {
	v, ok := c.jsonBody()
	if !ok {
		return searchRequest{}, false
	}
	var req searchRequest
	top := fieldReader{obj: &v}
	if v.kind != jObject {
		c.typedText(http.StatusUnprocessableEntity, msgJSONData+"invalid type: "+describe(&v)+", expected struct Request")
		return req, false
	}
	q, found := v.get("query")
	switch {
	case !found:
		top.missing("query")
	case q.kind != jObject:
		top.fail("query", "invalid type: "+describe(q)+", expected struct Query")
	default:
		r := fieldReader{path: "query", obj: q}
		req.sql = r.str("sql", true)
		req.start = r.int("start_time", true, 0)
		req.end = r.int("end_time", true, 0)
		req.from = r.int("from", false, 0)
		req.size = r.int("size", false, defaultQueryLimit)
		req.trackTotal = r.bool("track_total_hits")
		top.err = r.err
	}
	if top.err == "" && top.str("encoding", false) == "base64" {
		b, err := base64.URLEncoding.DecodeString(req.sql)
		if err != nil {
			b, err = base64.RawURLEncoding.DecodeString(req.sql)
		}
		if err != nil {
			c.envelope(http.StatusBadRequest, "Error# "+err.Error())
			return req, false
		}
		req.sql = string(b)
	}
	if top.err != "" {
		c.typedText(http.StatusUnprocessableEntity, msgJSONData+top.err)
		return req, false
	}
	return req, true
}

// handleSearch answers POST /api/{org}/_search?type=logs|metrics|traces by
// running the query on SQLite.
func handleSearch(c *call) {
	req, ok := c.parseSearch()
	if !ok {
		return
	}
	began := time.Now()
	traceID := newTraceID()
	typ := c.r.URL.Query().Get("type")
	if typ != typeMetrics && typ != typeTraces {
		typ = typeLogs
	}
	db := c.org.dbs[typ]
	db.mu.Lock()
	defer db.mu.Unlock()
	var notes []string
	if hours := rangeLimit(db, req.sql); hours > 0 && req.end-req.start > hours*3600*1_000_000 {
		req.start = req.end - hours*3600*1_000_000
		notes = append(notes, "Query duration is modified due to query range restriction of "+strconv.FormatInt(hours, 10)+" hours")
	}
	plan, serr := rewrite(queryInput{
		sql: req.sql, streams: db.streams, start: req.start, end: req.end,
		from: req.from, size: req.size, trackTotal: req.trackTotal,
	})
	if serr != nil {
		c.searchFailure(serr, traceID, db)
		return
	}
	rs, err := db.query(c.ctx(), plan.sql)
	if err != nil {
		c.searchFailure(engineError(err), traceID, db)
		return
	}
	hits := hitsOf(rs)
	if plan.capped && len(hits) > defaultQueryLimit {
		hits = hits[:defaultQueryLimit]
		notes = append(notes, "Warn: results are capped to meet default limit")
	}
	c.respondSearch(req, plan, hits, notes, traceID, began)
}

// rangeLimit returns the largest max_query_range setting among the streams
// the query names.
func rangeLimit(db *database, sql string) int64 {
	var hours int64
	toks, _ := tokenize(sql)
	for _, t := range toks {
		if st := db.streams[t.val]; st != nil && (t.kind == tkIdent || t.kind == tkQuoted) {
			hours = max(hours, st.settings.MaxQueryRange)
		}
	}
	return hours
}

// hit is one result row; its members keep the column order.
type hit []kv

// MarshalJSON writes the row with floats as the Arrow JSON writer does.
func (h hit) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, m := range h {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, m.k)
		b = append(b, ':')
		switch x := m.v.(type) {
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				b = append(b, "null"...)
			} else {
				b = append(b, formatRyu(x)...)
			}
		case string:
			b = appendJSONString(b, x)
		default:
			v, err := json.Marshal(x)
			if err != nil {
				return nil, err
			}
			b = append(b, v...)
		}
	}
	return append(b, '}'), nil
}

// hitsOf converts rows to hits, leaving out nulls and empty rows.
func hitsOf(rs *resultSet) []hit {
	hits := make([]hit, 0, len(rs.rows))
	for _, r := range rs.rows {
		var h hit
		for i, v := range r {
			if x := hitValue(v, rs.decls[i]); x != nil {
				h = append(h, kv{rs.cols[i], x})
			}
		}
		if len(h) > 0 {
			hits = append(hits, h)
		}
	}
	return hits
}

func (c *call) respondSearch(req searchRequest, plan *queryPlan, hits []hit, notes []string, traceID string, began time.Time) {
	total := len(hits)
	if plan.trackTotal && len(hits) > 0 && len(hits[0]) > 0 {
		if n, ok := hits[0][0].v.(int64); ok {
			total = int(n)
		}
	}
	var scanned, size int64
	for _, st := range plan.streams {
		scanned += st.docs
		size += st.size
	}
	took := int(time.Since(began).Milliseconds())
	o := orderedObject{
		{"took", took},
		{"took_detail", orderedObject{
			{"total", took}, {"cache_took", 0}, {"file_list_took", 0},
			{"wait_in_queue", 0}, {"idx_took", 0}, {"search_took", took},
		}},
		{"hits", hits}, {"total", total}, {"from", req.from}, {"size", req.size},
		{"cached_ratio", 0}, {"scan_size", size / (1 << 20)}, {"idx_scan_size", 0},
		{"scan_records", scanned}, {"trace_id", traceID},
	}
	if len(notes) > 0 {
		o = append(o, kv{"function_error", notes})
	}
	o = append(o, kv{"is_partial", false})
	if plan.histogram != nil {
		o = append(o, kv{"histogram_interval", *plan.histogram})
	}
	o = append(o, kv{"result_cache_ratio", 0})
	if len(plan.orderBy) > 0 {
		o = append(o, kv{"order_by", plan.orderBy[0][1]}, kv{"order_by_metadata", plan.orderBy})
	}
	o = append(o, kv{"peak_memory_usage", rfloat(0)})
	c.json(http.StatusOK, o)
}

var (
	reNoColumn   = regexp.MustCompile(`no such column: (\S+)`)
	reNoFunction = regexp.MustCompile(`no such function: (\S+)`)
)

// engineError classifies a SQLite error as the server's error codes.
func engineError(err error) *searchError {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "SQL logic error: ")
	if i := strings.LastIndex(msg, " ("); i > 0 && strings.HasSuffix(msg, ")") {
		msg = msg[:i]
	}
	switch {
	case reNoColumn.MatchString(msg):
		return &searchError{code: 20004, detail: strings.Trim(reNoColumn.FindStringSubmatch(msg)[1], `"`)}
	case reNoFunction.MatchString(msg):
		return &searchError{code: 20005, detail: reNoFunction.FindStringSubmatch(msg)[1]}
	case strings.Contains(msg, "syntax error"), strings.Contains(msg, "incomplete input"), strings.Contains(msg, "unrecognized token"):
		return &searchError{code: 20001, detail: msg}
	}
	return &searchError{code: 20008, detail: msg}
}

// searchFailure answers with the coded error envelope and X-Error-Message.
func (c *call) searchFailure(e *searchError, traceID string, db *database) {
	o := orderedObject{{"code", e.code}}
	switch e.code {
	case 20001:
		o = append(o, kv{"message", "Search SQL not valid"}, kv{"error_detail", e.detail})
	case 20002:
		o = append(o, kv{"message", "Search stream not found: " + e.detail}, kv{"error_detail", ""})
	case 20003:
		o = append(o, kv{"message", "Full text search field not found"}, kv{"error_detail", ""})
	case 20004:
		o = append(o, kv{"message", "unknown field '" + e.detail + "'"})
	case 20005:
		o = append(o, kv{"message", "unknown function '" + e.detail + "'"})
	default:
		o = append(o, kv{"message", "Search SQL execute error"}, kv{"error_detail", e.detail})
	}
	o = append(o, kv{"trace_id", traceID})
	if e.code == 20004 {
		o = append(o, kv{"hint", fieldHint(db)})
	}
	c.rw.Header().Set("X-Error-Message", strconv.Itoa(e.code))
	c.json(http.StatusBadRequest, o)
}

func fieldHint(db *database) string {
	var names []string
	for _, n := range db.order {
		for _, f := range db.streams[n].fields {
			names = append(names, f.name)
		}
	}
	if len(names) == 0 || len(names) > 20 {
		return "no similar field found; use the stream schema endpoint to list fields"
	}
	return "valid fields: " + strings.Join(names, ", ")
}

func newTraceID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
