package tracing_test

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/o2kit/o2kit/tracing"
)

// randomTraceID draws a trace id from rng.
func randomTraceID(rng *rand.Rand) trace.TraceID {
	var id trace.TraceID
	for i := range id {
		id[i] = byte(rng.Uint32())
	}
	return id
}

// sampled asks s about a root span of a fresh trace.
func sampled(s sdktrace.Sampler, id trace.TraceID) bool {
	return s.ShouldSample(sdktrace.SamplingParameters{ParentContext: context.Background(), TraceID: id, Name: "op"}).
		Decision == sdktrace.RecordAndSample
}

// childOf asks s about a span whose parent is sampled or not, local or
// remote.
func childOf(s sdktrace.Sampler, parentSampled, remote bool) bool {
	var flags trace.TraceFlags
	if parentSampled {
		flags = trace.FlagsSampled
	}
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}, TraceFlags: flags, Remote: remote,
	})
	ctx := trace.ContextWithSpanContext(context.Background(), sc)
	return s.ShouldSample(sdktrace.SamplingParameters{ParentContext: ctx, TraceID: sc.TraceID(), Name: "op"}).
		Decision == sdktrace.RecordAndSample
}

func TestRatioWithinStatisticalBounds(t *testing.T) {
	const n = 20000
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range []float64{0.01, 0.1, 0.5, 0.9} {
		for _, s := range []sdktrace.Sampler{tracing.Ratio(p), tracing.ParentRatio(p)} {
			k := 0
			for range n {
				if sampled(s, randomTraceID(rng)) {
					k++
				}
			}
			// Five standard deviations of a binomial: a false alarm about
			// once in 3.5 million runs with other seeds.
			sd := math.Sqrt(n * p * (1 - p))
			assert.InDelta(t, n*p, float64(k), 5*sd, "%s sampled %d of %d", s.Description(), k, n)
		}
	}
	assert.False(t, sampled(tracing.Ratio(0), trace.TraceID{0xff}))
	assert.True(t, sampled(tracing.Ratio(1), trace.TraceID{0xff}))
}

func TestRatioIsDecidedByTraceID(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	a, b := tracing.Ratio(0.3), tracing.Ratio(0.3)
	for range 1000 {
		id := randomTraceID(rng)
		require.Equal(t, sampled(a, id), sampled(b, id), "two services keep the same traces")
	}
}

func TestParentBasedFollowsTheParent(t *testing.T) {
	for _, s := range []sdktrace.Sampler{tracing.ParentRatio(0), tracing.ParentRatio(1), tracing.RateLimited(0), tracing.RateLimited(1000)} {
		for _, remote := range []bool{false, true} {
			assert.True(t, childOf(s, true, remote), "%s: sampled parent, remote=%v", s.Description(), remote)
			assert.False(t, childOf(s, false, remote), "%s: dropped parent, remote=%v", s.Description(), remote)
		}
	}
	assert.False(t, sampled(tracing.ParentRatio(0), trace.TraceID{1}), "roots take the ratio")
	assert.True(t, sampled(tracing.ParentRatio(1), trace.TraceID{1}))
	assert.True(t, childOf(tracing.Ratio(1), false, true), "Ratio ignores the parent")
	assert.True(t, sampled(tracing.Always(), trace.TraceID{1}))
	assert.False(t, sampled(tracing.Never(), trace.TraceID{1}))
}

// fakeClock is a clock the test moves.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time          { return c.now }
func (c *fakeClock) advance(d time.Duration) { c.now = c.now.Add(d) }

func TestRateLimitHolds(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)}
	s := tracing.RateLimited(5, tracing.WithSamplerClock(clock.Now))
	assert.Contains(t, s.Description(), "RateLimited{5/s}")
	count := func(n int) int {
		k := 0
		for range n {
			if sampled(s, trace.TraceID{1}) {
				k++
			}
		}
		return k
	}
	assert.Equal(t, 5, count(100), "a full bucket: one second's worth at once")
	clock.advance(200 * time.Millisecond)
	assert.Equal(t, 1, count(100), "a fifth of a second earns one trace")
	assert.True(t, childOf(s, true, false), "children take no token")
	clock.advance(time.Hour)
	assert.Equal(t, 5, count(100), "the bucket holds one second's worth at most")

	// A minute of 1000 requests a second keeps at most 5 a second.
	total := 0
	for range 60_000 {
		clock.advance(time.Millisecond)
		total += count(1)
	}
	assert.InDelta(t, 300, total, 1)
}

// TestRateLimitHoldsUnderConcurrency: goroutines that share the sampler
// take no more than the bucket holds between them.
func TestRateLimitHoldsUnderConcurrency(t *testing.T) {
	at := time.Unix(0, 0)
	s := tracing.RateLimited(100, tracing.WithSamplerClock(func() time.Time { return at }))
	var kept atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				if sampled(s, trace.TraceID{1}) {
					kept.Add(1)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(100), kept.Load(), "one second's worth, with no time passing")
}

func TestRateLimitedBelowOneAndZero(t *testing.T) {
	clock := &fakeClock{now: time.Unix(0, 0)}
	s := tracing.RateLimited(0.5, tracing.WithSamplerClock(clock.Now))
	assert.True(t, sampled(s, trace.TraceID{1}), "a burst of at least one")
	assert.False(t, sampled(s, trace.TraceID{1}))
	clock.advance(2 * time.Second)
	assert.True(t, sampled(s, trace.TraceID{1}), "one every two seconds")
	assert.False(t, sampled(tracing.RateLimited(0), trace.TraceID{1}))
	assert.False(t, sampled(tracing.RateLimited(-3, nil), trace.TraceID{1}))
}

func TestSamplersTakeNaNAndInfinity(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	nan := math.NaN()
	for _, s := range []sdktrace.Sampler{tracing.Ratio(nan), tracing.ParentRatio(nan), tracing.RateLimited(nan)} {
		for range 100 {
			require.False(t, sampled(s, randomTraceID(rng)), "%s samples nothing", s.Description())
		}
	}
	unlimited := tracing.RateLimited(math.Inf(1), tracing.WithSamplerClock(func() time.Time { return time.Unix(0, 0) }))
	for range 1000 {
		require.True(t, sampled(unlimited, trace.TraceID{1}), "no limit, even with no time passing")
	}
	assert.True(t, sampled(tracing.Ratio(math.Inf(1)), trace.TraceID{0xff}))
	assert.False(t, sampled(tracing.Ratio(math.Inf(-1)), trace.TraceID{0}))
}

func TestSamplerFromEnv(t *testing.T) {
	for _, tc := range []struct {
		sampler, arg string
		want         string // Description, "" for nil
		bad          bool
	}{
		{"", "", "", false},
		{"always_on", "", "AlwaysOnSampler", false},
		{" ALWAYS_OFF ", "", "AlwaysOffSampler", false},
		{"traceidratio", "0.25", "TraceIDRatioBased{0.25}", false},
		{"traceidratio", "", "TraceIDRatioBased{1}", false},
		{"parentbased_traceidratio", "0.1", "ParentBased{root:TraceIDRatioBased{0.1}", false},
		{"parentbased_always_on", "", "ParentBased{root:AlwaysOnSampler", false},
		{"parentbased_always_off", "", "ParentBased{root:AlwaysOffSampler", false},
		{"o2kit_ratelimited", "50", "ParentBased{root:RateLimited{50/s}", false},
		{"o2kit_ratelimited", "", "ParentBased{root:RateLimited{10/s}", false},
		{"always_on", "ignored", "AlwaysOnSampler", false},
		{"traceidratio", "0", "TraceIDRatioBased{0}", false},
		{"traceidratio", "1.5", "want a number from 0 to 1", true},
		{"traceidratio", "half", `"half" for traceidratio: want a number from 0 to 1`, true},
		{"parentbased_traceidratio", "-0.1", "want a number from 0 to 1", true},
		{"traceidratio", "NaN", "want a number from 0 to 1", true},
		{"o2kit_ratelimited", "-1", "want a number of 0 or more", true},
		{"o2kit_ratelimited", "+Inf", "want a number of 0 or more", true},
		{"jaeger_remote", "", `"jaeger_remote" is not a sampler this package knows; want one of always_on, always_off`, true},
		{"parentbased_jaeger_remote", "", "parentbased_traceidratio, o2kit_ratelimited", true},
		{"xray", "", "not a sampler", true},
	} {
		env := map[string]string{"OTEL_TRACES_SAMPLER": tc.sampler, "OTEL_TRACES_SAMPLER_ARG": tc.arg}
		s, err := tracing.SamplerFromEnv(func(k string) string { return env[k] })
		if tc.bad {
			assert.ErrorContains(t, err, tc.want, "%q %q", tc.sampler, tc.arg)
			assert.Nil(t, s)
			continue
		}
		require.NoError(t, err, "%q %q", tc.sampler, tc.arg)
		if tc.want == "" {
			assert.Nil(t, s)
			continue
		}
		assert.Contains(t, s.Description(), tc.want)
	}
}

func TestSetupHonoursTheSamplerEnvironment(t *testing.T) {
	_, client, _ := devClient(t)
	t.Setenv("OTEL_TRACES_SAMPLER", "always_off")
	tp := setup(t, client)
	_, span := tp.Tracer("t").Start(t.Context(), "op")
	assert.False(t, span.IsRecording())
	span.End()

	tp = setup(t, client, tracing.WithSampler(tracing.Always()))
	_, span = tp.Tracer("t").Start(t.Context(), "op")
	assert.True(t, span.IsRecording(), "an option wins over the environment")
	span.End()

	t.Setenv("OTEL_TRACES_SAMPLER", "TraceIdRatio")
	t.Setenv("OTEL_TRACES_SAMPLER_ARG", "0")
	tp = setup(t, client)
	_, span = tp.Tracer("t").Start(t.Context(), "op")
	assert.False(t, span.IsRecording(), "the name in any case, and its argument")
	span.End()

	t.Setenv("OTEL_TRACES_SAMPLER_ARG", "2")
	_, _, err := tracing.Setup(t.Context(), client)
	assert.ErrorContains(t, err, `OTEL_TRACES_SAMPLER_ARG "2" for traceidratio`)

	t.Setenv("OTEL_TRACES_SAMPLER", "sometimes")
	_, _, err = tracing.Setup(t.Context(), client)
	assert.ErrorContains(t, err, "sometimes")
}

// FuzzSamplerFromEnv checks that any environment gives a sampler or an
// error, never a panic, and never both or neither for a set name.
func FuzzSamplerFromEnv(f *testing.F) {
	f.Add("traceidratio", "0.5")
	f.Add("o2kit_ratelimited", "1e9")
	f.Add("parentbased_always_on", "")
	f.Fuzz(func(t *testing.T, name, arg string) {
		env := map[string]string{"OTEL_TRACES_SAMPLER": name, "OTEL_TRACES_SAMPLER_ARG": arg}
		s, err := tracing.SamplerFromEnv(func(k string) string { return env[k] })
		if err != nil && s != nil {
			t.Fatalf("both a sampler and %v", err)
		}
		if s != nil {
			_ = s.ShouldSample(sdktrace.SamplingParameters{ParentContext: context.Background(), TraceID: trace.TraceID{1}})
		}
	})
}
