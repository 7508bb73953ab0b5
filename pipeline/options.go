package pipeline

import (
	"log/slog"
	"time"

	"github.com/o2kit/o2kit"
)

// Option configures a processor. Each option's doc names the processors it
// applies to; the others ignore it.
type Option interface{ apply(*procConfig) }

type optionFunc func(*procConfig)

func (f optionFunc) apply(c *procConfig) { f(c) }

type procConfig struct {
	now func() time.Time

	cacheSize int           // Lookup
	cacheTTL  time.Duration // Lookup

	strategy   Strategy // MaskPII
	kinds      []Kind   // MaskPII; nil means all
	secretKeys []string // MaskPII, added to the defaults
	exemptKeys []string // MaskPII

	action     contractAction // Contract
	deadLetter string         // Contract
	flagKey    string         // Contract

	random      func() float64         // Sample
	levelKey    string                 // Sample
	streamRates map[string]float64     // Sample
	levelRates  map[slog.Level]float64 // Sample

	keyFields []string // Dedupe
	maxKeys   int      // Dedupe

	limits map[string]bucketLimit // RateLimit
}

type bucketLimit struct {
	rate  float64
	burst int
}

func newConfig(opts []Option) *procConfig {
	c := &procConfig{
		now:        time.Now,
		cacheSize:  10_000,
		cacheTTL:   5 * time.Minute,
		strategy:   Redact(),
		deadLetter: o2kit.DefaultStreams().DeadLetter,
		flagKey:    "contract_violation",
		levelKey:   "level",
		maxKeys:    10_000,
	}
	for _, o := range opts {
		if o != nil {
			o.apply(c)
		}
	}
	return c
}

// WithClock sets the clock of [Lookup]'s cache, [Dedupe]'s window and
// [RateLimit]'s buckets. Default time.Now; nil keeps the default.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *procConfig) {
		if now != nil {
			c.now = now
		}
	})
}

// WithCache bounds [Lookup]'s cache to size entries, each kept for ttl.
// Default 10 000 entries for 5 minutes. A size below 1 turns the cache off;
// a ttl of 0 or less keeps entries until they are evicted for room.
func WithCache(size int, ttl time.Duration) Option {
	return optionFunc(func(c *procConfig) { c.cacheSize, c.cacheTTL = size, ttl })
}

// WithStrategy sets how [MaskPII] replaces what it finds: [Redact] (the
// default), [Partial] or [Hash].
func WithStrategy(s Strategy) Option {
	return optionFunc(func(c *procConfig) { c.strategy = s })
}

// WithKinds restricts [MaskPII] to the given kinds of data; none means
// no text is scanned. Default: every kind. Fields named as secrets are
// masked whatever the kinds. Unknown kinds are ignored.
func WithKinds(kinds ...Kind) Option {
	return optionFunc(func(c *procConfig) {
		c.kinds = append([]Kind{}, kinds...) // not nil, which means every kind
	})
}

// WithSecretKeys adds field names whose values [MaskPII] always masks in
// full, to the default list (password, secret, token, api_key,
// authorization...). A name matches a key that ends with it at a word
// boundary, in any case: "password" matches "db_password" and "DBPassword".
func WithSecretKeys(names ...string) Option {
	return optionFunc(func(c *procConfig) { c.secretKeys = append(c.secretKeys, names...) })
}

// WithExemptKeys names fields whose values [MaskPII] does not scan, such
// as a field that already holds anonymised data or an order number the
// scanner would take for a card. A name matches a key (of an attribute,
// inside groups too, or of a map) equal to it in the canonical form of
// [WithSecretKeys] ("client_ip" matches "clientIP" but not "ip"); the
// whole value is exempt, groups and maps inside it included. A key named
// as a secret is still masked whole. Default: none.
func WithExemptKeys(names ...string) Option {
	return optionFunc(func(c *procConfig) { c.exemptKeys = append(c.exemptKeys, names...) })
}

// DeadLetterTo makes a [Contract] send failing records to stream, with
// their reason. This is the default, to the stream named by
// [o2kit.DefaultStreams]; pass the client's Streams().DeadLetter when the
// streams are renamed.
func DeadLetterTo(stream string) Option {
	return optionFunc(func(c *procConfig) { c.action, c.deadLetter = deadLetterAction, stream })
}

// DropInvalid makes a [Contract] drop failing records (counted as Filtered
// by the client).
func DropInvalid() Option {
	return optionFunc(func(c *procConfig) { c.action = dropAction })
}

// FlagInvalid makes a [Contract] pass failing records on with the field
// key set to their reason. An empty key means "contract_violation".
func FlagInvalid(key string) Option {
	return optionFunc(func(c *procConfig) {
		c.action = flagAction
		if key != "" {
			c.flagKey = key
		}
	})
}

// WithRandom sets the source of [Sample]'s decisions: a function returning
// numbers in [0, 1). Default math/rand/v2's Float64.
func WithRandom(f func() float64) Option {
	return optionFunc(func(c *procConfig) { c.random = f })
}

// WithStreamRate sets the share of records [Sample] keeps for one stream,
// overriding the level rates and the default. The name matches as given or
// normalised.
func WithStreamRate(stream string, rate float64) Option {
	return optionFunc(func(c *procConfig) {
		if c.streamRates == nil {
			c.streamRates = map[string]float64{}
		}
		c.streamRates[stream] = rate
	})
}

// WithLevelRate sets the share of records at level that [Sample] keeps on
// streams without a rate of their own. Records at slog.LevelError and above
// are always kept.
func WithLevelRate(level slog.Level, rate float64) Option {
	return optionFunc(func(c *procConfig) {
		if c.levelRates == nil {
			c.levelRates = map[slog.Level]float64{}
		}
		c.levelRates[level] = rate
	})
}

// WithLevelKey names the field [Sample] reads a record's level from.
// Default "level". The value may be a slog.Level, a number, or a name such
// as "debug", "INFO", "warning" or "ERROR+2".
func WithLevelKey(key string) Option {
	return optionFunc(func(c *procConfig) { c.levelKey = key })
}

// WithKeyFields makes [Dedupe] compare records by the values of these
// fields only (and their stream). Default: every field.
func WithKeyFields(names ...string) Option {
	return optionFunc(func(c *procConfig) { c.keyFields = append([]string(nil), names...) })
}

// WithMaxKeys bounds the records [Dedupe] remembers at once; when full it
// forgets the oldest first. Default 10 000. Values below 1 are rejected.
func WithMaxKeys(n int) Option {
	return optionFunc(func(c *procConfig) { c.maxKeys = n })
}

// WithStreamLimit sets [RateLimit]'s records per second and burst for one
// stream, overriding the default bucketLimit. The name matches as given or
// normalised. A rate of 0 or less removes the stream's bucketLimit.
func WithStreamLimit(stream string, perSecond float64, burst int) Option {
	return optionFunc(func(c *procConfig) {
		if c.limits == nil {
			c.limits = map[string]bucketLimit{}
		}
		c.limits[stream] = bucketLimit{perSecond, burst}
	})
}
