package logging

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/o2kit/o2kit"
)

// RequestIDHeader is the header a request id is read from and written to.
const RequestIDHeader = "X-Request-ID"

// MiddlewareOption configures [Middleware].
type MiddlewareOption interface{ applyMiddleware(*mwConfig) }

type mwOptionFunc func(*mwConfig)

func (f mwOptionFunc) applyMiddleware(c *mwConfig) { f(c) }

type mwConfig struct {
	sampleEvery uint64
}

// requestMessage is the message of every request record.
const requestMessage = "http request"

// SampleSuccess logs one in every n requests answered below 400; those
// answered 4xx and 5xx are always logged. Default 1 (all); values below 1
// keep the default.
func SampleSuccess(n int) MiddlewareOption {
	return mwOptionFunc(func(c *mwConfig) { c.sampleEvery = uint64(max(n, 1)) })
}

// Middleware logs one record per request to logger: method, route (the
// ServeMux pattern that matched, when there is one), path, status, bytes,
// latency_ms and request_id, at INFO, at WARN for 4xx and at ERROR for
// 5xx (a handler that panics is logged as a 500, then the panic goes
// on). It takes the request id from X-Request-ID when the caller sent a
// sane one (at most 128 printable ASCII characters) or makes a new one,
// echoes it in the response header and puts it in the request's context
// with o2kit.ContextWithRequest, so every later log line of the request
// carries it. The matched pattern is copied back to r.Pattern when next
// returns, as the mux itself does, so middleware outside this one can
// label the request by route. A nil logger is slog.Default(), as it is
// when Middleware is called.
func Middleware(logger *slog.Logger, opts ...MiddlewareOption) func(http.Handler) http.Handler {
	if logger == nil {
		logger = slog.Default()
	}
	cfg := mwConfig{sampleEvery: 1}
	for _, o := range opts {
		if o != nil {
			o.applyMiddleware(&cfg)
		}
	}
	var seen atomic.Uint64
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			id := requestID(r.Header.Get(RequestIDHeader))
			w.Header().Set(RequestIDHeader, id)
			outer := r
			r = r.WithContext(o2kit.ContextWithRequest(r.Context(), id))
			defer func() { outer.Pattern = r.Pattern }()
			rec := &recorder{ResponseWriter: w, status: http.StatusOK}
			defer func() {
				// A panicking handler is logged as a 500 and the panic
				// goes on to net/http, which aborts the response.
				if p := recover(); p != nil {
					rec.status = http.StatusInternalServerError
					logRequest(logger, r, rec, time.Since(start))
					panic(p)
				}
			}()
			next.ServeHTTP(rec, r)
			if rec.status < 400 && cfg.sampleEvery > 1 && seen.Add(1)%cfg.sampleEvery != 1 {
				return
			}
			logRequest(logger, r, rec, time.Since(start))
		})
	}
}

func logRequest(logger *slog.Logger, r *http.Request, rec *recorder, took time.Duration) {
	level := slog.LevelInfo
	switch {
	case rec.status >= 500:
		level = slog.LevelError
	case rec.status >= 400:
		level = slog.LevelWarn
	}
	attrs := make([]slog.Attr, 0, 7)
	attrs = append(attrs, slog.String("method", r.Method))
	if r.Pattern != "" {
		attrs = append(attrs, slog.String("route", r.Pattern))
	}
	attrs = append(attrs,
		slog.String("path", r.URL.Path),
		slog.Int("status", rec.status),
		slog.Int64("bytes", rec.bytes),
		slog.Float64("latency_ms", float64(took)/float64(time.Millisecond)),
	)
	logger.LogAttrs(r.Context(), level, requestMessage, attrs...)
}

// requestID returns the caller's id when it is sane, or a new random one.
func requestID(got string) string {
	if n := len(got); n > 0 && n <= 128 {
		ok := true
		for i := 0; i < n && ok; i++ {
			ok = got[i] > ' ' && got[i] < 0x7f
		}
		if ok {
			return got
		}
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// recorder notes the status and the bytes written. Unwrap lets
// http.ResponseController reach the writer's Flush, Hijack and deadlines.
type recorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

// WriteHeader notes the first final status.
func (r *recorder) WriteHeader(code int) {
	if !r.wroteHeader && code >= 200 {
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

// Write counts the bytes written.
func (r *recorder) Write(p []byte) (int, error) {
	r.wroteHeader = true
	n, err := r.ResponseWriter.Write(p)
	r.bytes += int64(n)
	return n, err
}

// Flush passes a flush on, for streaming handlers that assert http.Flusher.
func (r *recorder) Flush() { _ = http.NewResponseController(r.ResponseWriter).Flush() }

// Unwrap returns the wrapped writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
