package pipeline

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/norm"
)

// RateLimiter bounds the records per second of each stream with a token
// bucket. Create it with [RateLimit].
type RateLimiter struct {
	def    bucketLimit
	limits map[string]bucketLimit // by normalised stream name
	now    func() time.Time

	mu      sync.Mutex         // guards buckets
	buckets map[string]*bucket // by normalised stream name
	normal  streamNames
}

type bucket struct {
	tokens  float64
	last    time.Time
	dropped int64
}

var (
	_ o2kit.Processor     = (*RateLimiter)(nil)
	_ o2kit.StatsReporter = (*RateLimiter)(nil)
)

// RateLimit returns a processor that lets through at most perSecond
// records a second on each stream, with bursts of up to burst records,
// and drops the rest with [o2kit.ErrDrop]. [WithStreamLimit] sets another
// limit for a stream; a perSecond of 0 or less leaves streams without one
// unlimited. Time is read from [WithClock]. RateLimit returns an error for
// a limit with a burst below 1 or a NaN rate.
func RateLimit(perSecond float64, burst int, opts ...Option) (*RateLimiter, error) {
	cfg := newConfig(opts)
	l := &RateLimiter{
		def: bucketLimit{perSecond, burst}, limits: make(map[string]bucketLimit, len(cfg.limits)),
		now: cfg.now, buckets: map[string]*bucket{},
	}
	all := []bucketLimit{l.def}
	for name, lim := range cfg.limits {
		l.limits[norm.StreamName(name)] = lim
		all = append(all, lim)
	}
	for _, lim := range all {
		if math.IsNaN(lim.rate) {
			return nil, errors.New("pipeline: rate limit of NaN records a second")
		}
		if lim.rate > 0 && lim.burst < 1 {
			return nil, errors.New("pipeline: a rate limit needs a burst of at least 1")
		}
	}
	return l, nil
}

// Process lets r through when its stream has a token left.
func (l *RateLimiter) Process(_ context.Context, r o2kit.Record) (o2kit.Record, error) {
	name := l.normal.of(r.Stream)
	lim, ok := l.limits[name]
	if !ok {
		lim = l.def
	}
	if lim.rate <= 0 {
		return r, nil
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[name]
	if b == nil {
		b = &bucket{tokens: float64(lim.burst), last: now}
		l.buckets[name] = b
	}
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = math.Min(float64(lim.burst), b.tokens+elapsed.Seconds()*lim.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return r, nil
	}
	b.dropped++
	return r, o2kit.ErrDrop
}

// ProcessorStats returns the records dropped per stream,
// "ratelimit:<stream>:dropped".
func (l *RateLimiter) ProcessorStats() map[string]int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]int64, len(l.buckets))
	for name, b := range l.buckets {
		out["ratelimit:"+name+":dropped"] = b.dropped
	}
	return out
}
