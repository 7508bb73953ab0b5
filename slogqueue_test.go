package o2kit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/wire"
)

// inQueue counts the records waiting in c's queue: those queued as
// attrs, and those the caller encoded.
func inQueue(c *Client) (settled, encoded int) {
	q := &c.queue
	q.mu.Lock()
	defer q.mu.Unlock()
	for ch := q.first; ch != nil; ch = ch.next {
		for _, p := range ch.recs[:ch.n] {
			if p.encoded {
				encoded++
			} else {
				settled++
			}
		}
	}
	return settled, encoded
}

// settledCase is slogCase without what a record cannot be queued with (an
// error inside a group), so that it waits in the queue as attrs.
func settledCase() (head, with []slog.Attr, r slog.Record) {
	head = []slog.Attr{slog.String("level", "INFO"), slog.String("message", "m"), slog.Any("head_err", errors.New("h"))}
	with = []slog.Attr{slog.String("svc", "checkout"), slog.Group("req", slog.String("id", "r1"), slog.Group("deep", slog.Int("n", 2))),
		slog.Any("with_lv", valuer("w"))}
	r = slog.NewRecord(time.Time{}, slog.LevelInfo, "m", 0)
	r.AddAttrs(
		slog.String("Order-ID", "o-1"), slog.Attr{}, slog.Group("empty"), slog.Group("", slog.Int("inline", 1)),
		slog.Any("err", fmt.Errorf("open: %w", fs.ErrNotExist)), slog.Any("plain", errors.New("p")),
		slog.Any("lv", valuer("resolved")), slog.Group("g", slog.String("s", "x"), slog.Float64("f", 1.5)),
		slog.Duration("d", time.Second), slog.Time("at", time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)),
		slog.Any("", groupValuer{slog.String("inl", "x")}), slog.Any("lvg", groupValuer{slog.Int("a", 1)}),
	)
	return head, with, r
}

// errorUnder is settledCase's head and with and a record holding an error
// under key (and a string, so that it is not empty either way).
func errorUnder(key string) (head, with []slog.Attr, r slog.Record) {
	head, with, _ = settledCase()
	r = slog.NewRecord(time.Time{}, slog.LevelInfo, "m", 0)
	r.AddAttrs(slog.String("s", "x"), slog.Any(key, errors.New("not a string")))
	return head, with, r
}

// A record queued as attrs and one the caller encodes are stored as the
// caller encoding the same record on its goroutine stores them.
func TestQueuedRecordsEncodeAsOnTheCaller(t *testing.T) {
	for name, build := range map[string]func() ([]slog.Attr, []slog.Attr, slog.Record){
		"settled": settledCase,
		"encoded": func() ([]slog.Attr, []slog.Attr, slog.Record) { return slogCase(1) },
		// An error and a string differ under the id key and keys that
		// normalise to one starting with '_'.
		"error under the id key": func() ([]slog.Attr, []slog.Attr, slog.Record) {
			return errorUnder("O2KIT-ID")
		},
		"error under a key that may be reserved": func() ([]slog.Attr, []slog.Attr, slog.Record) {
			return errorUnder("-timestamp")
		},
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, srv, _ := bubbleClient(t, nil)
				ctx := t.Context()
				at := time.Now() // the bubble's: the server refuses records far from its now
				head, with, r := build()
				require.NoError(t, c.EmitSlog(ctx, "queued", at, head, with, &r))
				settled, encoded := inQueue(c)
				assert.Equal(t, name == "settled", settled == 1 && encoded == 0, "settled %d, encoded %d", settled, encoded)

				es := c.encoders.Get().(*encState)
				st, micros, id, err := c.admit(es, Logs, "caller", at)
				require.NoError(t, err)
				es.buf = c.appendSlog(es, micros, id, head, with, &r)
				require.NoError(t, c.finish(ctx, es, st, micros))
				require.NoError(t, c.Flush(ctx))

				queued, caller := srv.Records("default", "queued"), srv.Records("default", "caller")
				require.Len(t, queued, 1)
				require.Len(t, caller, 1)
				delete(queued[0], "o2kit_id")
				delete(caller[0], "o2kit_id")
				assert.Equal(t, caller[0], queued[0])
				if _, ok := queued[0]["err"]; ok {
					assert.Equal(t, "*errors.errorString: file does not exist", queued[0]["err_chain"])
				}
			})
		})
	}
}

// changing is a LogValuer and an error whose value changes after the
// call.
type changing struct{ v *string }

func (c changing) LogValue() slog.Value { return slog.StringValue(*c.v) }
func (c changing) Error() string        { return *c.v }

// What could change after EmitSlog returns is taken at the call: what a
// LogValuer resolves to, an error's text, and the head and with the
// caller reuses, groups and all.
func TestQueuedRecordIsTakenAtTheCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil)
		ctx := t.Context()
		v := "at the call"
		members := []slog.Attr{slog.String("m", "at the call")}
		head := []slog.Attr{slog.String("h", "at the call"), slog.Attr{Key: "grp", Value: slog.GroupValue(members...)}}
		r := slog.NewRecord(time.Time{}, slog.LevelInfo, "m", 0)
		r.AddAttrs(slog.Any("lv", changing{&v}), slog.Any("err", error(changing{&v})))
		require.NoError(t, c.EmitSlog(ctx, "taken", time.Time{}, head, nil, &r))
		settled, _ := inQueue(c)
		require.Equal(t, 1, settled)

		v = "later"
		members[0] = slog.String("m", "later")
		head[0] = slog.String("h", "later")
		r.AddAttrs(slog.String("added", "later"))
		require.NoError(t, c.Flush(ctx))
		got := srv.Records("default", "taken")
		require.Len(t, got, 1)
		for _, k := range []string{"lv", "err", "h", "grp_m"} {
			assert.Equal(t, "at the call", got[0][k], k)
		}
		assert.NotContains(t, got[0], "added")
	})
}

// One goroutine's records keep their order through the queue, whichever
// way each is queued.
func TestQueueKeepsTheOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// One sender, so the batches arrive in the order they were sealed.
		c, srv, _ := bubbleClient(t, nil, WithBatchSize(7), WithConcurrency(1))
		ctx := t.Context()
		at := time.Now() // one time for all: the order is the queue's
		for i := range 60 {
			head := []slog.Attr{slog.Int("seq", i)}
			r := slog.NewRecord(time.Time{}, slog.LevelInfo, "m", 0)
			switch i % 3 {
			case 1: // queued as bytes
				r.AddAttrs(slog.Any("obj", map[string]int{"a": i}))
			case 2:
				r.AddAttrs(slog.Any("err", errors.New("e")))
			}
			require.NoError(t, c.EmitSlog(ctx, "order", at, head, nil, &r))
		}
		require.NoError(t, c.Flush(ctx))
		recs := srv.Records("default", "order")
		require.Len(t, recs, 60)
		for i, rec := range recs {
			assert.EqualValues(t, i, rec["seq"])
		}
		assert.Zero(t, c.Stats().BufferedBytes, "the estimates held in the queue are released")
	})
}

// A record the encoder refuses once it is encoded (its text grows past a
// batch) is counted and reported; the records around it arrive.
func TestQueuedRecordRefusedLate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, log := bubbleClient(t, nil, WithBatchBytes(2048))
		ctx := t.Context()
		grows := strings.Repeat("\x01", 340) // held as 340 bytes, written as 2,040
		for _, v := range []string{"before", grows, "after"} {
			require.NoError(t, c.EmitSlog(ctx, "late", time.Time{}, []slog.Attr{slog.String("v", v)}, nil, nil))
		}
		require.NoError(t, c.Flush(ctx))
		recs := srv.Records("default", "late")
		require.Len(t, recs, 2)
		assert.Equal(t, "before", recs[0]["v"])
		assert.Equal(t, "after", recs[1]["v"])
		st := c.Stats()
		assert.EqualValues(t, 3, st.Accepted)
		assert.EqualValues(t, 1, st.Dropped)
		assert.EqualValues(t, 2, st.Sent)
		assert.Zero(t, st.QueueDepth)
		errs := log.all()
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], ErrRecordTooLarge)
		assert.Contains(t, errs[0].Error(), `stream "late": record dropped`)
	})
}

// A record waits in the queue at most queueLatency before it is in its
// batch, which the flush interval then seals.
func TestQueuedRecordReachesItsBatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil, WithFlushInterval(time.Second))
		require.NoError(t, c.EmitSlog(t.Context(), "soon", time.Time{}, []slog.Attr{slog.String("k", "v")}, nil, nil))
		time.Sleep(queueLatency - time.Millisecond)
		synctest.Wait()
		settled, _ := inQueue(c)
		assert.Equal(t, 1, settled, "still queued")
		time.Sleep(time.Millisecond)
		synctest.Wait()
		settled, _ = inQueue(c)
		assert.Zero(t, settled, "in its batch")
		time.Sleep(time.Second)
		synctest.Wait()
		assert.EqualValues(t, 1, srv.Count("default", "soon"))
	})
}

// A batch's worth of records wakes the encoder goroutine at once.
func TestQueueWakesTheEncoderForABatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil, WithBatchSize(10), WithFlushInterval(time.Hour))
		for i := range 10 {
			require.NoError(t, c.EmitSlog(t.Context(), "batch", time.Time{}, []slog.Attr{slog.Int("seq", i)}, nil, nil))
		}
		synctest.Wait()
		assert.EqualValues(t, 10, srv.Count("default", "batch"), "sealed by count with no time passing")
	})
}

// fillQueue fills c's queue while its encoder is held back, and returns
// the function that lets it go.
func fillQueue(t *testing.T, c *Client) (release func()) {
	t.Helper()
	c.queue.drainMu.Lock()
	for i := range queueLimit {
		require.NoError(t, c.EmitSlog(t.Context(), "full", time.Time{}, []slog.Attr{slog.Int("seq", i)}, nil, nil))
	}
	settled, _ := inQueue(c)
	require.Equal(t, queueLimit, settled)
	return sync.OnceFunc(c.queue.drainMu.Unlock)
}

// At the queue's limit a caller that may not wait encodes its record into
// the batch itself; nothing is lost.
func TestFullQueueCallerEncodes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil, WithBatchSize(1000), WithFlushInterval(time.Hour))
		release := fillQueue(t, c)
		defer release()
		require.NoError(t, c.EmitSlog(t.Context(), "full", time.Time{}, []slog.Attr{slog.Int("seq", queueLimit)}, nil, nil))
		settled, _ := inQueue(c)
		assert.Equal(t, queueLimit, settled, "not queued")
		st := c.stream(Logs, "full")
		st.mu.Lock()
		assert.Equal(t, 1, st.open.records, "encoded into the open batch")
		st.mu.Unlock()
		release()
		require.NoError(t, c.Flush(t.Context()))
		assert.EqualValues(t, queueLimit+1, srv.Count("default", "full"))
		assert.EqualValues(t, queueLimit+1, c.Stats().Accepted)
	})
}

// At the queue's limit a caller under Block waits for room, up to its
// timeout. (Real time: the encoder is held back by a mutex, which a
// synctest bubble does not count as blocked.)
func TestFullQueueBlockWaits(t *testing.T) {
	srv, url := devServer(t)
	c, _ := newClient(t, srv, url, WithBatchSize(1000), WithFlushInterval(time.Hour), WithOverflow(Block(50*time.Millisecond)))
	release := fillQueue(t, c)
	defer release()
	start := time.Now()
	err := c.EmitSlog(t.Context(), "full", time.Time{}, []slog.Attr{slog.String("v", "timed out")}, nil, nil)
	assert.ErrorIs(t, err, ErrOverflow)
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)

	done := make(chan error)
	go func() {
		done <- c.EmitSlog(context.Background(), "full", time.Time{}, []slog.Attr{slog.String("v", "waited")}, nil, nil)
	}()
	require.Eventually(t, func() bool {
		c.queue.mu.Lock()
		defer c.queue.mu.Unlock()
		return c.queue.room != nil
	}, 10*time.Second, time.Millisecond, "the caller waits for room")
	select {
	case err := <-done:
		t.Fatalf("returned before there was room: %v", err)
	default:
	}
	release()
	require.NoError(t, <-done)
	flush(t, c)
	assert.EqualValues(t, queueLimit+1, srv.Count("default", "full"))
	assert.EqualValues(t, 1, c.Stats().Dropped)
}

// Shutdown encodes what is queued before it seals the batches; after it,
// EmitSlog refuses.
func TestShutdownEncodesTheQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil, WithFlushInterval(time.Hour))
		for i := range 5 {
			require.NoError(t, c.EmitSlog(t.Context(), "last", time.Time{}, []slog.Attr{slog.Int("seq", i)}, nil, nil))
		}
		require.NoError(t, c.Shutdown(t.Context()))
		assert.EqualValues(t, 5, srv.Count("default", "last"))
		assert.ErrorIs(t, c.EmitSlog(t.Context(), "last", time.Time{}, []slog.Attr{slog.Int("seq", 5)}, nil, nil), ErrClosed)
		st := c.Stats()
		assert.EqualValues(t, 5, st.Sent)
		assert.EqualValues(t, 1, st.Dropped)
	})
}

// Goroutines queueing into one stream while others flush: each record
// arrives once and whole.
func TestQueueManyGoroutines(t *testing.T) {
	srv, url := devServer(t)
	c, _ := newClient(t, srv, url, WithBatchSize(50))
	const goroutines, each = 8, 300
	fromGoroutines(goroutines, each, func(who string, i int) {
		r := slog.NewRecord(time.Time{}, slog.LevelInfo, "m", 0)
		r.AddAttrs(slog.String("who", who), slog.Any("err", errors.New("e")), slog.Group("g", slog.Int("i", i)))
		assert.NoError(t, c.EmitSlog(context.Background(), "many", time.Time{}, []slog.Attr{slog.String("message", "m")}, nil, &r))
		if i%100 == 0 {
			assert.NoError(t, c.Flush(context.Background()))
		}
	})
	flush(t, c)
	for _, r := range eachOnce(t, srv.Records("default", "many"), goroutines*each) {
		assert.Equal(t, "e", r["err"])
		assert.Contains(t, r, "g_i")
	}
	st := c.Stats()
	assert.EqualValues(t, goroutines*each, st.Sent)
	assert.Zero(t, st.BufferedBytes)
}

// staticFields is a processor that adds fields of its own, which the
// client writes as a static tail.
type staticFields []slog.Attr

func (s staticFields) Process(_ context.Context, r Record) (Record, error) {
	r.Attrs = append(r.Attrs[:len(r.Attrs):len(r.Attrs)], s...)
	return r, nil
}

func (s staticFields) StaticAttrs() ([]slog.Attr, bool) { return s, true }

// upper is a processor that rewrites every string value, in a new slice.
var upper = ProcessorFunc(func(_ context.Context, r Record) (Record, error) {
	out := make([]slog.Attr, len(r.Attrs))
	for i, a := range r.Attrs {
		if a.Value.Kind() == slog.KindString {
			a.Value = slog.StringValue(strings.ToUpper(a.Value.String()))
		}
		out[i] = a
	}
	r.Attrs = out
	return r, nil
})

// With processors, the processed record is queued too, its static tail
// written by the encoder goroutine, and stored as Emit stores the same
// record.
func TestProcessedRecordIsQueued(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil, WithProcessors(upper, staticFields{slog.String("host", "h1"), slog.String("svc", "x")}))
		ctx := t.Context()
		head, with, r := settledCase()
		require.NoError(t, c.EmitSlog(ctx, "processed", time.Time{}, head, with, &r))
		settled, encoded := inQueue(c)
		assert.Equal(t, [2]int{1, 0}, [2]int{settled, encoded}, "queued as attrs")

		var attrs []slog.Attr
		attrs = append(append(attrs, head...), with...)
		r.Attrs(func(a slog.Attr) bool {
			attrs = wire.AppendSlogAttr(attrs, a)
			return true
		})
		require.NoError(t, c.Emit(ctx, Record{Stream: "emitted", Attrs: attrs}))
		require.NoError(t, c.Flush(ctx))
		queued, emitted := srv.Records("default", "processed"), srv.Records("default", "emitted")
		require.Len(t, queued, 1)
		require.Len(t, emitted, 1)
		for _, rec := range []map[string]any{queued[0], emitted[0]} {
			delete(rec, "o2kit_id")
		}
		assert.Equal(t, emitted[0], queued[0])
		assert.Equal(t, "O-1", queued[0]["order_id"], "processed")
		assert.Equal(t, "h1", queued[0]["host"], "the static tail")
		assert.Equal(t, "CHECKOUT", queued[0]["svc"], "the record's own field wins over the static one")
	})
}
