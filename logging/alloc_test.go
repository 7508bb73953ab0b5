//go:build !race

package logging

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
)

// The handler allocates nothing per record, with or without groups,
// context ids and source; the client then encodes without allocating too.
func TestHandleAllocatesNothing(t *testing.T) {
	d := newDev(t, o2kit.WithMaxBufferedBytes(1<<40), o2kit.WithBatchSize(1<<20), o2kit.WithFlushInterval(time.Hour))
	ctx := spanContext(o2kit.ContextWithUser(context.Background(), "u-1"))
	// slog.Record keeps five attrs inline and allocates for more, in
	// slog.Logger before any handler runs; so the record is built once.
	r := slog.NewRecord(epoch, slog.LevelInfo, "order placed", callerPC())
	r.AddAttrs(benchAttrs()...)
	for name, h := range map[string]slog.Handler{
		"plain":   NewHandler(d.client, WithClock(pinned)),
		"grouped": NewHandler(d.client, WithClock(pinned), WithService("shop")).WithAttrs([]slog.Attr{slog.Int("a", 1)}).WithGroup("g").WithAttrs([]slog.Attr{slog.Int("b", 2)}).WithGroup("h"),
		"source":  NewHandler(d.client, WithClock(pinned), WithSource(true)),
	} {
		// Records wait in slots of the client's queue, which keep their
		// memory once used: fill every slot the queue keeps first.
		for range 2048 {
			_ = h.Handle(ctx, r)
		}
		require.NoError(t, d.client.Flush(ctx))
		allocs := testing.AllocsPerRun(200, func() { _ = h.Handle(ctx, r) })
		assert.Zero(t, allocs, name)
	}
	logger := New(d.client, WithClock(pinned))
	few := benchAttrs()[:5]
	assert.Zero(t, testing.AllocsPerRun(200, func() { logger.LogAttrs(ctx, slog.LevelInfo, "order placed", few...) }), "through slog.Logger")
}
