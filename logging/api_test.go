package logging

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
)

func call(t *testing.T, h http.Handler, method, target, body string) (int, map[string]any) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, target, strings.NewReader(body)))
	var out map[string]any
	if w.Body.Len() > 0 {
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out), w.Body.String())
	}
	return w.Code, out
}

func TestPostLogs(t *testing.T) {
	d := newDev(t)
	h := NewAPI(d.client, WithDefaultService("web"))
	code, out := call(t, h, "POST", "/api/logs", `[
		{"message": "checkout opened", "level": "info", "timestamp": "2026-11-25T09:30:00Z", "user_id": "u-1",
		 "attributes": {"cart": {"items": 3, "total_minor": 4599}, "ab_test": "b", "ratio": 0.5, "tags": ["x","y"], "gone": null}},
		{"message": "payment widget failed", "level": "ERROR", "timestamp": 1795599000000, "service": "payments-ui",
		 "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7"}
	]`)
	require.Equal(t, http.StatusAccepted, code, out)
	assert.Equal(t, float64(2), out["accepted"])
	recs := d.records(t, "application-logs")
	require.Len(t, recs, 2)
	assert.Equal(t, map[string]any{
		"_timestamp": epoch.UnixMicro(), "level": "INFO", "service": "web", "message": "checkout opened", "user_id": "u-1",
		"ab_test": "b", "cart_items": int64(3), "cart_total_minor": int64(4599), "ratio": 0.5, "tags": `["x","y"]`,
	}, recs[0])
	assert.Equal(t, "payments-ui", recs[1]["service"])
	assert.Equal(t, "ERROR", recs[1]["level"])
	assert.Equal(t, epoch.UnixMicro(), recs[1]["_timestamp"], "ms read as ms")
}

// Bad input is a 400 naming the entry and field; nothing of the batch is
// written, so resending the fixed batch loses and duplicates nothing.
func TestPostLogsRejectsBadInput(t *testing.T) {
	d := newDev(t)
	h := NewAPI(d.client, WithMaxBody(2048), WithMaxEntries(3))
	good := `{"message": "fine", "timestamp": "2026-11-25T09:30:00Z"}`
	cases := []struct {
		name, body string
		status     int
		field      string
	}{
		{"invalid JSON", `[{"message": "x"`, 400, "body"},
		{"not an array", `{"message": "x"}`, 400, "body"},
		{"stray character", `[{"message": "x"}, !]`, 400, "body"},
		{"entry not an object", `[` + good + `, 7]`, 400, ""},
		{"missing message", `[` + good + `, {"level": "info"}]`, 400, "message"},
		{"message not a string", `[{"message": 42}]`, 400, "message"},
		{"unknown level", `[` + good + `, {"message": "x", "level": "fatal"}]`, 400, "level"},
		{"level not a string", `[{"message": "x", "level": 3}]`, 400, "level"},
		{"bad timestamp", `[{"message": "x", "timestamp": "yesterday"}]`, 400, "timestamp"},
		{"negative timestamp", `[{"message": "x", "timestamp": -5}]`, 400, "timestamp"},
		{"timestamp far ahead", `[{"message": "x", "timestamp": "2100-01-01T00:00:00Z"}]`, 400, "timestamp"},
		{"bad trace id", `[{"message": "x", "trace_id": "XYZ"}]`, 400, "trace_id"},
		{"user id not a string", `[{"message": "x", "user_id": {"id": 1}}]`, 400, "user_id"},
		{"unknown field", `[{"message": "x", "colour": "red"}]`, 400, "colour"},
		{"attributes not an object", `[{"message": "x", "attributes": [1]}]`, 400, "attributes"},
		{"attribute shadows schema", `[{"message": "x", "attributes": {"Level": "ERROR"}}]`, 400, "attributes.Level"},
		{"nested attribute shadows schema", `[{"message": "x", "attributes": {"trace": {"ID": "f"}}}]`, 400, "attributes.trace.ID"},
		{"too many entries", `[` + strings.Repeat(good+",", 3) + good + `]`, 400, "entries"},
		{"oversized body", `[{"message": "` + strings.Repeat("x", 4096) + `"}]`, 413, ""},
	}
	for _, c := range cases {
		code, out := call(t, h, "POST", "/api/logs", c.body)
		assert.Equal(t, c.status, code, c.name)
		assert.NotEmpty(t, out["error"], c.name)
		if c.field != "" {
			assert.Equal(t, c.field, out["field"], c.name)
		}
	}
	assert.Empty(t, d.records(t, "application-logs"), "nothing of a bad batch is written")
	_, out := call(t, h, "POST", "/api/logs", `[{"message": "x"}, !]`)
	assert.Contains(t, out["error"], "after 20 bytes")

	// Every problem of a batch is listed, by entry.
	code, out := call(t, h, "POST", "/api/logs", `[{"level": "x", "message": "a"}, `+good+`, {"message": ""}]`)
	require.Equal(t, 400, code)
	assert.Equal(t, []any{
		map[string]any{"event": "entries[0]", "field": "level", "reason": "must be one of debug, info, warn, error"},
		map[string]any{"event": "entries[2]", "field": "message", "reason": "is required"},
	}, out["entries"])

	code, _ = call(t, h, "POST", "/api/logs", `[`+good+`, `+good+`]`)
	require.Equal(t, 202, code)
	assert.Len(t, d.records(t, "application-logs"), 2, "a good batch loses nothing")
}

func TestSearchAndStatsEndpoints(t *testing.T) {
	d := newDev(t)
	logger := New(d.client, WithClock(pinned), WithService("checkout"))
	logger.Info("order placed", "order_id", "o-1")
	logger.Error("card declined")
	require.NoError(t, d.client.Flush(context.Background()))
	h := NewAPI(d.client)
	window := fmt.Sprintf("start=%d&end=%s", epoch.Add(-time.Hour).UnixMicro(), epoch.Add(time.Minute).Format(time.RFC3339))

	code, out := call(t, h, "GET", "/api/logs/search?level=error&service=checkout&"+window, "")
	require.Equal(t, 200, code, out)
	entries := out["entries"].([]any)
	require.Len(t, entries, 1)
	assert.Equal(t, "card declined", entries[0].(map[string]any)["message"])

	code, out = call(t, h, "GET", "/api/logs/stats?interval=1+hour&"+window, "")
	require.Equal(t, 200, code, out)
	assert.Len(t, out["buckets"], 2)

	for target, field := range map[string]string{
		"/api/logs/search?level=fatal":    "level",
		"/api/logs/search?limit=lots":     "limit",
		"/api/logs/search?start=tomorrow": "start",
		"/api/logs/stats?interval=1+week": "interval",
		"/api/logs/stats?end=soon":        "end",
	} {
		code, out := call(t, h, "GET", target, "")
		assert.Equal(t, 400, code, target)
		assert.Equal(t, field, out["field"], target)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("DELETE", "/api/logs", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
}

func TestAPIAuth(t *testing.T) {
	d := newDev(t)
	auth := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer let-me-in" {
				http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	h := NewAPI(d.client, WithAuth(auth))
	code, _ := call(t, h, "POST", "/api/logs", `[{"message":"x"}]`)
	assert.Equal(t, http.StatusUnauthorized, code)
	w := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/api/logs", strings.NewReader(`[{"message":"x","timestamp":"2026-11-25T09:30:00Z"}]`))
	req.Header.Set("Authorization", "Bearer let-me-in")
	h.ServeHTTP(w, req)
	assert.Equal(t, http.StatusAccepted, w.Code)
}

// FuzzPostLogs feeds arbitrary bodies to POST /api/logs: the answer is
// always 202, 400 or 413 with a JSON error, and a 202 accepted every entry.
func FuzzPostLogs(f *testing.F) {
	for _, s := range []string{`[]`, `[{"message":"x"}]`, `[{"message":"x","level":"warn","attributes":{"a":{"b":1}}}]`,
		`[{"message":"x","timestamp":1795599000}]`, `{`, `[1]`, `[{"message":"x","attributes":{"level":1}}]`} {
		f.Add(s)
	}
	var kept int
	drop := o2kit.ProcessorFunc(func(_ context.Context, r o2kit.Record) (o2kit.Record, error) {
		kept++
		return r, o2kit.ErrDrop
	})
	c, err := o2kit.New(o2kit.WithEndpoint("http://127.0.0.1:9"), o2kit.WithProcessors(drop))
	require.NoError(f, err)
	defer c.Shutdown(context.Background())
	h := NewAPI(c, WithMaxBody(4096))
	f.Fuzz(func(t *testing.T, body string) {
		kept = 0
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("POST", "/api/logs", strings.NewReader(body)))
		var out map[string]any
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out))
		switch w.Code {
		case 202:
			var arr []json.RawMessage
			require.NoError(t, json.Unmarshal([]byte(body), &arr))
			assert.Equal(t, float64(len(arr)), out["accepted"])
			assert.Equal(t, len(arr), kept)
		case 400, 413:
			assert.NotEmpty(t, out["error"])
			assert.Zero(t, kept)
		default:
			t.Fatalf("status %d", w.Code)
		}
	})
}

// When the client's buffer fills midway through a valid batch the answer
// is 503 with Retry-After and the number of leading entries taken; those,
// and only those, reach the server, so the caller resends the rest.
func TestPostLogsReportsWhatWasTakenWhenFull(t *testing.T) {
	d := newDev(t, o2kit.WithBatchBytes(1024), o2kit.WithMaxBufferedBytes(2048), o2kit.WithFlushInterval(time.Hour))
	// Hold every delivery until the batch is answered, so what the buffer
	// holds depends on bytes alone.
	var held atomic.Bool
	held.Store(true)
	d.Server.SetFaultFunc(func(*http.Request) (o2server.Fault, bool) { return o2server.Fault{Hang: true}, held.Load() })
	entry := `{"message": "` + strings.Repeat("x", 200) + `", "timestamp": "2026-11-25T09:30:00Z"}`
	body := "[" + strings.Repeat(entry+",", 39) + entry + "]"
	w := httptest.NewRecorder()
	NewAPI(d.client).ServeHTTP(w, httptest.NewRequest("POST", "/api/logs", strings.NewReader(body)))
	require.Equal(t, http.StatusServiceUnavailable, w.Code, w.Body.String())
	assert.Equal(t, "1", w.Header().Get("Retry-After"))
	var out struct {
		Error    string `json:"error"`
		Accepted int    `json:"accepted"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out))
	assert.Positive(t, out.Accepted)
	assert.Less(t, out.Accepted, 40)
	assert.Equal(t, o2kit.ErrOverflow.Error(), out.Error)
	held.Store(false)
	d.Server.ReleaseHangs()
	assert.Len(t, d.records(t, "application-logs"), out.Accepted)
}

// An entry too large for a batch is a 413 naming it, after the entries
// before it were taken; resending it cannot help, so no Retry-After.
func TestPostLogsEntryLargerThanABatch(t *testing.T) {
	d := newDev(t, o2kit.WithBatchBytes(1024))
	small := `{"message": "small", "timestamp": "2026-11-25T09:30:00Z"}`
	big := `{"message": "` + strings.Repeat("x", 2000) + `", "timestamp": "2026-11-25T09:30:00Z"}`
	code, out := call(t, NewAPI(d.client), "POST", "/api/logs", "["+small+","+big+"]")
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
	assert.Equal(t, "entries[1]", out["field"])
	assert.Equal(t, float64(1), out["accepted"])
	assert.Len(t, d.records(t, "application-logs"), 1)
}

// An entry with more fields than the server takes is final, as a bad
// entry is: a 503 with Retry-After would have the sender resend it for
// ever, and the entries after it would never be taken.
func TestPostLogsEntryWithTooManyFields(t *testing.T) {
	d := newDev(t)
	attrs := make([]string, 1000)
	for i := range attrs {
		attrs[i] = `"k` + strconv.Itoa(i) + `":1`
	}
	small := `{"message": "small", "timestamp": "2026-11-25T09:30:00Z"}`
	wide := `{"message": "wide", "timestamp": "2026-11-25T09:30:00Z", "attributes": {` + strings.Join(attrs, ",") + `}}`
	code, out := call(t, NewAPI(d.client), "POST", "/api/logs", "["+small+","+wide+"]")
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "entries[1]", out["field"])
	assert.Equal(t, float64(1), out["accepted"])
	assert.Len(t, d.records(t, "application-logs"), 1)
}
