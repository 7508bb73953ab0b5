// Package o2server is an in-process OpenObserve-compatible server for the
// library's tests, benchmarks and examples.
//
// [New] returns a [Server], an [http.Handler] that can be mounted on
// httptest.NewServer or served on a real port with [Server.Start]; [Server.Close]
// stops it and frees its data. It starts with the org "default" and a root
// user ([Server.RootUser]), and answers like the real server does, as
// described in the project's OpenObserve fact sheet:
//
//   - authentication: Basic only, with the root password, the root passcode
//     ([Server.Passcode]) or an org ingestion token ([Server.IngestionToken])
//     on ingestion routes, and the server's two different 401 bodies;
//   - ingestion: _json, _multi, _bulk, ingest/metrics/_json and OTLP logs,
//     metrics and traces over HTTP (protobuf and JSON), with gzip, deflate
//     and zstd bodies, the payload limit, stream and key normalisation,
//     flattening, _timestamp rules, the ingest window, schema inference,
//     widening and casts, and per-record failures in a 200 answer;
//   - search: POST _search runs the query on an embedded SQLite database per
//     org and stream type, after rewriting the DataFusion dialect: streams are
//     filtered to [start_time, end_time), histogram, match_all, str_match,
//     re_match and ILIKE are supported, and size, from, the default order
//     and track_total_hits behave as on the real server;
//   - PromQL: prometheus/api/v1/query and query_range evaluate with the
//     Prometheus engine over the stored metrics streams (a stream per metric,
//     its string columns as labels), with the server's parameter forms
//     (times with unit detection, steps such as "1m30s", float steps
//     rejected, GET or form POST), its step rounding and alignment and its
//     answer shapes: whole-second sample times, Rust float strings, vectors
//     sorted by value, a trace_id, and 400 bad_data errors; series, labels
//     and label/{name}/values answer from the streams' fields and rows
//     (use_streaming, query_exemplars, metadata and format_query are not
//     served);
//   - stream management: list, schema, create, settings and delete, plus
//     /healthz and /config.
//
// Tests observe what was stored with [Server.Records], [Server.Count],
// [Server.Totals] and [Server.Requests], and inject failures with
// [Server.Push], [Server.SetFaultFunc] and [Server.SetDown].
// [WithCountOnly] turns storage off for throughput benchmarks while keeping
// every validation.
//
// Objects stored as JSON strings (beyond the flatten level, or inside
// arrays) keep their keys in the order they were sent: OpenObserve builds
// from v0.92 pull in serde_json's preserve_order feature through a
// dependency. Older builds sorted them, as serde_json's default map does;
// [WithSortedKeys] switches to that.
package o2server
