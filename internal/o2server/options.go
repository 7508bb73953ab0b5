package o2server

import "time"

// Defaults, as the real server ships them (src/config/src/config.rs).
const (
	defaultRootEmail    = "root@example.com"
	defaultRootPassword = "Complexpass#123"
	defaultPayloadLimit = 200 << 20 // ZO_PAYLOAD_LIMIT
	defaultPast         = 5 * time.Hour
	defaultFuture       = 24 * time.Hour
	defaultFlattenLevel = 3
	requestLogSize      = 1000
)

// config is the server's configuration, built by New from defaults and
// options.
type config struct {
	rootEmail    string
	rootPassword string
	payloadLimit int64
	past         time.Duration
	future       time.Duration
	clock        func() time.Time
	flattenLevel int
	countOnly    bool
	sortedKeys   bool
	nodeName     string
}

func defaultConfig() config {
	return config{
		rootEmail:    defaultRootEmail,
		rootPassword: defaultRootPassword,
		payloadLimit: defaultPayloadLimit,
		past:         defaultPast,
		future:       defaultFuture,
		clock:        time.Now,
		flattenLevel: defaultFlattenLevel,
		nodeName:     "o2server",
	}
}

// Option configures a [Server]. Options are applied by [New] in order.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithRootUser sets the root user's e-mail and password, which the real
// server reads from ZO_ROOT_USER_EMAIL and ZO_ROOT_USER_PASSWORD on first
// boot. Default "root@example.com" / "Complexpass#123". Empty values keep
// the default.
func WithRootUser(email, password string) Option {
	return optionFunc(func(c *config) {
		if email != "" {
			c.rootEmail = email
		}
		if password != "" {
			c.rootPassword = password
		}
	})
}

// WithPayloadLimit sets the largest request body accepted, counted after
// decompression (ZO_PAYLOAD_LIMIT). Larger bodies get 413. Default 200 MiB;
// values below 1 keep the default.
func WithPayloadLimit(n int64) Option {
	return optionFunc(func(c *config) {
		if n > 0 {
			c.payloadLimit = n
		}
	})
}

// WithIngestWindow sets how far in the past and the future a log or span
// event time may be (ZO_INGEST_ALLOWED_UPTO and ZO_INGEST_ALLOWED_IN_FUTURE,
// whole hours in the server's messages). Default 5h and 24h; values below 1
// keep the default.
func WithIngestWindow(past, future time.Duration) Option {
	return optionFunc(func(c *config) {
		if past > 0 {
			c.past = past
		}
		if future > 0 {
			c.future = future
		}
	})
}

// WithClock sets the source of "now": the time given to records without a
// _timestamp, the ingest window and automatic histogram intervals. Default
// time.Now; nil keeps the default.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) {
		if now != nil {
			c.clock = now
		}
	})
}

// WithFlattenLevel sets how deep nested objects are flattened before the
// rest is stored as a JSON string (ZO_INGEST_FLATTEN_LEVEL); 0 means no
// limit. Default 3; negative values keep the default. A stream's own
// flatten_level setting takes precedence.
func WithFlattenLevel(n int) Option {
	return optionFunc(func(c *config) {
		if n >= 0 {
			c.flattenLevel = n
		}
	})
}

// WithCountOnly makes ingestion validate every request as the real server
// does (decompression, JSON, objects, timestamps, the window) and count the
// records, but store nothing. Search then finds no streams. It suits
// throughput benchmarks; [Server.Count] and [Server.Totals] still work.
func WithCountOnly() Option {
	return optionFunc(func(c *config) { c.countOnly = true })
}

// WithSortedKeys sorts the members of objects that are stored as JSON
// strings (beyond the flatten level, inside arrays) by key, as serde_json's
// default map does and OpenObserve builds before v0.92 did. By default they
// keep the order they were sent in; see the package documentation.
func WithSortedKeys() Option {
	return optionFunc(func(c *config) { c.sortedKeys = true })
}

// WithNodeName sets the x-api-node response header of /api responses
// (ZO_INSTANCE_NAME). Default "o2server"; empty keeps the default.
func WithNodeName(name string) Option {
	return optionFunc(func(c *config) {
		if name != "" {
			c.nodeName = name
		}
	})
}
