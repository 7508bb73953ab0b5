package o2server

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests in this file follow section 11 of the fact sheet, "Things a
// naive client or test server would get wrong", one rule each.

// Rule 1: ingestion answers 200 and reports failures per record.
func TestRule01PartialFailureIs200(t *testing.T) {
	c := newTestServer(t)
	m := c.ingest("app", fmt.Sprintf(`[{"a":1},{"_timestamp":%d},{"_timestamp":%d}]`, ts(-6*time.Hour), ts(25*time.Hour)))
	assert.Equal(t, float64(200), m["code"])
	st := status0(t, m)
	assert.Equal(t, "app", st["name"])
	assert.Equal(t, float64(1), st["successful"])
	assert.Equal(t, float64(2), st["failed"])
	assert.Equal(t, c.s.tooFar(), st["error"], "the last failure's message is kept")
	assert.Equal(t, int64(1), c.s.Count("default", "app"))
}

// Rule 2: bulk took is 0, failures are per item with camelCase
// originalRecord, successes are keyed "index", and _id is stored.
func TestRule02BulkItems(t *testing.T) {
	c := newTestServer(t)
	body := lines(
		`{"create":{"_index":"olympics","_id":"7"}}`,
		`{"athlete":"Spiridon"}`,
		`{"index":{"_index":"olympics"}}`,
		fmt.Sprintf(`{"_timestamp":%d}`, ts(-10*time.Hour)),
		"")
	r := c.post("/api/default/_bulk", body)
	require.Equal(t, http.StatusOK, r.status, r.text())
	m := r.obj(t)
	assert.Equal(t, float64(0), m["took"])
	assert.Equal(t, true, m["errors"])
	items := m["items"].([]any)
	require.Len(t, items, 2)
	fail := items[0].(map[string]any)["index"].(map[string]any)
	assert.Equal(t, float64(422), fail["status"])
	assert.Contains(t, fail, "originalRecord")
	assert.NotContains(t, fail, "original_record")
	assert.Equal(t, "timestamp_parsing_failed", fail["error"].(map[string]any)["type"])
	ok := items[1].(map[string]any)["index"].(map[string]any)
	assert.Equal(t, float64(200), ok["status"])
	assert.Equal(t, "7", ok["_id"])
	recs := c.s.Records("default", "olympics")
	require.Len(t, recs, 1)
	assert.Equal(t, "7", recs[0]["_id"])
}

// Rule 3: stream names and keys are normalised; queries use the stored
// names.
func TestRule03Normalisation(t *testing.T) {
	c := newTestServer(t)
	c.ingest("My-App.Logs", `{"User.Name":"ann","Hello!World@123#":1,"a--b":2}`)
	recs := c.s.Records("default", "my_app_logs")
	require.Len(t, recs, 1)
	assert.Equal(t, "ann", recs[0]["user_name"])
	assert.Equal(t, int64(1), recs[0]["hello_world_123_"])
	assert.Equal(t, int64(2), recs[0]["a__b"])
	hits := c.hits("SELECT user_name FROM my_app_logs")
	require.Len(t, hits, 1)
	assert.Equal(t, "ann", hits[0]["user_name"])
}

// Rule 4: only _timestamp sets event time, in any unit, 0 meaning now, in
// a 5 h / 24 h window; metrics JSON skips the window.
func TestRule04Timestamps(t *testing.T) {
	c := newTestServer(t)
	sec := testNow.Add(-time.Hour).Unix()
	m := c.ingest("t", fmt.Sprintf(`[{"_timestamp":%d},{"_timestamp":%d},{"@timestamp":%d},{"_timestamp":0},{"time":1}]`,
		sec, sec*1000, sec*1_000_000_000))
	assert.Equal(t, float64(5), status0(t, m)["successful"])
	var got []any
	for _, r := range c.s.Records("default", "t") {
		got = append(got, r["_timestamp"])
	}
	h := sec * 1_000_000
	assert.Equal(t, []any{h, h, h, nowUS(), nowUS()}, got)

	m = c.ingest("t", fmt.Sprintf(`[{"_timestamp":%d}]`, ts(-5*time.Hour-time.Second)))
	assert.Equal(t, c.s.tooOld(), status0(t, m)["error"])
	assert.Contains(t, c.s.tooOld(), "only last 5 hours")
	assert.Contains(t, c.s.tooFar(), "only future 24 hours")

	r := c.post("/api/default/ingest/metrics/_json", `[{"__name__":"up","value":1,"_timestamp":1691643770347}]`)
	require.Equal(t, http.StatusOK, r.status, r.text())
	assert.Equal(t, int64(1691643770347000), c.s.RecordsOf("default", "metrics", "up")[0]["_timestamp"])
}

// Rule 5: nested objects flatten to depth 3; deeper objects and all arrays
// are JSON strings.
func TestRule05Flattening(t *testing.T) {
	c := newTestServer(t)
	c.ingest("f", `{"info":{"address":{"phoneNumbers":{"type":"home"},"city":"X"}},"tags":["a","b"],"n":{"list":[]}}`)
	rec := c.s.Records("default", "f")[0]
	assert.Equal(t, `{"type":"home"}`, rec["info_address_phonenumbers"])
	assert.Equal(t, "X", rec["info_address_city"])
	assert.Equal(t, `["a","b"]`, rec["tags"])
	assert.NotContains(t, rec, "n_list")
}

// Rule 6: the two 401 bodies, and org-not-found in plain text.
func TestRule06AuthBodies(t *testing.T) {
	c := newTestServer(t)
	anon := *c
	anon.user, anon.pass = "", ""
	r := anon.postJSON("/api/default/app/_json", `{}`)
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.JSONEq(t, `{"code":401,"message":"Unauthorized Access"}`, r.text())
	assert.Empty(t, r.header.Get("WWW-Authenticate"))

	bad := *c
	bad.pass = "wrong"
	r = bad.postJSON("/api/default/app/_json", `{}`)
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Equal(t, "Unauthorized Access", r.text())
	assert.Empty(t, r.header.Get("Content-Type"))
	assert.Equal(t, `Bearer realm="openobserve"`, r.header.Get("WWW-Authenticate"))

	r = c.do(http.MethodGet, "/api/nosuchorg/streams", nil)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Equal(t, "Organization not found", r.text())
}

// Rule 7: a POST without Content-Type is a form post after auth: _search
// gets 415, OTLP gets 400 "Bad Request".
func TestRule07MissingContentType(t *testing.T) {
	c := newTestServer(t)
	r := c.post("/api/default/_search", `{"query":{"sql":"SELECT 1","start_time":0,"end_time":1}}`)
	assert.Equal(t, http.StatusUnsupportedMediaType, r.status)
	assert.Equal(t, "Expected request with `Content-Type: application/json`", r.text())
	for _, p := range []string{"/api/default/v1/logs", "/api/default/v1/metrics", "/api/default/v1/traces"} {
		r = c.post(p, `{}`)
		assert.Equal(t, http.StatusBadRequest, r.status, p)
		assert.JSONEq(t, `{"code":400,"message":"Bad Request"}`, r.text(), p)
	}
	// Ingestion of JSON does not look at the content type.
	assert.Equal(t, http.StatusOK, c.post("/api/default/app/_json", `{"a":1}`).status)
}

// Rule 8: OTLP logs take exact content types and answer protobuf even for
// JSON; traces and metrics answer 206 on partial success.
func TestRule08OTLPQuirks(t *testing.T) {
	c := newTestServer(t)
	logs := otlpLogsJSON(ts(-time.Minute))
	r := c.post("/api/default/v1/logs", logs, "Content-Type", "application/json; charset=utf-8")
	assert.Equal(t, http.StatusBadRequest, r.status)
	r = c.post("/api/default/v1/logs", logs, "Content-Type", "application/json")
	assert.Equal(t, http.StatusOK, r.status)
	assert.Empty(t, r.body, "nothing rejected: an empty protobuf body")
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))

	r = c.post("/api/default/v1/traces", otlpTraceJSON(ts(-10*time.Hour)), "Content-Type", "application/json")
	assert.Equal(t, http.StatusPartialContent, r.status)
	assert.JSONEq(t, `{"partialSuccess":{"rejectedSpans":1,"errorMessage":"Some spans were rejected due to exceeding the allowed retention period"}}`, r.text())
}

// Rule 9: _search works in µs with the end excluded, total counts the
// returned hits, a missing stream is 400 with code 20002, and size
// overrides LIMIT.
func TestRule09Search(t *testing.T) {
	c := newTestServer(t)
	c.ingest("s", fmt.Sprintf(`[{"n":1,"_timestamp":%d},{"n":2,"_timestamp":%d},{"n":3,"_timestamp":%d}]`,
		ts(-3*time.Minute), ts(-2*time.Minute), ts(-time.Minute)))
	hits := c.hits("SELECT n FROM s ORDER BY n",
		"start_time", fmt.Sprint(ts(-3*time.Minute)), "end_time", fmt.Sprint(ts(-time.Minute)))
	assert.Equal(t, []map[string]any{{"n": float64(1)}, {"n": float64(2)}}, hits)

	_, m := c.search("SELECT * FROM s LIMIT 1", "size", "2")
	assert.Len(t, m["hits"], 2)
	assert.Equal(t, float64(2), m["total"])

	r, _ := c.search("SELECT * FROM nope")
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "20002", r.header.Get("X-Error-Message"))
	m = r.obj(t)
	assert.Equal(t, float64(20002), m["code"])
	assert.Equal(t, "Search stream not found: nope", m["message"])
}

// Rule 11: passcodes and org tokens work only on ingestion routes (tokens
// only for their org); Bearer is not supported.
func TestRule11Credentials(t *testing.T) {
	c := newTestServer(t)
	c.s.CreateOrg("other")
	pc := *c
	pc.pass = c.s.Passcode(c.user)
	assert.Equal(t, http.StatusOK, pc.postJSON("/api/default/app/_json", `{"a":1}`).status)
	assert.Equal(t, http.StatusUnauthorized, pc.do(http.MethodGet, "/api/default/streams", nil).status)

	tok := *c
	tok.user, tok.pass = "default", c.s.IngestionToken("default")
	assert.Len(t, tok.pass, 37)
	assert.Equal(t, http.StatusOK, tok.postJSON("/api/default/app/_json", `{"a":1}`).status)
	assert.Equal(t, http.StatusUnauthorized, tok.postJSON("/api/other/app/_json", `{"a":1}`).status)
	assert.Equal(t, http.StatusUnauthorized, tok.postJSON("/api/default/_search", `{}`).status)

	r := c.do(http.MethodGet, "/api/default/streams", nil, "Authorization", "Bearer abc")
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Equal(t, "Not Supported", r.text())
}
