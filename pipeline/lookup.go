package pipeline

import (
	"context"
	"log/slog"
	"sync/atomic"

	"github.com/o2kit/o2kit"
)

// LookupFunc finds the fields to add to a record whose looked-up field has
// the value value (as text), such as a user's tier and country for a
// user_id. It is called concurrently; an empty answer is cached too. The
// answer is kept and shared by records: do not modify it afterwards.
type LookupFunc func(ctx context.Context, value string) ([]slog.Attr, error)

// Lookuper adds fields found by a [LookupFunc], through a bounded cache.
// Create it with [Lookup].
type Lookuper struct {
	key   fieldPath
	name  string
	fn    LookupFunc
	cache *lru
	cfg   *procConfig

	hits, misses, errors atomic.Int64
}

var (
	_ o2kit.Processor     = (*Lookuper)(nil)
	_ o2kit.StatsReporter = (*Lookuper)(nil)
)

// Lookup returns a processor that reads the field key (a path, as in
// [Transform]) of each record, asks fn for the fields that go with its
// value and appends those the record does not already have. Answers are
// cached as [WithCache] says (default 10 000 values for 5 minutes, by the
// clock of [WithClock]). For the context's ids ([o2kit.FieldUserID],
// session, request and tenant) the value is taken from ctx
// ([o2kit.ContextWithUser]...) when the record lacks the field. A record
// without the value passes unchanged, and so does one whose lookup failed:
// the failure is counted, not returned.
// Lookup returns an error when key is empty or fn is nil.
func Lookup(key string, fn LookupFunc, opts ...Option) (*Lookuper, error) {
	if fn == nil {
		return nil, errNilFunc
	}
	if key == "" {
		return nil, errEmptyKey
	}
	cfg := newConfig(opts)
	return &Lookuper{key: parsePath(key), name: key, fn: fn, cfg: cfg, cache: newLRU(cfg.cacheSize, cfg.cacheTTL)}, nil
}

// Process appends the looked-up fields to r.
func (l *Lookuper) Process(ctx context.Context, r o2kit.Record) (o2kit.Record, error) {
	value, ok := l.value(ctx, r.Attrs)
	if !ok {
		return r, nil
	}
	found, ok := l.cache.get(value, l.cfg.now())
	if ok {
		l.hits.Add(1)
	} else {
		l.misses.Add(1)
		var err error
		if found, err = l.fn(ctx, value); err != nil {
			l.errors.Add(1)
			return r, nil
		}
		l.cache.put(value, found, l.cfg.now())
	}
	r.Attrs = appendMissing(r.Attrs, found)
	return r, nil
}

// value returns the looked-up field's value as text: from the record, or
// for the context's ids (user_id, session_id, request_id, tenant_id) from
// ctx when the record lacks them.
func (l *Lookuper) value(ctx context.Context, attrs []slog.Attr) (string, bool) {
	if v, ok := findAttr(attrs, l.key); ok {
		return v.Resolve().String(), true
	}
	var id string
	switch l.name {
	case o2kit.FieldUserID:
		id = o2kit.UserFromContext(ctx)
	case o2kit.FieldSessionID:
		id = o2kit.SessionFromContext(ctx)
	case o2kit.FieldRequestID:
		id = o2kit.RequestFromContext(ctx)
	case o2kit.FieldTenantID:
		id = o2kit.TenantFromContext(ctx)
	}
	return id, id != ""
}

// ProcessorStats returns the cache hits and misses and the failed lookups,
// keyed "lookup:<key>:hits", ":misses" and ":errors".
func (l *Lookuper) ProcessorStats() map[string]int64 {
	p := "lookup:" + l.name + ":"
	return map[string]int64{p + "hits": l.hits.Load(), p + "misses": l.misses.Load(), p + "errors": l.errors.Load()}
}
