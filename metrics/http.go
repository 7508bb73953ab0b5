package metrics

import (
	"net/http"
	"strconv"
	"time"
)

// HTTPMetrics is RED middleware for an HTTP server: requests by method,
// route and status code, server errors (5xx) by method and route, a
// duration histogram by method and route, and the requests in flight.
// The route is the pattern of the http.ServeMux that served the request
// (Go 1.22 patterns such as "GET /orders/{id}"), or "unmatched", so raw
// paths never become label values.
type HTTPMetrics struct {
	requests *CounterVec
	errors   *CounterVec
	duration *HistogramVec
	inflight *Gauge
}

// HTTPMetrics registers http_server_requests_total{method,route,code},
// http_server_errors_total{method,route},
// http_server_request_duration_seconds{method,route} (buckets as given,
// [DefaultBuckets] when none) and http_server_requests_in_flight.
func (r *Registry) HTTPMetrics(buckets ...float64) (*HTTPMetrics, error) {
	var m HTTPMetrics
	var err error
	if m.requests, err = r.CounterVec(Desc{Name: "http_server_requests_total", Help: "HTTP requests served.", Labels: []string{"method", "route", "code"}}); err != nil {
		return nil, err
	}
	if m.errors, err = r.CounterVec(Desc{Name: "http_server_errors_total", Help: "HTTP requests answered with a 5xx status.", Labels: []string{"method", "route"}}); err != nil {
		return nil, err
	}
	if m.duration, err = r.HistogramVec(Desc{Name: "http_server_request_duration", Unit: "seconds", Help: "Time to serve an HTTP request.", Labels: []string{"method", "route"}}, buckets...); err != nil {
		return nil, err
	}
	if m.inflight, err = r.Gauge(Desc{Name: "http_server_requests_in_flight", Help: "HTTP requests being served."}); err != nil {
		return nil, err
	}
	return &m, nil
}

// Middleware wraps next so that every request it serves is measured.
// Put it outside the ServeMux: the route is read from r.Pattern after the
// mux has matched the request. Middleware between the two that passes on
// a copy of the request (r.WithContext) must copy the pattern back, as
// the logging, behavior and tracing middleware do, or the route reads
// "unmatched". A handler that panics counts as a 500 and an error; the
// panic is not recovered.
func (m *HTTPMetrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m.inflight.Inc()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		finished := false
		defer func() { m.record(r, sw, finished, start) }()
		next.ServeHTTP(sw, r)
		finished = true
	})
}

// record counts a request when its handler has returned or panicked. A
// handler that panicked (finished is false) is a server error: net/http
// aborts the response, so it counts as a 500 unless a status was already
// sent, and among the errors either way. The panic goes on up.
func (m *HTTPMetrics) record(r *http.Request, sw *statusWriter, finished bool, start time.Time) {
	m.inflight.Dec()
	method, route := methodLabel(r.Method), r.Pattern
	if route == "" {
		route = "unmatched"
	}
	if !finished && !sw.wrote {
		sw.code = http.StatusInternalServerError
	}
	m.requests.With(method, route, strconv.Itoa(sw.code)).Inc()
	if sw.code >= 500 || !finished {
		m.errors.With(method, route).Inc()
	}
	m.duration.With(method, route).ObserveSince(start)
}

// methodLabel keeps the standard methods and folds the rest, which a
// client may invent freely, into "OTHER".
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	code  int
	wrote bool
}

// WriteHeader remembers the first status code and passes it on.
func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.code, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write marks the header sent (200 unless WriteHeader said otherwise).
func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
