// Package logging ships structured logs, business events and audit records
// to OpenObserve through the shared o2kit client, and reads logs back.
//
// [New] returns an *slog.Logger whose [Handler] writes every record to the
// client's application-logs stream. Build it once in main after o2kit.New
// (slog.SetDefault is up to you); client.Shutdown flushes what is left.
//
// # Lifecycle
//
// Without [WithConsole] and [WithHandlers] the handler starts nothing and
// needs no closing. With either, it fans records out, with samber/slog-multi,
// on one background goroutine behind a bounded queue, so a slow or failing
// console never holds back shipping. That goroutine belongs to the caller
// of [New] or [NewHandler], who stops it with [Handler.Close] when the
// program ends, before client.Shutdown; the client does not know of it.
// Build the handler with NewHandler to keep it at hand:
//
//	h := logging.NewHandler(client, logging.WithConsole(os.Stderr))
//	defer client.Shutdown(ctx) // runs last
//	defer h.Close(ctx)         // writes the queued console lines first
//	slog.SetDefault(slog.New(h))
//
// or reach it from a logger New returned, or one derived from it with With
// or WithGroup: logger.Handler().(*logging.Handler).Close(ctx). Close stops
// the goroutine for the handler and every handler derived from it; they go
// on writing to OpenObserve. A handler never closed keeps one idle
// goroutine until the program exits (goleak reports it in tests).
//
// # The log schema
//
// Every record carries _timestamp (µs), level (DEBUG, INFO, WARN or
// ERROR), service ([WithService]), message, the ids in the context
// (user_id, session_id, request_id and tenant_id from o2kit.ContextWithUser
// and its siblings, trace_id and span_id from the OpenTelemetry span), the
// caller's source_file, source_line and source_function with [WithSource],
// and then the caller's attributes. Groups are flattened the way
// OpenObserve flattens nested objects: logger.WithGroup("order").Info("paid",
// "id", 7) stores order_id. Keys are normalised as the server normalises
// them (lower case, '_' for other characters). An error value is stored as
// its text; a top-level error that wraps others adds key_chain, the type
// and text of each wrapped error. A LogValuer or MarshalJSON that panics
// costs its own field, never the caller. A caller attribute named like a
// schema field comes after it in the JSON object.
//
// The handler allocates nothing per record: it hands the client the schema
// fields and the slog.Record as they are (o2kit.Client.EmitSlog; with a
// WithGroup open, it assembles the attributes in pooled space). The
// client runs its processors, copies the record into its queue and encodes
// it on a goroutine of its own, so the calling goroutine pays for a copy,
// not for the JSON; it never blocks. [WithSampling] thins repeated DEBUG and INFO
// records; [WithLevelCounter] reports every record's level to a
// [LevelCounter], such as a metrics counter behind an ERROR-rate alert.
//
// # Business events and audit
//
// [NewBusiness] writes typed events to the business-events stream, each
// with an event_type: [Business.UserAction], [Business.Order] (amounts are
// [Money], minor units and an ISO 4217 code, never floats),
// [Business.Payment] and [Business.Inventory]. Required fields are checked
// first; a missing one is a *[FieldError] and nothing is written.
// [NewAudit] writes who did what to which resource, with which outcome and
// from where, to the audit stream, redacting secrets ([Redact]). Call
// client.Provision(ctx) once at start: it gives the audit stream its
// 365-day retention (and the other streams theirs); see [Audit] for an
// audit stream of another name.
//
// # HTTP
//
// [Middleware] logs each request (method, route, status, bytes, latency)
// at INFO, 4xx at WARN and 5xx at ERROR, with a request id taken from
// X-Request-ID when it is sane or made, and puts the id in the context for
// the request's other log lines. [SampleSuccess] thins the records of
// successful requests; failures are always logged.
//
// # Reading back
//
// [Search] and [Stats] query the server with SQL built from a [Query] or
// [StatsQuery]; values are only ever quoted literals, and a query the
// caller got wrong is a *[QueryError] naming the field. [NewAPI] mounts
// them, and POST /api/logs for entries from other services and
// front-ends, as HTTP handlers, behind the service's own auth with
// [WithAuth]. A batch of entries is checked whole and written whole or
// not at all (see [NewAPI] for the one exception, a full buffer).
//
// Every constructor takes the shared *o2kit.Client; given nil, nothing
// panics: writes and reads return [ErrNoClient] and the API answers 503.
package logging
