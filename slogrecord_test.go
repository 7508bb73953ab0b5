package o2kit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2server"
)

// valuer resolves to a string.
type valuer string

func (v valuer) LogValue() slog.Value { return slog.StringValue(string(v)) }

// groupValuer resolves to a group; errValuer to an error.
type (
	groupValuer []slog.Attr
	errValuer   struct{ err error }
)

func (v groupValuer) LogValue() slog.Value { return slog.GroupValue(v...) }
func (v errValuer) LogValue() slog.Value   { return slog.AnyValue(v.err) }

// slogCase is a slog record with the awkward attributes handlers meet.
func slogCase(n int) (head, with []slog.Attr, r slog.Record) {
	head = []slog.Attr{slog.String("level", "INFO"), slog.String("message", "m"), slog.Int("n", n)}
	with = []slog.Attr{slog.String("svc", "checkout"), slog.Group("req", slog.String("id", "r1"))}
	r = slog.NewRecord(time.Time{}, slog.LevelInfo, "m", 0)
	r.AddAttrs(
		slog.String("Order-ID", "o-1"), slog.Attr{}, slog.Group("empty"), slog.Group("", slog.Int("inline", 1)),
		slog.Any("err", fmt.Errorf("open: %w", fs.ErrNotExist)), slog.Any("plain", errors.New("p")),
		slog.Any("joined", errors.Join(errors.New("a"), errors.New("b"))), slog.Any("lv", valuer("resolved")),
		slog.Group("g", slog.Any("inner", fmt.Errorf("x: %w", fs.ErrClosed)), slog.Float64("f", 1.5)),
		slog.Duration("d", time.Second), slog.Time("at", time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)),
		slog.Any("", groupValuer{slog.String("inl", "x")}), slog.Any("lverr", errValuer{fmt.Errorf("w: %w", fs.ErrClosed)}),
	)
	return head, with, r
}

// TestEmitSlogEncodesAsEmit: straight from the slog record, and through
// the processors, the record stored is the one Emit stores for the
// attributes slog handlers are to send.
func TestEmitSlogEncodesAsEmit(t *testing.T) {
	var seen []Record
	keep := ProcessorFunc(func(_ context.Context, r Record) (Record, error) {
		seen = append(seen, Record{Stream: r.Stream, Attrs: append([]slog.Attr(nil), r.Attrs...)})
		return r, nil
	})
	srv, url := devServer(t)
	direct, _ := newClient(t, srv, url)
	processed, _ := newClient(t, srv, url, WithProcessors(keep))
	ctx := t.Context()
	// Now, not a fixed date: the server re-stamps records older than its
	// ingest window, each when its batch is sent.
	at := time.Now().Truncate(time.Second)
	head, with, r := slogCase(1)
	require.NoError(t, direct.EmitSlog(ctx, "direct", at, head, with, &r))
	require.NoError(t, processed.EmitSlog(ctx, "processed", at, head, with, &r))

	// What a handler following slog's rules hands Emit for the same record.
	var want []slog.Attr
	want = append(append(want, head...), with...)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "" && a.Value.Kind() != slog.KindGroup || a.Value.Kind() == slog.KindGroup && len(a.Value.Group()) == 0 {
			return true
		}
		want = append(want, a)
		if err, ok := a.Value.Any().(error); ok && a.Value.Kind() == slog.KindAny && errors.Unwrap(err) != nil ||
			a.Key == "joined" {
			want = append(want, slog.String(a.Key+"_chain", chainOf(a.Key)))
		}
		return true
	})
	require.NoError(t, direct.Emit(ctx, Record{Stream: "emit", Time: at, Attrs: want}))
	require.NoError(t, direct.Flush(ctx))
	require.NoError(t, processed.Flush(ctx))

	require.Len(t, seen, 1)
	assert.Equal(t, fmt.Sprint(want), fmt.Sprint(seen[0].Attrs), "processors see the attributes Emit would be given")
	get := func(stream string) map[string]any {
		recs := srv.Records("default", stream)
		require.Len(t, recs, 1, stream)
		delete(recs[0], "o2kit_id")
		return recs[0]
	}
	emitted := get("emit")
	assert.Equal(t, emitted, get("direct"))
	assert.Equal(t, emitted, get("processed"))
	assert.Equal(t, "*errors.errorString: file does not exist", emitted["err_chain"])
	assert.Equal(t, "resolved", emitted["lv"])
	assert.NotContains(t, emitted, "g_inner_chain")
	assert.NotContains(t, emitted, "plain_chain")
	assert.NotContains(t, emitted, "inl", "an attr with an empty key is left out, though it resolves to a group")
	assert.NotContains(t, emitted, "lverr_chain", "only attrs of kind Any are followed by a chain")
	assert.Contains(t, emitted, "lverr")
}

func chainOf(key string) string {
	switch key {
	case "err":
		return "*errors.errorString: file does not exist"
	case "joined":
		return "*errors.errorString: a | *errors.errorString: b"
	}
	return ""
}

func TestEmitSlogOwnIDAndNilRecord(t *testing.T) {
	srv, url := devServer(t)
	c, _ := newClient(t, srv, url)
	ctx := t.Context()
	r := slog.NewRecord(time.Time{}, slog.LevelInfo, "m", 0)
	r.AddAttrs(slog.String("case", "record"), slog.String("o2kit_id", "own-record"))
	require.NoError(t, c.EmitSlog(ctx, "ids", time.Time{}, nil, nil, &r))
	require.NoError(t, c.EmitSlog(ctx, "ids", time.Time{}, []slog.Attr{slog.String("case", "with")},
		[]slog.Attr{slog.String("o2kit_id", "own-with")}, nil))
	require.NoError(t, c.EmitSlog(ctx, "ids", time.Time{}, []slog.Attr{slog.String("case", "bad")},
		[]slog.Attr{slog.String("o2kit_id", `own"bad`)}, nil))
	require.NoError(t, c.Flush(ctx))
	byCase := map[string]any{}
	for _, rec := range srv.Records("default", "ids") {
		byCase[rec["case"].(string)] = rec["o2kit_id"]
	}
	assert.Equal(t, "own-record", byCase["record"])
	assert.Equal(t, "own-with", byCase["with"])
	assert.Len(t, byCase["bad"], 36, "an id JSON would need escaped is replaced")
}

func TestEmitSlogRefusals(t *testing.T) {
	srv, url := devServer(t)
	srv.SetFaultFunc(func(*http.Request) (o2server.Fault, bool) { return o2server.Fault{Hang: true}, true })
	c, _ := newClient(t, srv, url, WithBatchBytes(1024), WithMaxBufferedBytes(1024), WithBatchSize(1))
	ctx := t.Context()
	head := []slog.Attr{slog.String("k", "v")}
	assert.ErrorIs(t, c.EmitSlog(ctx, "", time.Time{}, head, nil, nil), ErrNoStream)
	big := []slog.Attr{slog.String("k", strings.Repeat("x", 2000))}
	assert.ErrorIs(t, c.EmitSlog(ctx, "s", time.Time{}, big, nil, nil), ErrRecordTooLarge)
	for c.EmitSlog(ctx, "s", time.Time{}, head, nil, nil) == nil {
		// until the buffer, held by the hanging server, is full
	}
	assert.ErrorIs(t, c.EmitSlog(ctx, "s", time.Time{}, head, nil, nil), ErrOverflow)
	srv.SetFaultFunc(nil)
	srv.ReleaseHangs()
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	require.NoError(t, c.Shutdown(sctx))
	assert.ErrorIs(t, c.EmitSlog(ctx, "s", time.Time{}, head, nil, nil), ErrClosed)
	assert.EqualValues(t, 4, c.Stats().Dropped, "too large, the two overflows, closed")
}

func TestEmitSlogDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	srv, url := devServer(t, o2server.WithCountOnly())
	c, _ := newClient(t, srv, url, WithBatchSize(1<<20), WithBatchBytes(256<<20), WithMaxBufferedBytes(512<<20))
	ctx := context.Background()
	var buf [3]slog.Attr
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "m", 0)
	r.AddAttrs(typical(1).Attrs...)
	emit := func() {
		head := append(buf[:0], slog.String("level", "INFO"), slog.String("message", r.Message))
		if err := c.EmitSlog(ctx, "app", r.Time, head, nil, &r); err != nil {
			t.Fatal(err)
		}
	}
	for range 100 {
		emit()
	}
	assert.Zero(t, testing.AllocsPerRun(10_000, emit))
}

func TestEmitSlogOverTheColumnLimit(t *testing.T) {
	srv, url := devServer(t)
	c, _ := newClient(t, srv, url)
	r := slog.NewRecord(time.Time{}, slog.LevelInfo, "m", 0)
	for i := range maxColumns {
		r.AddAttrs(slog.Int("f"+strconv.Itoa(i), i))
	}
	head := []slog.Attr{slog.String("case", "wide")}
	require.ErrorIs(t, c.EmitSlog(t.Context(), "wide", time.Time{}, head, nil, &r), ErrTooManyFields,
		"the server would drop the whole batch holding it")
	require.NoError(t, c.EmitSlog(t.Context(), "wide", time.Time{}, head, nil, nil))
	require.NoError(t, c.Flush(t.Context()))
	assert.Len(t, srv.Records("default", "wide"), 1)
	assert.EqualValues(t, 1, c.Stats().Dropped)
}
