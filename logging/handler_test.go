package logging

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"

	"github.com/o2kit/o2kit"
)

func spanContext(ctx context.Context) context.Context {
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
		SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
		TraceFlags: trace.FlagsSampled,
	})
	return trace.ContextWithSpanContext(ctx, sc)
}

func TestSchema(t *testing.T) {
	d := newDev(t)
	logger := New(d.client, WithService("checkout"), WithClock(pinned))
	ctx := o2kit.ContextWithUser(context.Background(), "u-1")
	ctx = o2kit.ContextWithSession(ctx, "s-1")
	ctx = o2kit.ContextWithRequest(ctx, "r-1")
	ctx = spanContext(ctx)
	logger.With("cart", "c-9").WithGroup("order").InfoContext(ctx, "placed", "id", "o-1", slog.Group("total", "minor", 4599))
	recs := d.records(t, "application-logs")
	require.Len(t, recs, 1)
	assert.Equal(t, map[string]any{
		"_timestamp": epoch.UnixMicro(), "level": "INFO", "service": "checkout", "message": "placed",
		"user_id": "u-1", "session_id": "s-1", "request_id": "r-1",
		"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7",
		"cart": "c-9", "order_id": "o-1", "order_total_minor": int64(4599),
	}, recs[0])
}

func TestErrorsKeepTheirChain(t *testing.T) {
	d := newDev(t)
	logger := New(d.client, WithClock(pinned))
	base := &fs.PathError{Op: "open", Path: "/etc/shop.yaml", Err: fs.ErrNotExist}
	wrapped := fmt.Errorf("load config: %w", base)
	logger.Error("start failed", "err", wrapped, "plain", errors.New("boom"), "joined", errors.Join(errors.New("a"), errors.New("b")))
	recs := d.records(t, "application-logs")
	require.Len(t, recs, 1)
	r := recs[0]
	assert.Equal(t, "ERROR", r["level"])
	assert.Equal(t, "load config: open /etc/shop.yaml: file does not exist", r["err"])
	assert.Equal(t, "*fs.PathError: open /etc/shop.yaml: file does not exist | *errors.errorString: file does not exist", r["err_chain"])
	assert.Equal(t, "boom", r["plain"])
	assert.NotContains(t, r, "plain_chain")
	assert.Equal(t, "*errors.errorString: a | *errors.errorString: b", r["joined_chain"])
}

type panicky struct{}

func (panicky) LogValue() slog.Value { panic("no value today") }

type badJSON struct{}

func (badJSON) MarshalJSON() ([]byte, error) { panic("bad json") }

// A LogValuer or MarshalJSON that panics costs its own field, not the
// caller or the rest of the record.
func TestPanickingValuesDoNotCrash(t *testing.T) {
	d := newDev(t)
	logger := New(d.client, WithClock(pinned))
	require.NotPanics(t, func() {
		logger.Info("one", "v", panicky{}, "j", badJSON{}, "ok", 1)
		logger.With("w", panicky{}).Info("two")
	})
	recs := d.records(t, "application-logs")
	require.Len(t, recs, 2)
	assert.Contains(t, recs[0]["v"], "LogValue panicked")
	assert.Contains(t, recs[0]["j"], "panic in MarshalJSON")
	assert.Equal(t, int64(1), recs[0]["ok"])
	assert.Contains(t, recs[1]["w"], "LogValue panicked")
}

func TestSource(t *testing.T) {
	d := newDev(t)
	logger := New(d.client, WithClock(pinned), WithSource(true))
	for range 2 {
		logger.Info("here")
	}
	recs := d.records(t, "application-logs")
	require.Len(t, recs, 2)
	assert.True(t, strings.HasSuffix(recs[0]["source_file"].(string), "handler_test.go"))
	assert.Contains(t, recs[0]["source_function"], "TestSource")
	assert.Equal(t, recs[0]["source_line"], recs[1]["source_line"])
}

func TestLevel(t *testing.T) {
	d := newDev(t)
	var lv slog.LevelVar
	lv.Set(slog.LevelWarn)
	logger := New(d.client, WithClock(pinned), WithLevel(&lv))
	logger.Info("hidden")
	lv.Set(slog.LevelDebug)
	logger.Debug("shown")
	recs := d.records(t, "application-logs")
	require.Len(t, recs, 1)
	assert.Equal(t, "DEBUG", recs[0]["level"])
}

func TestStream(t *testing.T) {
	d := newDev(t)
	New(d.client, WithClock(pinned), WithStream("Checkout-Logs")).Info("x")
	assert.Len(t, d.records(t, "checkout_logs"), 1)
}

// The counter sees every record handled, sampled away or not.
func TestLevelCounter(t *testing.T) {
	d := newDev(t)
	var mu sync.Mutex
	counts := map[slog.Level]int{}
	lc := LevelCounterFunc(func(l slog.Level) { mu.Lock(); counts[l]++; mu.Unlock() })
	logger := New(d.client, WithClock(pinned), WithLevelCounter(lc), WithSampling(Sampling{First: 1, Tick: time.Hour}))
	for range 3 {
		logger.Info("same")
		logger.Error("bad")
	}
	logger.Debug("below the level")
	assert.Equal(t, map[slog.Level]int{slog.LevelInfo: 3, slog.LevelError: 3}, counts)
	assert.Len(t, d.records(t, "application-logs"), 4)
}

func TestSampling(t *testing.T) {
	s := newSampler(Sampling{First: 2, Thereafter: 3, Tick: time.Second})
	rec := func(at time.Duration, l slog.Level, msg string) slog.Record {
		return slog.NewRecord(epoch.Add(at), l, msg, 0)
	}
	var kept []int
	for i := range 9 {
		if s.keep(rec(time.Duration(i)*time.Millisecond, slog.LevelInfo, "tick")) {
			kept = append(kept, i+1)
		}
	}
	assert.Equal(t, []int{1, 2, 5, 8}, kept, "first 2, then every 3rd")
	assert.True(t, s.keep(rec(10*time.Millisecond, slog.LevelDebug, "tick")), "another level counts apart")
	assert.True(t, s.keep(rec(10*time.Millisecond, slog.LevelInfo, "other")), "another message counts apart")
	assert.True(t, s.keep(rec(2*time.Second, slog.LevelInfo, "tick")), "a new tick starts over")
	assert.Nil(t, newSampler(Sampling{}))
}

func TestErrorsAreNeverSampled(t *testing.T) {
	d := newDev(t)
	logger := New(d.client, WithClock(pinned), WithSampling(Sampling{First: 1, Tick: time.Hour}))
	for range 5 {
		logger.Info("noisy")
		logger.Warn("careful")
		logger.Error("failed")
	}
	recs := d.records(t, "application-logs")
	byLevel := map[any]int{}
	for _, r := range recs {
		byLevel[r["level"]]++
	}
	assert.Equal(t, map[any]int{"INFO": 1, "WARN": 5, "ERROR": 5}, byLevel)
}

// blockingWriter blocks every Write until released.
type blockingWriter struct {
	release chan struct{}
	n       atomic.Int64
}

func (w *blockingWriter) Write(p []byte) (int, error) {
	<-w.release
	w.n.Add(1)
	return len(p), nil
}

type failingHandler struct{ slog.Handler }

func (failingHandler) Handle(context.Context, slog.Record) error { return errors.New("disk full") }

// A console that blocks and a handler that fails hold back nothing: every
// record reaches OpenObserve, the queue drops what does not fit.
func TestSlowConsoleNeverBlocksShipping(t *testing.T) {
	d := newDev(t)
	w := &blockingWriter{release: make(chan struct{})}
	var other bytes.Buffer
	h := NewHandler(d.client, WithClock(pinned), WithConsole(w), WithQueueSize(4),
		WithHandlers(failingHandler{slog.NewTextHandler(&other, nil)}))
	logger := slog.New(h)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 100 {
			logger.Info("order", "seq", i)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("logging blocked on the console")
	}
	assert.Len(t, d.records(t, "application-logs"), 100)
	close(w.release)
	require.NoError(t, h.Close(context.Background()))
	require.NoError(t, h.Close(context.Background()), "Close is idempotent")
	assert.Positive(t, w.n.Load())
	// Each record was dropped at the full queue, or else written to the
	// console and failed in the failing handler.
	assert.Equal(t, int64(100), h.Dropped())
}

func TestConsoleAndHandlers(t *testing.T) {
	d := newDev(t)
	var console, other bytes.Buffer
	h := NewHandler(d.client, WithClock(pinned), WithConsole(&console), WithHandlers(slog.NewJSONHandler(&other, nil)))
	slog.New(h).With("a", 1).WithGroup("g").Info("hello", "b", 2)
	require.NoError(t, h.Close(context.Background()))
	assert.Contains(t, console.String(), "msg=hello a=1 g.b=2")
	assert.Contains(t, other.String(), `"a":1,"g":{"b":2}`)
	assert.Zero(t, h.Dropped())
	slog.New(h).Info("after close")
	assert.Equal(t, int64(1), h.Dropped())
	assert.Len(t, d.records(t, "application-logs"), 2)
}

// Close is reachable from the logger New returns, through any logger
// derived from it, and stops the console for all of them.
func TestCloseFromTheLogger(t *testing.T) {
	d := newDev(t)
	var console bytes.Buffer
	logger := New(d.client, WithClock(pinned), WithConsole(&console))
	derived := logger.With("a", 1).WithGroup("g")
	derived.Info("before")
	h, ok := derived.Handler().(*Handler)
	require.True(t, ok)
	require.NoError(t, h.Close(context.Background()))
	assert.Contains(t, console.String(), "before")
	logger.Info("after")
	assert.NotContains(t, console.String(), "after", "the console is stopped for the parent too")
	assert.Len(t, d.records(t, "application-logs"), 2, "shipping goes on")
	assert.NoError(t, New(d.client).Handler().(*Handler).Close(context.Background()), "nothing to close")
}

// Close honours its context while the console is stuck.
func TestCloseGivesUpWithTheContext(t *testing.T) {
	d := newDev(t)
	w := &blockingWriter{release: make(chan struct{})}
	h := NewHandler(d.client, WithConsole(w))
	slog.New(h).Info("stuck")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, h.Close(ctx), context.Canceled)
	close(w.release)
	require.NoError(t, h.Close(context.Background()))
}

// Odd option values fall back to defaults or bounds instead of failing.
func TestOptionBounds(t *testing.T) {
	assert.Equal(t, maxQueueSize, newConfig([]Option{WithQueueSize(1 << 40)}).queue)
	assert.Equal(t, 1024, newConfig([]Option{WithQueueSize(-3)}).queue)
	c := newConfig([]Option{nil, WithLevel(nil), WithHandlers(nil, nil)})
	assert.Equal(t, slog.LevelInfo, c.level.Level())
	assert.Empty(t, c.handlers)
	assert.Nil(t, newSampler(Sampling{First: -1, Thereafter: -1}))
	assert.Equal(t, int64(time.Second), newSampler(Sampling{First: 1, Tick: -time.Hour}).tick)
}
