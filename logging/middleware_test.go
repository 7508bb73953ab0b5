package logging

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func shopMux(logger *slog.Logger) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		logger.InfoContext(r.Context(), "loading order", "order_id", r.PathValue("id"))
		fmt.Fprint(w, "order ", r.PathValue("id"))
	})
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "bad order", http.StatusBadRequest)
	})
	mux.HandleFunc("GET /boom", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	})
	return mux
}

func serve(h http.Handler, method, target, reqID string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	if reqID != "" {
		req.Header.Set(RequestIDHeader, reqID)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestMiddleware(t *testing.T) {
	d := newDev(t)
	logger := New(d.client, WithClock(pinned), WithService("shop"))
	h := Middleware(logger)(shopMux(logger))

	w := serve(h, "GET", "/orders/o-7", "req-abc")
	assert.Equal(t, "req-abc", w.Header().Get(RequestIDHeader))
	assert.Equal(t, "order o-7", w.Body.String())
	serve(h, "POST", "/orders", "")
	serve(h, "GET", "/boom", "bad id with spaces")
	serve(h, "GET", "/nowhere", "")

	recs := d.records(t, "application-logs")
	require.Len(t, recs, 5)
	assert.Equal(t, "loading order", recs[0]["message"])
	assert.Equal(t, "req-abc", recs[0]["request_id"], "later log lines carry the request id")
	access := recs[1]
	assert.Equal(t, "http request", access["message"])
	assert.Equal(t, "INFO", access["level"])
	assert.Equal(t, "GET", access["method"])
	assert.Equal(t, "GET /orders/{id}", access["route"])
	assert.Equal(t, "/orders/o-7", access["path"])
	assert.Equal(t, int64(200), access["status"])
	assert.Equal(t, int64(len("order o-7")), access["bytes"])
	assert.Equal(t, "req-abc", access["request_id"])
	assert.Contains(t, access, "latency_ms")

	assert.Equal(t, "WARN", recs[2]["level"])
	assert.Equal(t, int64(400), recs[2]["status"])
	assert.Len(t, recs[2]["request_id"], 32, "a missing id is made")
	assert.Equal(t, "ERROR", recs[3]["level"], "5xx is an error")
	assert.Equal(t, int64(502), recs[3]["status"])
	assert.NotEqual(t, "bad id with spaces", recs[3]["request_id"])
	assert.Equal(t, int64(404), recs[4]["status"])
	assert.NotContains(t, recs[4], "route", "no pattern matched")
}

func TestMiddlewareSamplesSuccessOnly(t *testing.T) {
	d := newDev(t)
	logger := New(d.client, WithClock(pinned))
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("/fail", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) })
	h := Middleware(logger, SampleSuccess(5))(mux)
	for range 10 {
		serve(h, "GET", "/ok", "")
		serve(h, "GET", "/fail", "")
	}
	byStatus := map[any]int{}
	for _, r := range d.records(t, "application-logs") {
		byStatus[r["status"]]++
	}
	assert.Equal(t, map[any]int{int64(200): 2, int64(500): 10}, byStatus)
}

// A streaming handler can still flush through the middleware.
func TestMiddlewareKeepsFlusher(t *testing.T) {
	d := newDev(t)
	h := Middleware(New(d.client, WithClock(pinned)))(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, ok := w.(http.Flusher)
		assert.True(t, ok)
		require.NoError(t, http.NewResponseController(w).Flush())
		_, _ = w.Write([]byte(strings.Repeat("x", 10)))
	}))
	w := serve(h, "GET", "/stream", "")
	assert.True(t, w.Flushed)
}

// A panicking handler is logged as a 500 and the panic goes on.
func TestMiddlewareLogsPanics(t *testing.T) {
	d := newDev(t)
	h := Middleware(New(d.client, WithClock(pinned)))(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(http.ErrAbortHandler)
	}))
	assert.PanicsWithValue(t, http.ErrAbortHandler, func() { serve(h, "GET", "/crash", "") })
	recs := d.records(t, "application-logs")
	require.Len(t, recs, 1)
	assert.Equal(t, "ERROR", recs[0]["level"])
	assert.Equal(t, int64(500), recs[0]["status"])
}

func TestMiddlewareHandsTheRouteOutward(t *testing.T) {
	d := newDev(t)
	logger := New(d.client, WithClock(pinned))
	var seen string
	outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Middleware(logger)(shopMux(logger)).ServeHTTP(w, r)
		seen = r.Pattern
	})
	serve(outer, "GET", "/orders/o-7", "")
	assert.Equal(t, "GET /orders/{id}", seen, "middleware outside sees the pattern the mux matched")
}

// A caller's request id is kept only when it is 1 to 128 printable ASCII
// characters without spaces; anything else is replaced by a fresh one.
func TestRequestIDSanitised(t *testing.T) {
	for in, kept := range map[string]bool{
		"req-7": true, "0af7651916cd43dd8448eb211c80319c": true, strings.Repeat("a", 128): true,
		"a/b:c=d+e_f.g": true, "": false, strings.Repeat("a", 129): false, "bad id": false,
		"tab\tid": false, "new\nline": false, "crlf\r\nX-Evil: 1": false, "ünïcode": false, "\x7f": false,
	} {
		got := requestID(in)
		if kept {
			assert.Equal(t, in, got, "%q", in)
			continue
		}
		assert.NotEqual(t, in, got, "%q", in)
		assert.Regexp(t, `^[0-9a-f]{32}$`, got, "%q", in)
	}
	assert.NotEqual(t, requestID(""), requestID(""), "made ids differ")
}
