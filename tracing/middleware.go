package tracing

import (
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/trace"
)

// Middleware returns HTTP server middleware (otelhttp.NewHandler) that
// continues the trace context of an incoming request (W3C traceparent and
// baggage, [Propagator]) in a server span of tp named operation, and puts
// that span in the request's context for handlers, log records and
// outgoing calls. With operation "" the span is named after the
// http.ServeMux pattern that matched ("GET /cart/{id}"), else the method.
// A nil tp means the global provider.
func Middleware(tp trace.TracerProvider, operation string) func(http.Handler) http.Handler {
	opts := []otelhttp.Option{otelhttp.WithPropagators(Propagator()), otelhttp.WithSpanNameFormatter(spanName)}
	if tp != nil {
		opts = append(opts, otelhttp.WithTracerProvider(tp))
	}
	return func(h http.Handler) http.Handler {
		return otelhttp.NewHandler(h, operation, opts...)
	}
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
