package tracing

import (
	"context"
	"net/http"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Middleware returns HTTP server middleware (otelhttp.NewHandler) that
// continues the trace context of an incoming request (W3C traceparent and
// baggage, [Propagator]) in a server span of tp named operation, and puts
// that span in the request's context for handlers, log records and
// outgoing calls. With operation "" the span is named after the
// http.ServeMux pattern that matched ("GET /cart/{id}"), else the method;
// the middleware may sit outside the mux, since the span is renamed once
// the mux has matched. The pattern is also copied back to r.Pattern when
// the handler returns, as the mux itself does, so middleware outside this
// one can label the request by route. A nil tp means the global provider;
// a nil handler given to the middleware means http.DefaultServeMux, as in
// http.ListenAndServe.
func Middleware(tp trace.TracerProvider, operation string) func(http.Handler) http.Handler {
	opts := []otelhttp.Option{otelhttp.WithPropagators(Propagator()), otelhttp.WithSpanNameFormatter(spanName)}
	if tp != nil {
		opts = append(opts, otelhttp.WithTracerProvider(tp))
	}
	return func(h http.Handler) http.Handler {
		if h == nil {
			h = http.DefaultServeMux
		}
		inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if r.Pattern == "" {
					return
				}
				span := trace.SpanFromContext(r.Context())
				if operation == "" {
					span.SetName(r.Pattern)
				}
				span.SetAttributes(semconv.HTTPRoute(routeOf(r.Pattern)))
				if slot, ok := r.Context().Value(patternKey{}).(*string); ok {
					*slot = r.Pattern
				}
			}()
			h.ServeHTTP(w, r)
		})
		traced := otelhttp.NewHandler(inner, operation, opts...)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var pattern string
			defer func() {
				if pattern != "" {
					r.Pattern = pattern
				}
			}()
			traced.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), patternKey{}, &pattern)))
		})
	}
}

// patternKey is the context key of the slot that carries the matched
// pattern from inside otelhttp's copy of the request back to the caller's.
type patternKey struct{}

// routeOf is a ServeMux pattern without its method and host: the route
// template the http.route attribute holds ("/cart/{id}").
func routeOf(pattern string) string {
	if i := strings.IndexByte(pattern, '/'); i >= 0 {
		return pattern[i:]
	}
	return pattern
}

// Transport returns an HTTP client transport (otelhttp.NewTransport) that
// makes a client span of tp for each request and carries the trace context
// to the server in its headers. A nil base means http.DefaultTransport; a
// nil tp the global provider. Use it as an http.Client's Transport and
// send requests with the caller's context.
func Transport(tp trace.TracerProvider, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	opts := []otelhttp.Option{otelhttp.WithPropagators(Propagator())}
	if tp != nil {
		opts = append(opts, otelhttp.WithTracerProvider(tp))
	}
	return otelhttp.NewTransport(base, opts...)
}

// spanName names a server span: the operation, else the request's pattern,
// else its method.
func spanName(operation string, r *http.Request) string {
	switch {
	case operation != "":
		return operation
	case r.Pattern != "":
		return r.Pattern
	}
	return r.Method
}
