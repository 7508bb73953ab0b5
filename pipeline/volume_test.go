package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2test"
)

// kept reports whether p lets r through.
func kept(t *testing.T, p o2kit.Processor, r o2kit.Record) bool {
	t.Helper()
	_, err := p.Process(context.Background(), r)
	if errors.Is(err, o2kit.ErrDrop) {
		return false
	}
	require.NoError(t, err)
	return true
}

func leveled(stream string, level any) o2kit.Record {
	return o2kit.Record{Stream: stream, Attrs: []slog.Attr{slog.Any("level", level)}}
}

func TestSample(t *testing.T) {
	draw := 0.5
	s, err := Sample(0.4,
		WithRandom(func() float64 { return draw }),
		WithStreamRate("Audit-Log", 1), WithLevelRate(slog.LevelDebug, 0), WithLevelRate(slog.LevelWarn, 0.6))
	require.NoError(t, err)
	for _, tc := range []struct {
		r    o2kit.Record
		want bool
	}{
		{leveled("app", "INFO"), false},
		{o2kit.Record{Stream: "app"}, false},
		{leveled("app", "warning"), true},
		{leveled("app", slog.LevelWarn), true},
		{leveled("app", "debug"), false},
		{leveled("app", "ERROR"), true},
		{leveled("app", "error+4"), true},
		{leveled("app", "fatal"), true},
		{leveled("app", int64(8)), true},
		{leveled("audit_log", "debug"), true},
		{leveled("app", "info-x"), false},
	} {
		assert.Equal(t, tc.want, kept(t, s, tc.r), "%v", tc.r)
	}
	draw = 0.3
	assert.True(t, kept(t, s, leveled("app", "info")))
	none, err := Sample(0, WithStreamRate("x", 0))
	require.NoError(t, err)
	assert.False(t, kept(t, none, leveled("x", "info")))
	assert.True(t, kept(t, none, leveled("x", "ERROR")), "errors are never sampled away")
	assert.Equal(t, map[string]int64{"sample:kept": 1, "sample:dropped": 1}, none.ProcessorStats())

	for _, bad := range []float64{-0.1, 1.1} {
		_, err := Sample(bad)
		assert.Error(t, err)
		_, err = Sample(1, WithLevelRate(slog.LevelInfo, bad))
		assert.Error(t, err)
	}
}

func TestSampleRate(t *testing.T) {
	s, err := Sample(0.25)
	require.NoError(t, err)
	n := 0
	for range 10_000 {
		if kept(t, s, leveled("app", "info")) {
			n++
		}
	}
	assert.InDelta(t, 2500, n, 300)
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]slog.Level{
		"TRACE": -8, "debug": -4, "Info": 0, "WARN": 4, "warning": 4, "ERROR": 8, "ERROR+2": 10, "INFO-4": -4, "critical": 12,
	} {
		got, ok := levelName(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "loud", "error+", "error+x", "info+12345"} {
		_, ok := levelName(in)
		assert.False(t, ok, in)
	}
}

func TestDedupe(t *testing.T) {
	clock := newTestClock(o2test.Epoch)
	d, err := Dedupe(time.Minute, WithClock(clock.Now), WithKeyFields("code", "req.path"))
	require.NoError(t, err)
	rec := func(stream, code, path string, extra int) o2kit.Record {
		return o2kit.Record{Stream: stream, Attrs: []slog.Attr{
			slog.String("code", code), slog.Int("n", extra), slog.Group("req", slog.String("path", path)),
		}}
	}
	assert.True(t, kept(t, d, rec("app", "E1", "/a", 1)))
	assert.False(t, kept(t, d, rec("app", "E1", "/a", 2)), "other fields play no part")
	assert.True(t, kept(t, d, rec("app", "E1", "/b", 1)))
	assert.True(t, kept(t, d, rec("api", "E1", "/a", 1)), "streams are apart")
	clock.add(59 * time.Second)
	assert.False(t, kept(t, d, rec("app", "E1", "/a", 1)))
	clock.add(time.Second)
	assert.True(t, kept(t, d, rec("app", "E1", "/a", 1)), "the window passed")
	assert.Equal(t, 1, d.Len(), "expired keys are forgotten")
	assert.Equal(t, map[string]int64{"dedupe:dropped": 2}, d.ProcessorStats())

	_, err = Dedupe(0)
	assert.Error(t, err)
	_, err = Dedupe(time.Second, WithMaxKeys(0))
	assert.Error(t, err)
}

func TestDedupeWholeRecordAndBound(t *testing.T) {
	clock := newTestClock(o2test.Epoch)
	d, err := Dedupe(time.Hour, WithClock(clock.Now), WithMaxKeys(3))
	require.NoError(t, err)
	rec := func(attrs ...slog.Attr) o2kit.Record { return o2kit.Record{Stream: "s", Attrs: attrs} }
	values := []slog.Attr{
		slog.String("a", "x"), slog.Int("a", 1), slog.Uint64("a", 1), slog.Float64("a", 1), slog.Bool("a", true),
		slog.Time("a", clock.Now()), slog.Duration("a", 1), slog.Group("a", slog.Int("b", 1)), slog.Any("a", []int{1}),
	}
	for _, v := range values {
		assert.True(t, kept(t, d, rec(v)), v.String())
		assert.False(t, kept(t, d, rec(v)), v.String())
		assert.LessOrEqual(t, d.Len(), 3)
	}
	assert.True(t, kept(t, d, rec(values[0])), "the oldest keys were forgotten to stay in bound")
}

func TestRateLimit(t *testing.T) {
	clock := newTestClock(o2test.Epoch)
	l, err := RateLimit(2, 3, WithClock(clock.Now), WithStreamLimit("Audit", 0, 0), WithStreamLimit("slow", 0.5, 1))
	require.NoError(t, err)
	app := o2kit.Record{Stream: "app"}
	for range 3 {
		assert.True(t, kept(t, l, app), "the burst")
	}
	assert.False(t, kept(t, l, app))
	clock.add(500 * time.Millisecond)
	assert.True(t, kept(t, l, app), "one token back")
	assert.False(t, kept(t, l, app))
	for range 10 {
		assert.True(t, kept(t, l, o2kit.Record{Stream: "audit"}), "no limit")
	}
	assert.True(t, kept(t, l, o2kit.Record{Stream: "slow"}))
	clock.add(time.Second)
	assert.False(t, kept(t, l, o2kit.Record{Stream: "slow"}))
	clock.add(time.Second)
	assert.True(t, kept(t, l, o2kit.Record{Stream: "slow"}))
	clock.add(time.Hour)
	for range 3 {
		assert.True(t, kept(t, l, app), "the bucket holds no more than the burst")
	}
	assert.False(t, kept(t, l, app))
	assert.Equal(t, map[string]int64{"ratelimit:app:dropped": 3, "ratelimit:slow:dropped": 1}, l.ProcessorStats())

	_, err = RateLimit(1, 0)
	assert.Error(t, err)
	_, err = RateLimit(0, 0)
	assert.NoError(t, err)
	_, err = RateLimit(math.NaN(), 1)
	assert.ErrorContains(t, err, "NaN")
	_, err = RateLimit(1, 1, WithStreamLimit("x", math.NaN(), 1))
	assert.ErrorContains(t, err, "NaN")
}

// Stream names that need normalising cost no allocation once seen.
func TestStreamNamesDoNotAllocate(t *testing.T) {
	contract, err := NewContract("c", "application-logs", []Rule{Optional("x")})
	require.NoError(t, err)
	sample, err := Sample(1, WithStreamRate("Audit", 1))
	require.NoError(t, err)
	limit, err := RateLimit(1e12, 1<<30)
	require.NoError(t, err)
	p := Chain{contract, sample, limit, ForStreams(Set(), "other")}
	r := o2kit.Record{Stream: "application-logs"}
	ctx := context.Background()
	_, _ = p.Process(ctx, r)
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = p.Process(ctx, r) }))

	var names streamNames
	for i := range maxStreamNames + 10 {
		assert.Equal(t, "s_"+strconv.Itoa(i), names.of("S-"+strconv.Itoa(i)))
	}
	assert.Len(t, *names.known.Load(), maxStreamNames)
}
