// Package tracing sets up OpenTelemetry tracing whose spans go to
// OpenObserve through the shared o2kit client.
//
// [Setup] builds a TracerProvider (and returns its shutdown function) once
// in main after o2kit.New: spans end in a batch span processor, whose
// batches [NewExporter] encodes as OTLP/protobuf export requests and hands
// to client.EmitOTLP. They then travel like every other signal: the
// client's auth, TLS, compression, retries with backoff, failover, byte
// budget and spool apply, and client.Stats counts spans under
// "traces:traces". Call the shutdown function, then client.Shutdown, which
// sends what is left (or keeps it in the spool for the next start).
//
//	tp, stop, err := tracing.Setup(ctx, client,
//		tracing.WithServiceName("checkout"), tracing.WithSampler(tracing.ParentRatio(0.1)), tracing.WithGlobal())
//	defer stop(ctx)
//
// # Sampling
//
// [Always], [Never], [Ratio] (by trace id), [ParentRatio] (follow the
// parent, ratio for new traces) and [RateLimited] (at most N new traces a
// second, children follow) are plain sdktrace.Sampler values;
// OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG choose one when
// [WithSampler] does not ([SamplerFromEnv]).
//
// # Resource
//
// Spans carry service.name ([WithServiceName], else OTEL_SERVICE_NAME),
// service.version, deployment.environment.name and host.name, and what
// OTEL_RESOURCE_ATTRIBUTES adds (key=value pairs split by commas, values
// percent-decoded: team=pay%20ments is "pay ments"). OTEL_SERVICE_NAME wins
// over a service.name there; a malformed OTEL_RESOURCE_ATTRIBUTES makes
// [Setup] fail. OpenObserve stores the service name as service_name and
// other resource attributes with a service_ prefix.
//
// # Business spans
//
// [Start] starts a span carrying the user, session, request and tenant ids
// that o2kit keeps in the context; [OrderPlaced], [PaymentAuthorised],
// [StockReserved] and [Event] record business events on the span in the
// context, and [RecordError] records an error and sets the Error status.
// The three business helpers check their input first (an order id, an
// amount not below zero, a three-letter currency, a quantity of at least
// one) and return an error matching [ErrInvalidEvent] instead of recording
// an event that cannot be true.
// Log records written with o2kit.AppendContextAttrs (the logging package
// does) inside a span carry its trace_id and span_id.
//
// # HTTP
//
// [Middleware] continues an incoming request's W3C trace context in a
// server span; [Transport] carries the context on outgoing requests in a
// client span. Both are otelhttp with [Propagator].
//
// # What differs from a stock OTLP exporter
//
// Export returns once the client has queued the batch, not when the
// server answered; failures after that go to the client's ErrorHandler
// and Stats. Spans the server rejects (older than its ingest window, for
// one), in a 200 answer with a protobuf partial_success or a 206 with a
// JSON partialSuccess, are counted as PartialFailures and reported to the
// ErrorHandler as an *o2kit.PartialError with the server's message. Spans are never re-stamped, so
// spans kept in the spool longer than the server's window (5 h by
// default) are rejected when they are finally sent. A batch replayed from
// the spool after a crash may arrive twice. A string that is not valid
// UTF-8, which protobuf cannot carry, is sent with U+FFFD in place of
// each bad sequence, where a stock exporter fails the whole batch.
package tracing
