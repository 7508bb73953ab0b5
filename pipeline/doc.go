// Package pipeline holds the processors that shape records on their way to
// OpenObserve, and the tools that back a stream up and restore it.
//
// A processor is an [o2kit.Processor]: the client runs the ones given to
// [o2kit.WithProcessors] on the goroutine that called Emit, in order, before
// the record is encoded, so a value a processor masks never reaches a
// buffer, the spool or the network. Processors are built once, in main, and
// are safe for concurrent use; none starts a goroutine.
//
//	client, err := o2kit.New(o2kit.WithProcessors(
//		pipeline.MaskPII(),
//		pipeline.Enrich(pipeline.Host(), pipeline.Service("checkout")),
//		pipeline.ForStreams(orders, "orders"),
//	))
//
// [Default] bundles the processors most services want: PII masking, then
// the host and service fields. [Chain] runs processors as one, and
// [ForStreams] and [ExceptStreams] restrict one to some streams.
//
// Processors that keep counters implement [o2kit.StatsReporter], so their
// counters reach [o2kit.Stats].Processors, keyed by processor:
// "contract:orders:missing:order_id", "mask:email", "sample:dropped",
// "dedupe:dropped", "ratelimit:<stream>:dropped", "lookup:<key>:hits".
//
// # Transforming and enriching
//
// [Set], [Rename], [Drop] and [Map] edit fields; [Func] runs custom code.
// [Enrich] adds static fields ([Host], [Service], [Version], [Environment],
// [Region]); [Lookup] adds fields found by a function of a record's field,
// such as a user's tier by user_id, through a bounded cache. A processor
// never writes into the record's Attrs: it copies the slice the first time
// it changes something, so a caller may reuse its attributes. Enrich and
// Lookup do not even copy: they wrap the attributes in an inline group (an
// empty key, flattened by slog and by the client) and add theirs after it;
// the processors of this package look into inline groups.
//
// # Data contracts
//
// A [Contract] checks the records of a stream: required fields, types,
// enums, ranges and lengths. A record that fails goes to the dead-letter
// stream with the reason, is dropped, or passes with a flag, as the
// contract says. Counters per contract and reason reach
// [o2kit.Stats].Processors through [o2kit.StatsReporter].
//
// # Masking personal data
//
// [MaskPII] finds e-mail addresses, phone numbers (mainland-China mobiles
// included), mainland-China resident ID numbers (checked by their GB 11643
// check digit and birth date), bank card numbers (checked by Luhn), IPv4
// and IPv6 addresses, bearer tokens and JWTs in string values, and fields
// whose key names a secret (password, token, api_key...). It redacts them,
// masks them partially, or replaces them with a keyed hash so that masked
// values still join across records. Addresses already anonymised (IPv4
// /24, IPv6 /48) are kept, and [WithExemptKeys] names fields it leaves
// unscanned. Its scanners are hand-written and allocate nothing for a
// record with nothing to mask.
//
// # Volume
//
// [Sample] keeps a share of records per stream and level and never drops
// errors; [Dedupe] drops repeats of a record within a window; [RateLimit]
// bounds the records per second of each stream.
//
// # Backup and restore
//
// [Backup] pages a stream out of OpenObserve through [o2kit.Client.Search]
// into gzip or zstd NDJSON files, one stored record per line, and writes a
// [Manifest] last: the time range, and each file's record count, size and
// SHA-256 checksum. Pages follow the records' (_timestamp, id) order from
// the last record read, not an offset, so records arriving meanwhile are
// neither skipped over nor read twice; a stream's max_query_range is met
// by reading in shorter windows. A later Backup into the same directory
// continues from the last manifest's end, making a chain of incremental
// backups. [Verify] reads a backup through against its manifests and names
// the file and line of any damage. [Restore] sends the records back with
// Emit, each with its original time (re-stamped by the client, that time
// kept in original_timestamp, when older than the ingest window) and its
// original id, which the client keeps; it flushes
// when the client's buffer fills, passes over (and counts) a record the
// client refuses as it is, and fails if any record was not stored.
// The command in examples/o2backup runs all three from the shell.
package pipeline
