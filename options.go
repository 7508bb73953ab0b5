package o2kit

import (
	"crypto/tls"
	"net/http"
	"time"
)

// An Option configures a [Client]. Options are applied by [New] after the
// defaults, the environment and the config file, so they win over both.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithEndpoint sets the OpenObserve base URLs, such as
// "http://localhost:5080". With several, requests go to the first that
// answers and fail over to the next, in order. Default
// "http://localhost:5080"; overrides OPENOBSERVE_URL (comma-separated) and
// the file key openobserve.url. User info in a URL is taken as Basic
// credentials. A URL that is not absolute http or https makes New fail.
func WithEndpoint(urls ...string) Option {
	return optionFunc(func(c *config) { c.endpoints = append([]string(nil), urls...) })
}

// WithOrg sets the OpenObserve organization. Default "default"; overrides
// OPENOBSERVE_ORG and openobserve.organization. An empty name or one with
// '/' makes New fail.
func WithOrg(org string) Option {
	return optionFunc(func(c *config) { c.org = org })
}

// WithBasicAuth sets Basic credentials: a user's e-mail with its password or
// passcode, or any name with an o2oi_ organization ingestion token. This is
// the only scheme open-source OpenObserve accepts. Overrides
// OPENOBSERVE_USER/OPENOBSERVE_TOKEN and openobserve.auth.
func WithBasicAuth(user, password string) Option {
	return optionFunc(func(c *config) { c.auth = auth{kind: authBasic, user: user, secret: password} })
}

// WithBearerToken sends "Authorization: Bearer <token>", for gateways and
// enterprise OpenObserve builds; the open-source server answers Bearer with
// 401. Overrides the environment and openobserve.auth.
func WithBearerToken(token string) Option {
	return optionFunc(func(c *config) { c.auth = auth{kind: authBearer, secret: token} })
}

// WithHTTPClient sets the HTTP client requests go through; its Transport is
// wrapped for failover, and its Timeout is lowered to WithTimeout's. Default:
// a client with a clone of http.DefaultTransport. nil means the default.
func WithHTTPClient(hc *http.Client) Option {
	return optionFunc(func(c *config) { c.httpClient = hc })
}

// WithTLSConfig sets the TLS configuration: a custom CA (RootCAs), client
// certificates, a server name. It is applied to the default transport, or to
// WithHTTPClient's when that is an *http.Transport (otherwise New fails).
func WithTLSConfig(tc *tls.Config) Option {
	return optionFunc(func(c *config) { c.tls = tc })
}

// WithBatchSize sets the most records sent in one request. Default 100;
// file key performance.batch_size. Values below 1 make New fail.
func WithBatchSize(n int) Option {
	return optionFunc(func(c *config) { c.batchSize = n })
}

// WithBatchBytes sets the most encoded bytes (before compression) in one
// request; it is also the largest record Emit accepts. Default 1 MiB; file
// key performance.batch_bytes. Values below 1 KiB make New fail.
func WithBatchBytes(n int) Option {
	return optionFunc(func(c *config) { c.batchBytes = n })
}

// WithFlushInterval sets how long a record may wait in an open batch before
// the batch is sent, and so how many records a crash can lose. Default 5 s;
// file key performance.flush_interval (milliseconds). Values not above zero
// make New fail.
func WithFlushInterval(d time.Duration) Option {
	return optionFunc(func(c *config) { c.flushInterval = d })
}

// WithMaxRetries sets how many times a failed request is retried (on
// connection errors, 408, 429 and 5xx) before the batch counts as failed, or,
// with a spool, goes back to it for later. Default 3; file key
// performance.max_retries. Negative values make New fail.
func WithMaxRetries(n int) Option {
	return optionFunc(func(c *config) { c.maxRetries = n })
}

// WithTimeout sets the time limit of one request attempt. Default 30 s; file
// key performance.timeout (milliseconds). Values not above zero make New fail.
func WithTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.timeout = d })
}

// WithMaxBufferedBytes caps the memory held by records not yet delivered
// (open, queued and in-flight batches). At the cap, Emit drops the newest
// record, or waits with [Block]; with a spool, queued batches wait on disk
// instead of in memory. Default 64 MiB; file key
// performance.max_buffered_bytes. Values below the batch byte limit make New
// fail.
func WithMaxBufferedBytes(n int64) Option {
	return optionFunc(func(c *config) { c.maxBuffered = n })
}

// Overflow is what Emit does when the buffer is full. See [DropNewest] and
// [Block].
type Overflow struct {
	block   bool
	timeout time.Duration
}

// DropNewest makes Emit drop the record it was given, count it and return
// ErrOverflow, without waiting. It is the default.
func DropNewest() Overflow { return Overflow{} }

// Block makes Emit wait up to timeout (or until its context ends) for room,
// then drop the record as DropNewest does.
func Block(timeout time.Duration) Overflow { return Overflow{block: true, timeout: timeout} }

// WithOverflow sets what Emit does when the buffer is full. Default
// [DropNewest]. A Block with a timeout not above zero makes New fail.
func WithOverflow(o Overflow) Option {
	return optionFunc(func(c *config) { c.overflow = o })
}

// Compression is a request body encoding.
type Compression uint8

// The encodings OpenObserve accepts.
const (
	Gzip         Compression = iota // gzip at its fastest level (default)
	Zstd                            // zstandard at its fastest level
	Uncompressed                    // no compression
)

// WithCompression sets how request bodies are compressed. Default [Gzip];
// file key performance.compression (gzip, zstd or none). Other values make
// New fail.
func WithCompression(c Compression) Option {
	return optionFunc(func(cfg *config) { cfg.compression = c })
}

// WithSpool keeps batches in dir on disk from the moment they are sealed
// until the server acknowledges them, and resends what it finds there on
// start, so nothing spooled is lost to an outage or a crash. Records still
// in an open batch at a crash are lost: at most a batch, or a flush
// interval's worth (plus a sealed batch that the spool writer, which keeps
// disk writes off the caller's goroutine, had not yet written).
// maxBytes caps the spool's size (0 means 1 GiB); when it is full, new
// batches are dropped and counted. Default: no spool; file keys spool.dir and
// spool.max_bytes. A directory that cannot be created, or that another
// process's client holds, makes New fail.
func WithSpool(dir string, maxBytes int64) Option {
	return optionFunc(func(c *config) { c.spoolDir, c.spoolMax = dir, maxBytes })
}

// WithIngestWindow sets how old a record may be before the server refuses
// it (OpenObserve's ZO_INGEST_ALLOWED_UPTO, 5 h by default). Older records,
// such as those replayed from a spool after a long outage, are re-stamped to
// the time of sending with their own time kept in the field
// original_timestamp (µs). Values not above zero make New fail.
func WithIngestWindow(d time.Duration) Option {
	return optionFunc(func(c *config) { c.ingestWindow = d })
}

// WithProcessors appends processors that every record passes through, in
// order, on the caller's goroutine, before it is encoded.
func WithProcessors(ps ...Processor) Option {
	return optionFunc(func(c *config) { c.processors = append(c.processors, ps...) })
}

// WithErrorHandler sets where background failures go. Default: a
// rate-limited line on stderr through the log package. nil means the default.
func WithErrorHandler(h ErrorHandler) Option {
	return optionFunc(func(c *config) { c.errorHandler = h })
}

// WithStreams renames the default streams; empty fields keep their
// defaults. File key openobserve.streams.
func WithStreams(s Streams) Option {
	return optionFunc(func(c *config) { c.streams = c.streams.merge(s) })
}

// WithRetention sets how many days the server keeps a stream's data, applied
// by [Client.Provision]. Defaults come from the stream table in the package
// documentation; file keys retention.logs, retention.business_events and so
// on. Values below 1 make New fail.
func WithRetention(stream string, days int) Option {
	return optionFunc(func(c *config) {
		if c.retention == nil {
			c.retention = map[string]int{}
		}
		c.retention[stream] = days
	})
}

// WithConfigFile reads settings from a YAML file (the shape is in the
// package documentation), after the environment and before the other
// options. ${VAR} references in it expand from the environment. A missing
// file, unknown keys or bad values make New fail.
func WithConfigFile(path string) Option {
	return optionFunc(func(c *config) { c.configFile = path })
}

// WithIDField names the field that carries each record's id (a UUIDv7
// string), used to de-duplicate after a replay, which delivers at least
// once. A record that already has a top-level string attribute of that
// exact name (at most 128 bytes), such as one read back from OpenObserve
// or restored from a backup, keeps its id. Default "o2kit_id"; "" leaves
// ids out. A name that is not a normalised key, or that is _timestamp or
// original_timestamp (fields that hold a record's time), makes New fail.
func WithIDField(name string) Option {
	return optionFunc(func(c *config) { c.idField = &name })
}

// WithConcurrency sets how many requests may be in flight at once, and so
// how many sender goroutines run. Default 4: while the server works on one
// request the next is being compressed. File key performance.concurrency.
// Values below 1 make New fail.
func WithConcurrency(n int) Option {
	return optionFunc(func(c *config) { c.concurrency = n })
}

// WithClock sets the clock that stamps records without a time and decides
// what is too old to send. Default time.Now. Tests and examples pin it.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) { c.now = now })
}
