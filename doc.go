// Package o2kit ships a Go service's observability data to OpenObserve
// through one batching exporter, and reads it back with SQL search.
//
// [New] builds a [Client] from functional options; every feature package
// (logging, behavior, metrics, tracing, alerting, pipeline) takes that client
// first and writes through it. [Client.Emit] queues a [Record] and never
// blocks by default; [Client.Flush] sends what is queued; [Client.Shutdown]
// drains and stops. [Client.Stats] counts every record: accepted, sent,
// retried, dropped, spooled, failed, partially failed, per stream.
//
// # The data path
//
// Processors run on the caller's goroutine, then the record is encoded as a
// JSON line with normalised keys into its stream's open batch. A batch is
// sealed by count (WithBatchSize, default 100), by bytes (WithBatchBytes,
// default 1 MiB) or by time (WithFlushInterval, default 5 s), compressed
// (gzip by default) and posted to /api/{org}/{stream}/_multi by a few
// sender goroutines. Failed requests are retried with exponential backoff
// and full jitter, honouring Retry-After; 400, 401 and 403 are not retried
// and are reported; 413 splits a batch in halves; a 200 whose status counts
// failures is a partial failure, reported with the server's message.
//
// Memory is capped (WithMaxBufferedBytes, default 64 MiB). At the cap, Emit
// drops the newest record and counts it, or waits with [Block]. With
// [WithSpool], each sealed batch is written to disk before it is sent and
// deleted once the server has acknowledged it, batches wait on disk rather
// than in memory, and what an earlier run left is sent on start; records
// are delivered at least once, and each carries an id field (o2kit_id) to
// de-duplicate by. A record is durable once its batch is in the spool
// (Stats.Spooled counts them; a sealed batch is written within moments by a
// goroutine of its own, so Emit does not wait for the disk). Records still
// in an open batch when the process dies are lost: at most a batch, or a
// flush interval's worth; so are slog records still in the record queue
// (see below): at most 256, or 20 ms' worth.
//
// [Client.EmitSlog] is Emit for slog handlers that ship through the
// client, as the logging package's does: it takes the handler's fields and
// the slog.Record as they are. It does not encode the record on the
// caller's goroutine: after the processors, it settles what could change
// after the call (LogValuers are resolved, errors become their text),
// copies the record into a bounded queue and returns, and one encoder goroutine of
// the client writes the JSON into the stream's batch within moments
// (20 ms, or at once when a batch's worth waits). The caller's share of a
// log record is then a copy; the encoding's CPU moves to the client's
// goroutine. The queue's records count against the memory cap, Flush and
// Shutdown encode them first, and a record the encoder then refuses (too
// large after all) is counted as dropped and reported to the
// [ErrorHandler]. A record holding values the encoder would have to reach
// into later (of kind Any other than errors), or near a size limit, is
// encoded by its caller as Emit does, keeping its place in the queue.
//
// Traces take the same path as whole bodies: [Client.EmitOTLP] queues one
// OTLP/protobuf export request (the tracing package's span exporter makes
// them) as a batch of its own, posted to /api/{org}/v1/traces with the
// stream in the stream-name header. The byte budget, spool, retries,
// failover, Flush, Shutdown and Stats (keyed "traces:"+stream, counting
// spans) apply as to records; processors, ids and re-stamping do not, a 413
// splits the body by resources, scopes or spans, and spans the server
// rejects are partial failures.
//
// Every background failure goes to the [ErrorHandler] (by default a
// rate-limited line on stderr).
//
// # Configuration
//
// Settings are applied in one order: defaults, environment
// (OPENOBSERVE_URL, OPENOBSERVE_ORG, OPENOBSERVE_USER, OPENOBSERVE_TOKEN,
// OPENOBSERVE_PASSWORD), the YAML file of [WithConfigFile], then options.
// The file's shape, with ${VAR} expanded from the environment:
//
//	openobserve:
//	  url: "http://localhost:5080"        # or a list: failover in order
//	  organization: "caddy-shopping"
//	  auth: { type: "basic", user: "ops@example.com", token: "${OPENOBSERVE_TOKEN}" }
//	  streams: { application_logs: "application-logs", business_events: "business-events",
//	             user_behavior: "user-behavior", metrics: "metrics", traces: "traces" }
//	  retention: { logs: "30d", metrics: "90d", traces: "7d", business_events: "365d" }
//	  performance: { batch_size: 100, flush_interval: 5000, max_retries: 3, timeout: 30000 }
//	  spool: { dir: "/var/lib/shop/o2spool", max_bytes: 1073741824 }
//
// Open-source OpenObserve accepts only Basic authentication: a user's e-mail
// with its password or passcode, or an o2oi_ ingestion token with any name.
// A Bearer token is for gateways and enterprise builds.
//
// # Streams
//
// The default streams and the days [Client.Provision] keeps their data:
//
//	application-logs   logging.New                 30
//	business-events    logging.NewBusiness        365
//	user-behavior      behavior.NewTracker         30
//	metrics            the metrics registry        90
//	traces             tracing                      7
//	alerts             alerting history            90
//	audit              logging audit records      365
//	dead-letter        records failing checks      30
//
// OpenObserve normalises names: application-logs is stored, and searched,
// as application_logs; field keys are lowered with '_' for other
// characters. The client sends names already normalised ([StreamName],
// [FieldName]), so what users query is what they wrote.
//
// # Context
//
// [ContextWithUser], [ContextWithSession], [ContextWithRequest] and
// [ContextWithTenant] put the ids every module stamps on its records into a
// context; [AppendContextAttrs] reads them back with the OpenTelemetry trace
// and span ids.
package o2kit
