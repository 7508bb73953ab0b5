package o2server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seedLogs ingests n records a minute apart, the newest a minute ago.
func seedLogs(c *tclient, stream string, n int) {
	var recs []string
	for i := 0; i < n; i++ {
		level := []string{"info", "warn", "error"}[i%3]
		recs = append(recs, fmt.Sprintf(`{"n":%d,"level":%q,"message":"Order %d PAID by user-%d","_timestamp":%d}`,
			i, level, i, i%2, ts(-time.Duration(n-i)*time.Minute)))
	}
	c.ingest(stream, "["+strings.Join(recs, ",")+"]")
}

func ns(hits []map[string]any) []float64 {
	var out []float64
	for _, h := range hits {
		out = append(out, h["n"].(float64))
	}
	return out
}

func TestSearchTimeFilterEndExclusive(t *testing.T) {
	c := newTestServer(t)
	seedLogs(c, "app", 5)
	hits := c.hits("SELECT n FROM app ORDER BY n", "start_time", fmt.Sprint(ts(-4*time.Minute)), "end_time", fmt.Sprint(ts(-2*time.Minute)))
	assert.Equal(t, []float64{1, 2}, ns(hits))
}

func TestSearchDefaultOrderSizeFromAndLimit(t *testing.T) {
	c := newTestServer(t)
	seedLogs(c, "app", 6)
	_, m := c.search("SELECT * FROM app")
	assert.Equal(t, "desc", m["order_by"])
	assert.Equal(t, []any{[]any{"_timestamp", "desc"}}, m["order_by_metadata"])
	assert.Equal(t, float64(1000), m["size"])
	assert.Equal(t, []float64{5, 4, 3, 2, 1, 0}, ns(c.hits("SELECT * FROM app")))
	assert.Equal(t, []float64{3, 2}, ns(c.hits("SELECT * FROM app", "from", "2", "size", "2")))
	assert.Equal(t, []float64{5, 4, 3}, ns(c.hits("SELECT * FROM app LIMIT 1", "size", "3")), "size overrides LIMIT")
	assert.Equal(t, []float64{5}, ns(c.hits("SELECT * FROM app LIMIT 1", "size", "0")), "size 0 keeps LIMIT")
	assert.Equal(t, []float64{0, 1}, ns(c.hits("SELECT n FROM app ORDER BY n ASC LIMIT 2", "size", "-1")))
	_, m = c.search("SELECT count(*) AS c FROM app")
	assert.NotContains(t, m, "order_by", "aggregates get no default order")
	assert.Equal(t, float64(6), m["hits"].([]any)[0].(map[string]any)["c"])
}

func TestSearchCapsWithoutLimit(t *testing.T) {
	c := newTestServer(t)
	var recs []string
	for i := 0; i < 1005; i++ {
		recs = append(recs, fmt.Sprintf(`{"n":%d}`, i))
	}
	c.ingest("big", "["+strings.Join(recs, ",")+"]")
	_, m := c.search("SELECT * FROM big", "size", "0")
	assert.Len(t, m["hits"], 1000)
	assert.Equal(t, []any{"Warn: results are capped to meet default limit"}, m["function_error"])
	_, m = c.search("SELECT * FROM big", "size", "-999")
	assert.Len(t, m["hits"], 1005)
	assert.NotContains(t, m, "function_error")
}

func TestSearchTrackTotalHits(t *testing.T) {
	c := newTestServer(t)
	seedLogs(c, "app", 7)
	_, m := c.search("SELECT * FROM app WHERE level = 'info'", "track_total_hits", "true", "size", "1")
	assert.Equal(t, []any{map[string]any{"zo_sql_num": float64(3)}}, m["hits"])
	assert.Equal(t, float64(3), m["total"])
}

func TestSearchHistogram(t *testing.T) {
	c := newTestServer(t)
	seedLogs(c, "app", 4)
	_, m := c.search("SELECT histogram(_timestamp, '2 minute') AS zo_sql_key, count(*) AS zo_sql_num FROM app GROUP BY zo_sql_key ORDER BY zo_sql_key")
	assert.Equal(t, float64(120), m["histogram_interval"])
	assert.Equal(t, []any{
		map[string]any{"zo_sql_key": "2026-08-21T11:56:00", "zo_sql_num": float64(2)},
		map[string]any{"zo_sql_key": "2026-08-21T11:58:00", "zo_sql_num": float64(2)},
	}, m["hits"])

	// Without an interval it follows the range: 45 minutes gives 15 s.
	_, m = c.search("SELECT histogram(_timestamp) AS k, count(*) AS n FROM app GROUP BY k",
		"start_time", fmt.Sprint(ts(-45*time.Minute)), "end_time", fmt.Sprint(nowUS()))
	assert.Equal(t, float64(15), m["histogram_interval"])
	r, _ := c.search("SELECT histogram(_timestamp, '10') FROM app")
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, float64(20001), r.obj(t)["code"])
}

func TestSearchFunctions(t *testing.T) {
	c := newTestServer(t)
	seedLogs(c, "app", 6)
	assert.Equal(t, []float64{5, 3, 1}, ns(c.hits("SELECT * FROM app WHERE match_all('paid BY user-1') AND n > 0")))
	assert.Equal(t, []float64{5, 3, 1}, ns(c.hits("SELECT * FROM app WHERE str_match(message, 'user-1')")))
	assert.Empty(t, c.hits("SELECT * FROM app WHERE str_match(message, 'paid')"), "str_match is case-sensitive")
	assert.Len(t, c.hits("SELECT * FROM app WHERE str_match_ignore_case(message, 'paid')"), 6)
	assert.Len(t, c.hits("SELECT * FROM app WHERE match_field_ignore_case(message, 'PAID')"), 6)
	assert.Equal(t, []float64{5, 2}, ns(c.hits("SELECT * FROM app WHERE re_match(level, '^err')")))
	assert.Len(t, c.hits("SELECT * FROM app WHERE re_not_match(level, '^err')"), 4)
	assert.Len(t, c.hits("SELECT * FROM app WHERE message ILIKE '%paid%'"), 6)
	assert.Empty(t, c.hits("SELECT * FROM app WHERE message LIKE '%paid%'"), "LIKE is case-sensitive")
	assert.Len(t, c.hits("SELECT * FROM app WHERE message NOT ILIKE 'order 1 %'"), 5)
	assert.Equal(t, []float64{2}, ns(c.hits("SELECT n FROM app WHERE n::text = '2'")))
	_, m := c.search("SELECT approx_distinct(level) AS d FROM app")
	assert.Equal(t, float64(3), m["hits"].([]any)[0].(map[string]any)["d"])

	c.ingest("nofts", `{"x":1}`)
	r, _ := c.search("SELECT * FROM nofts WHERE match_all('a')")
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, float64(20003), r.obj(t)["code"])
}

func TestSearchFullTextKeysSetting(t *testing.T) {
	c := newTestServer(t)
	c.ingest("k", `[{"note":"Refund issued"},{"note":"ok"}]`)
	r := c.do(http.MethodPut, "/api/default/streams/k/settings", []byte(`{"full_text_search_keys":{"add":["note"]}}`), "Content-Type", "application/json")
	require.Equal(t, http.StatusOK, r.status, r.text())
	assert.Len(t, c.hits("SELECT * FROM k WHERE match_all('refund')"), 1)
}

func TestSearchErrors(t *testing.T) {
	c := newTestServer(t)
	seedLogs(c, "app", 1)
	for sql, code := range map[string]float64{
		"SELEC * FROM app":                20001,
		"SELECT * FROM app; DROP TABLE x": 20001,
		"DELETE FROM app":                 20001,
		"SELECT nope FROM app":            20004,
		"SELECT nofunc(n) FROM app":       20005,
		"SELECT * FROM sqlite_master":     20002,
		`SELECT * FROM "App"`:             20002,
	} {
		r, _ := c.search(sql)
		require.Equal(t, http.StatusBadRequest, r.status, sql)
		m := r.obj(t)
		assert.Equal(t, code, m["code"], sql)
		assert.Equal(t, fmt.Sprint(code), r.header.Get("X-Error-Message"), sql)
		assert.NotEmpty(t, m["trace_id"], sql)
	}
	r, _ := c.search("SELECT nope FROM app")
	assert.Equal(t, "unknown field 'nope'", r.obj(t)["message"])

	// Body errors come from the JSON extractor.
	r = c.postJSON("/api/default/_search", `{"query":{"sql":"SELECT 1","start_time":0}}`)
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.text(), "missing field `end_time`")
	r = c.postJSON("/api/default/_search", `{"query":`)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.True(t, strings.HasPrefix(r.text(), "Failed to parse the request body as JSON: "))
	r = c.postJSON("/api/default/_search", `{"query":{"sql":1,"start_time":0,"end_time":1}}`)
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Contains(t, r.text(), "query.sql: invalid type: integer `1`, expected a string")
}

func TestSearchMaxQueryRangeAndTypes(t *testing.T) {
	c := newTestServer(t)
	seedLogs(c, "app", 3)
	r := c.do(http.MethodPut, "/api/default/streams/app/settings", []byte(`{"max_query_range":1}`), "Content-Type", "application/json")
	require.Equal(t, http.StatusOK, r.status)
	_, m := c.search("SELECT * FROM app", "start_time", "0")
	assert.Equal(t, []any{"Query duration is modified due to query range restriction of 1 hours"}, m["function_error"])

	c.ingest("typed", `{"b":true,"f":2.0,"i":3,"s":"x"}`)
	r, m = c.search("SELECT b, f, i, s, _timestamp FROM typed")
	assert.Equal(t, map[string]any{"b": true, "f": 2.0, "i": float64(3), "s": "x", "_timestamp": float64(nowUS())}, m["hits"].([]any)[0])
	assert.Contains(t, r.text(), fmt.Sprintf(`"hits":[{"b":true,"f":2.0,"i":3,"s":"x","_timestamp":%d}]`, nowUS()))

	r = c.postJSON("/api/default/_search?type=metrics", `{"query":{"sql":"SELECT * FROM app","start_time":0,"end_time":1}}`)
	assert.Equal(t, http.StatusBadRequest, r.status, "streams are per type")
}

func TestSearchFoldsUnquotedNames(t *testing.T) {
	c := newTestServer(t)
	seedLogs(c, "app", 2)
	hits := c.hits("SELECT COUNT(*), Level FROM App GROUP BY Level ORDER BY Level")
	assert.Equal(t, []map[string]any{{"count(*)": float64(1), "level": "info"}, {"count(*)": float64(1), "level": "warn"}}, hits)
}
