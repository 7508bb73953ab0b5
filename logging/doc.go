// Package logging ships structured logs, business events and audit records
// to OpenObserve through the shared o2kit client.
//
// [New] returns an *slog.Logger whose [Handler] writes every record to the
// client's application-logs stream; build it once in main after o2kit.New,
// set it as slog's default if you like, and let client.Shutdown flush what
// is left. With [WithConsole] or [WithHandlers] the handler also fans
// records out, with samber/slog-multi, on a background goroutine that
// [Handler.Close] stops; a slow or failing console never holds back
// shipping.
//
// # The log schema
//
// Every record carries _timestamp (µs), level (DEBUG, INFO, WARN or
// ERROR), service ([WithService]), message, the ids in the context
// (user_id, session_id, request_id and tenant_id from o2kit.ContextWithUser
// and its siblings, trace_id and span_id from the OpenTelemetry span), the
// source with [WithSource], and then the caller's attributes. Groups are
// flattened the way OpenObserve flattens nested objects:
// logger.WithGroup("order").Info("paid", "id", 7) stores order_id. Keys are
// normalised as the server normalises them (lower case, '_' for other
// characters). An error value is stored as its text; one that wraps others
// adds key_chain, the type and text of each wrapped error. A LogValuer or
// MarshalJSON that panics costs its own field, never the caller. A caller
// attribute named like a schema field comes after it in the JSON object.
//
// The handler allocates nothing per record: it assembles the attributes in
// pooled space and the client encodes them on the calling goroutine into
// its batch, never blocking.
package logging
