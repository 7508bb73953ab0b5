package logging

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/o2kit/o2kit"
)

// APIOption configures [NewAPI].
type APIOption interface{ applyAPI(*apiConfig) }

type apiOptionFunc func(*apiConfig)

func (f apiOptionFunc) applyAPI(c *apiConfig) { f(c) }

type apiConfig struct {
	auth       func(http.Handler) http.Handler
	maxBody    int64
	maxEntries int
	service    string
	stream     string
}

// WithAuth puts the service's own authentication middleware in front of
// every route. Default none: mount the handler where only trusted callers
// reach it.
func WithAuth(mw func(http.Handler) http.Handler) APIOption {
	return apiOptionFunc(func(c *apiConfig) { c.auth = mw })
}

// WithMaxBody sets the largest POST /api/logs body in bytes; larger ones
// get 413. Default 1 MiB; values below 1 keep the default.
func WithMaxBody(n int64) APIOption {
	return apiOptionFunc(func(c *apiConfig) { c.maxBody = n })
}

// WithMaxEntries sets the most entries one POST /api/logs may carry.
// Default 1000; values below 1 keep the default.
func WithMaxEntries(n int) APIOption {
	return apiOptionFunc(func(c *apiConfig) { c.maxEntries = n })
}

// WithAPIStream sets the stream entries are written to and read from.
// Default the client's Streams().ApplicationLogs.
func WithAPIStream(name string) APIOption {
	return apiOptionFunc(func(c *apiConfig) { c.stream = name })
}

// WithDefaultService sets the service of posted entries that name none.
// Default "".
func WithDefaultService(name string) APIOption {
	return apiOptionFunc(func(c *apiConfig) { c.service = name })
}

// NewAPI returns a handler serving
//
//	POST /api/logs         a JSON array of log entries from other services or front-ends
//	GET  /api/logs/search  [Search]: q, level, service, user_id, trace_id, request_id, start, end, limit
//	GET  /api/logs/stats   [Stats]: service, interval, start, end
//
// start and end are RFC 3339 times or Unix microseconds. With a nil client
// every route answers 503. Every error is a
// JSON object {"error": ..., "field": ...} naming the parameter or entry
// field at fault; a search the server fails is a 502.
//
// Each posted entry is an object with these fields:
//
//	message      string, required, at most 32 KiB
//	level        "debug", "info", "warn" (or "warning"), "error", any case; default info
//	timestamp    RFC 3339 string, or Unix time as an integer in s, ms, µs or ns; default now;
//	             at most 24 hours ahead (older than the server's window is re-stamped by
//	             the client, its own time kept in original_timestamp)
//	service      string; default [WithDefaultService]
//	user_id, session_id, request_id   strings, at most 256 bytes
//	trace_id, span_id                 32 and 16 lower-case hex digits
//	attributes   object of further fields; nested objects flatten to a_b
//
// Any other field, a wrong type or a bad value rejects the whole batch
// with 400 and "entries", the list of every entry and field at fault, and
// nothing of the batch is written: a client can fix the entries and send
// the batch again without duplicating any. A body that is not a JSON array
// gets 400 with field "body" and where the problem was found, a body
// over [WithMaxBody] 413, more entries than [WithMaxEntries] 400. A valid
// batch gets 202 {"accepted": n}: every entry was taken. The one
// exception to all-or-nothing: if the client's buffer fills midway, the
// answer is 503 with Retry-After and "accepted", the number of leading
// entries taken; send the entries from that index on again, not the whole
// batch. An entry whose record is larger than the client's batch byte
// limit is likewise refused, with 413 and its index in "field", and one
// with more fields than the server takes in a record, with 400.
func NewAPI(client *o2kit.Client, opts ...APIOption) http.Handler {
	var cfg apiConfig
	for _, o := range opts {
		if o != nil {
			o.applyAPI(&cfg)
		}
	}
	if cfg.maxBody < 1 {
		cfg.maxBody = 1 << 20
	}
	if cfg.maxEntries < 1 {
		cfg.maxEntries = 1000
	}
	if cfg.stream == "" && client != nil {
		cfg.stream = client.Streams().ApplicationLogs
	}
	a := &api{client: client, cfg: cfg}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/logs", a.ingest)
	mux.HandleFunc("GET /api/logs/search", a.search)
	mux.HandleFunc("GET /api/logs/stats", a.stats)
	var h http.Handler = mux
	if client == nil {
		h = http.HandlerFunc(noClient)
	}
	if cfg.auth != nil {
		return cfg.auth(h)
	}
	return h
}

type api struct {
	client *o2kit.Client
	cfg    apiConfig
}

// apiError is the body of every error answer.
type apiError struct {
	Error   string        `json:"error"`
	Field   string        `json:"field,omitempty"`
	Entries []*FieldError `json:"entries,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (a *api) search(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Query()
	q := Query{Stream: a.cfg.stream, Text: p.Get("q"), Level: p.Get("level"), Service: p.Get("service"),
		UserID: p.Get("user_id"), TraceID: p.Get("trace_id"), RequestID: p.Get("request_id")}
	var err error
	if q.Start, q.End, err = timeRange(p.Get("start"), p.Get("end")); err == nil && p.Has("limit") {
		q.Limit, err = intParam("limit", p.Get("limit"))
	}
	if err != nil {
		badQuery(w, err)
		return
	}
	entries, err := Search(r.Context(), a.client, q)
	answer(w, "entries", entries, err)
}

func (a *api) stats(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Query()
	q := StatsQuery{Stream: a.cfg.stream, Service: p.Get("service"), Interval: p.Get("interval")}
	var err error
	if q.Start, q.End, err = timeRange(p.Get("start"), p.Get("end")); err != nil {
		badQuery(w, err)
		return
	}
	buckets, err := Stats(r.Context(), a.client, q)
	answer(w, "buckets", buckets, err)
}

// answer writes {key: v}, or the error as [badQuery] does.
func answer(w http.ResponseWriter, key string, v any, err error) {
	if err != nil {
		badQuery(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{key: v})
}

func noClient(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusServiceUnavailable, apiError{Error: ErrNoClient.Error()})
}

// badQuery answers 400 for a query the caller got wrong and 502 when the
// server failed it.
func badQuery(w http.ResponseWriter, err error) {
	var qe *QueryError
	if errors.As(err, &qe) {
		writeJSON(w, http.StatusBadRequest, apiError{Error: err.Error(), Field: qe.Field})
		return
	}
	writeJSON(w, http.StatusBadGateway, apiError{Error: err.Error()})
}

func timeRange(start, end string) (time.Time, time.Time, error) {
	s, err := timeParam("start", start)
	if err != nil {
		return s, s, err
	}
	e, err := timeParam("end", end)
	return s, e, err
}

// timeParam reads an RFC 3339 time or Unix microseconds; "" is zero.
func timeParam(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if us, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMicro(us).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return t, &QueryError{Field: name, Reason: "must be an RFC 3339 time or Unix microseconds"}
	}
	return t, nil
}

func intParam(name, v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, &QueryError{Field: name, Reason: "must be an integer"}
	}
	return n, nil
}
