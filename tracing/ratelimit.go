package tracing

import (
	"fmt"
	"math"
	"sync"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// SamplerOption configures [RateLimited].
type SamplerOption interface{ applySampler(*rateLimiter) }

type samplerOptionFunc func(*rateLimiter)

func (f samplerOptionFunc) applySampler(r *rateLimiter) { f(r) }

// WithSamplerClock sets the clock the token bucket of [RateLimited] reads.
// Default time.Now; nil keeps the default.
func WithSamplerClock(now func() time.Time) SamplerOption {
	return samplerOptionFunc(func(r *rateLimiter) {
		if now != nil {
			r.now = now
		}
	})
}

// RateLimited samples at most perSecond new root traces a second, with
// bursts up to one second's worth (at least one), from a token bucket;
// spans with a parent follow the parent's decision and take no token, so a
// trace is kept or dropped whole. It protects OpenObserve and the budget
// from a traffic spike while keeping every trace at low traffic. A
// perSecond of 0 or below, or NaN, samples no new root trace; +Inf
// samples every one. Safe for concurrent use.
func RateLimited(perSecond float64, opts ...SamplerOption) sdktrace.Sampler {
	if math.IsNaN(perSecond) {
		perSecond = 0
	}
	r := &rateLimiter{rate: max(perSecond, 0), now: time.Now}
	r.burst = max(r.rate, 1)
	for _, o := range opts {
		if o != nil {
			o.applySampler(r)
		}
	}
	r.tokens = r.burst
	r.last = r.now()
	return sdktrace.ParentBased(r)
}

// rateLimiter is the root sampler of RateLimited: a token bucket.
type rateLimiter struct {
	rate  float64 // tokens a second
	burst float64 // bucket size
	now   func() time.Time

	mu     sync.Mutex // guards tokens and last
	tokens float64
	last   time.Time
}

// ShouldSample takes a token for a root span, and samples it if there was
// one.
func (r *rateLimiter) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	res := sdktrace.SamplingResult{
		Decision:   sdktrace.Drop,
		Tracestate: trace.SpanContextFromContext(p.ParentContext).TraceState(),
	}
	if r.take() {
		res.Decision = sdktrace.RecordAndSample
	}
	return res
}

func (r *rateLimiter) take() bool {
	switch {
	case r.rate == 0:
		return false
	case math.IsInf(r.rate, 1):
		return true
	}
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if elapsed := now.Sub(r.last).Seconds(); elapsed > 0 {
		r.tokens = min(r.burst, r.tokens+elapsed*r.rate)
		r.last = now
	}
	if r.tokens < 1 {
		return false
	}
	r.tokens--
	return true
}

// Description names the sampler and its rate.
func (r *rateLimiter) Description() string {
	return fmt.Sprintf("RateLimited{%g/s}", r.rate)
}
