package o2server

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoutingAndHeaders(t *testing.T) {
	c := newTestServer(t)
	r := c.do(http.MethodGet, "/api/default/app/_json", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, r.status)
	r = c.do(http.MethodGet, "/nope", nil)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Empty(t, r.body)
	r = c.postJSON("/api/default/app/_json", `{"a":1}`)
	assert.Equal(t, "o2server", r.header.Get("x-api-node"))
	assert.Equal(t, fmt.Sprint(nowUS()), r.header.Get("o2_process_time"))
	r = c.do(http.MethodGet, "/healthz", nil)
	assert.JSONEq(t, `{"status":"ok"}`, r.text())
	r = c.do(http.MethodHead, "/healthz", nil)
	assert.Equal(t, http.StatusOK, r.status)
	assert.JSONEq(t, `{"status":"ok"}`, c.do(http.MethodGet, "/schedulez", nil).text())
	anon := *c
	anon.user, anon.pass = "", ""
	r = anon.do(http.MethodGet, "/config", nil)
	require.Equal(t, http.StatusOK, r.status)
	m := r.obj(t)
	assert.Equal(t, "opensource", m["build_type"])
	assert.Equal(t, "_timestamp", m["timestamp_column"])
}

func TestJSONBodies(t *testing.T) {
	c := newTestServer(t)
	m := c.ingest("s", `{"single":true}`)
	assert.Equal(t, float64(1), status0(t, m)["successful"])
	m = c.ingest("s", `[]`)
	assert.JSONEq(t, `{"name":"s","successful":0,"failed":0}`, mustJSON(status0(t, m)))
	m = c.ingest("s", `[1,{"a":1}]`)
	st := status0(t, m)
	assert.Equal(t, float64(1), st["failed"])
	assert.Equal(t, "flatten value must be an object", st["error"])

	r := c.postJSON("/api/default/s/_json", `not json`)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.JSONEq(t, `{"code":400,"message":"SerdeJsonError# expected ident at line 1 column 2"}`, r.text())
	r = c.postJSON("/api/default//_json", `{}`)
	assert.JSONEq(t, `{"code":400,"message":"Error# Stream name is empty"}`, r.text())
}

func TestMultiLines(t *testing.T) {
	c := newTestServer(t)
	r := c.post("/api/default/m/_multi", "{\"a\":1}\r\n\n   \n{\"a\":2}")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, float64(2), status0(t, r.obj(t))["successful"])

	r = c.post("/api/default/m/_multi", "{\"a\":3}\n{\"a\":}\n{\"a\":4}")
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.JSONEq(t, `{"code":400,"message":"Error# Failed processing: JsonError(Error(\"expected value\", line: 1, column: 6))"}`, r.text())
	assert.Equal(t, int64(2), c.s.Count("default", "m"), "a bad line stores nothing")
}

func TestTypesWidenAndCast(t *testing.T) {
	c := newTestServer(t)
	c.ingest("w", `{"v":true,"s":"x"}`)
	c.ingest("w", `{"v":5,"s":7}`)
	c.ingest("w", `{"v":1.5}`)
	c.ingest("w", `{"v":"text"}`)
	var got []any
	for _, r := range c.s.Records("default", "w") {
		got = append(got, r["v"])
	}
	assert.Equal(t, []any{"true", "5", "1.5", "text"}, got, "bool→int→float→string; old values read as the new type")
	assert.Equal(t, "7", c.s.Records("default", "w")[1]["s"], "a narrower value is cast to the column type")
	r := c.do(http.MethodGet, "/api/default/streams/w/schema", nil)
	assert.Contains(t, r.text(), `{"name":"v","type":"Utf8"}`)

	// A value that cannot be cast fails its record, with a trailing space.
	r = c.postJSON("/api/default/streams/d", `{"fields":[{"name":"day","type":"Date32"}],"settings":{}}`)
	require.Equal(t, http.StatusOK, r.status, r.text())
	st := status0(t, c.ingest("d", `[{"day":5},{"other":1}]`))
	assert.Equal(t, float64(1), st["failed"])
	assert.Equal(t, "Failed to cast day to type Date32 ", st["error"])
}

func TestPayloadLimitAndEncodings(t *testing.T) {
	c := newTestServer(t, WithPayloadLimit(64))
	big := `{"a":"` + strings.Repeat("x", 100) + `"}`
	r := c.postJSON("/api/default/p/_json", big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.status)
	assert.Equal(t, "Failed to buffer the request body: length limit exceeded", r.text())

	// The limit counts decompressed bytes.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(big))
	require.NoError(t, zw.Close())
	require.Less(t, gz.Len(), 64)
	r = c.do(http.MethodPost, "/api/default/p/_json", gz.Bytes(), "Content-Encoding", "gzip")
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.status)

	small := []byte(`{"a":1}`)
	for name, enc := range map[string]func([]byte) []byte{"gzip": gzipBytes, "deflate": zlibBytes, "zstd": zstdBytes} {
		r = c.do(http.MethodPost, "/api/default/p/_json", enc(small), "Content-Encoding", name)
		assert.Equal(t, http.StatusOK, r.status, name)
	}
	assert.Equal(t, int64(3), c.s.Count("default", "p"))

	r = c.do(http.MethodPost, "/api/default/p/_json", small, "Content-Encoding", "lz4")
	assert.Equal(t, http.StatusUnsupportedMediaType, r.status)
	assert.NotEmpty(t, r.header.Get("Accept-Encoding"))
	assert.Empty(t, r.body)

	r = c.do(http.MethodPost, "/api/default/p/_json", []byte("not gzip"), "Content-Encoding", "gzip")
	assert.Equal(t, http.StatusBadRequest, r.status)
	tot := c.s.Totals()
	assert.Equal(t, int64(3), tot.Records)
	assert.Greater(t, tot.DecodedBytes, int64(0))
}

func TestRootAutoCreatesOrgOnIngestion(t *testing.T) {
	c := newTestServer(t)
	assert.Equal(t, http.StatusNotFound, c.do(http.MethodGet, "/api/shop/streams", nil).status)
	assert.Equal(t, http.StatusOK, c.postJSON("/api/shop/app/_json", `{"a":1}`).status)
	assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/shop/streams", nil).status)
}

func TestIngestionTokensAndPasscodeEndpoints(t *testing.T) {
	c := newTestServer(t)
	r := c.do(http.MethodGet, "/api/default/ingestion-tokens", nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, r.text(), `"name":"default"`)
	assert.Contains(t, r.text(), `"is_default":true`)

	r = c.postJSON("/api/default/ingestion-tokens", `{"name":"ci-token"}`)
	require.Equal(t, http.StatusOK, r.status, r.text())
	tok := r.obj(t)["data"].(map[string]any)["token"].(string)
	assert.Len(t, tok, 37)
	assert.Equal(t, http.StatusBadRequest, c.postJSON("/api/default/ingestion-tokens", `{"name":"bad name"}`).status)

	r = c.do(http.MethodPatch, "/api/default/ingestion-tokens/ci-token", []byte(`{"enabled":false}`), "Content-Type", "application/json")
	assert.JSONEq(t, `{"code":200,"message":"{\"message\":\"Token disabled successfully\"}"}`, r.text())
	tc := *c
	tc.user, tc.pass = "default", tok
	assert.Equal(t, http.StatusUnauthorized, tc.postJSON("/api/default/a/_json", `{}`).status)
	assert.Equal(t, http.StatusMethodNotAllowed, c.do(http.MethodDelete, "/api/default/ingestion-tokens/ci-token", nil).status)

	r = c.do(http.MethodGet, "/api/default/passcode", nil)
	assert.JSONEq(t, fmt.Sprintf(`{"data":{"passcode":%q,"user":"root@example.com"}}`, c.s.Passcode(c.user)), r.text())
	old := c.s.Passcode(c.user)
	c.do(http.MethodPut, "/api/default/passcode", nil)
	assert.NotEqual(t, old, c.s.Passcode(c.user))
}

func TestRequestsLogRedactsCredentials(t *testing.T) {
	c := newTestServer(t)
	c.ingest("r", `[{"a":1},{"a":2}]`)
	reqs := c.s.Requests()
	require.NotEmpty(t, reqs)
	last := reqs[len(reqs)-1]
	assert.Equal(t, "/api/default/r/_json", last.Path)
	assert.Equal(t, http.StatusOK, last.Status)
	assert.Equal(t, int64(2), last.Records)
	assert.Equal(t, "REDACTED", last.Header.Get("Authorization"))
	assert.Equal(t, int64(len(`[{"a":1},{"a":2}]`)), last.WireBytes)
}

func TestWindowOptionChangesMessages(t *testing.T) {
	c := newTestServer(t, WithIngestWindow(2*time.Hour, time.Hour))
	st := status0(t, c.ingest("w", fmt.Sprintf(`[{"_timestamp":%d}]`, ts(-3*time.Hour))))
	assert.Contains(t, st["error"], "only last 2 hours")
	assert.Contains(t, st["error"], "ZO_INGEST_ALLOWED_UPTO=<max_hours>")
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

func zlibBytes(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

func zstdBytes(b []byte) []byte {
	enc, _ := zstd.NewWriter(nil)
	defer enc.Close()
	return enc.EncodeAll(b, nil)
}

func mustJSON(v any) string {
	b, _ := marshalNoEscape(v)
	return string(b)
}

func TestConcurrentClients(t *testing.T) {
	c := newTestServer(t)
	const clients, requests = 8, 25
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Go(func() {
			for j := 0; j < requests; j++ {
				stream := fmt.Sprintf("s%d", j%3)
				r := c.postJSON("/api/default/"+stream+"/_json", fmt.Sprintf(`[{"client":%d,"n":%d},{"client":"%d"}]`, i, j, i))
				assert.Equal(t, http.StatusOK, r.status)
				if j%5 == 0 {
					rs, _ := c.search("SELECT count(*) AS n FROM " + stream)
					assert.Equal(t, http.StatusOK, rs.status)
				}
			}
		})
	}
	wg.Wait()
	var total int64
	for k := 0; k < 3; k++ {
		total += c.s.Count("default", fmt.Sprintf("s%d", k))
	}
	assert.Equal(t, int64(clients*requests*2), total)
	assert.Equal(t, total, c.s.Totals().Records)
	hits := c.hits("SELECT count(*) AS n FROM s0")
	assert.Equal(t, float64(c.s.Count("default", "s0")), hits[0]["n"])
}

func TestTooManyColumnsDropsTheBatch(t *testing.T) {
	c := newTestServer(t)
	var b strings.Builder
	b.WriteString(`{`)
	for i := 0; i < colsPerRecordLimit+1; i++ {
		fmt.Fprintf(&b, `"f%d":%d,`, i, i)
	}
	b.WriteString(`"last":1}`)
	st := status0(t, c.ingest("wide", b.String()))
	assert.Equal(t, float64(0), st["successful"])
	assert.Equal(t, float64(0), st["failed"])
	assert.Empty(t, c.s.Records("default", "wide"))
}

func TestUserNamesNeverMeetInternalNames(t *testing.T) {
	c := newTestServer(t)
	c.ingest("t1", `{"__o2_rowid":1,"o2":2}`)
	c.ingest("o2_t1", `{"a":1}`)
	assert.Len(t, c.hits("SELECT * FROM t1"), 1)
	assert.Len(t, c.hits("SELECT * FROM o2_t1"), 1)
	assert.Equal(t, int64(1), c.s.Records("default", "t1")[0]["__o2_rowid"])
}
