package o2kit

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2server"
)

// Records around one refused as too large arrive once and whole, as do
// those that start a new batch by bytes and one that brings its own id.
func TestRefusedRecordsLeaveTheBatchWhole(t *testing.T) {
	srv, url := devServer(t)
	c, _ := newClient(t, srv, url, WithBatchBytes(1024), WithBatchSize(100))
	ctx := context.Background()
	pad := strings.Repeat("p", 200)
	for i := range 10 { // about 260 bytes each: a batch takes three
		require.NoError(t, c.Emit(ctx, Record{Stream: "s", Attrs: []slog.Attr{slog.Int("seq", i), slog.String("pad", pad)}}))
		if i == 4 {
			err := c.Emit(ctx, Record{Stream: "s", Attrs: []slog.Attr{slog.String("big", strings.Repeat("b", 2000))}})
			require.ErrorIs(t, err, ErrRecordTooLarge)
			require.NoError(t, c.Emit(ctx, Record{Stream: "s", Attrs: []slog.Attr{
				slog.String(DefaultIDField, "restored-1"), slog.Int("seq", 100)}}))
		}
	}
	flush(t, c)
	recs := srv.Records("default", "s")
	require.Len(t, recs, 11)
	seqs := map[any]bool{}
	for _, r := range recs {
		seqs[r["seq"]] = true
		if r["seq"] == int64(100) {
			assert.Equal(t, "restored-1", r[DefaultIDField])
		} else {
			assert.Equal(t, pad, r["pad"])
		}
	}
	assert.Len(t, seqs, 11)
	st := c.Stats()
	assert.Equal(t, uint64(11), st.Sent)
	assert.Equal(t, uint64(1), st.Dropped)
	assert.GreaterOrEqual(t, st.Requests, uint64(4), "no batch held more than its bytes")
}

// At the memory cap a record is refused and counted; the records taken
// before are all sent once the server answers.
func TestRecordsRefusedAtTheCapLeaveTheBatchWhole(t *testing.T) {
	srv, url := devServer(t)
	srv.SetFaultFunc(func(*http.Request) (o2server.Fault, bool) { return o2server.Fault{Hang: true}, true })
	c, _ := newClient(t, srv, url, WithBatchBytes(1024), WithMaxBufferedBytes(4096), WithBatchSize(5))
	ctx := context.Background()
	taken := 0
	for i := range 100 {
		err := c.Emit(ctx, Record{Stream: "s", Attrs: []slog.Attr{slog.Int("seq", i), slog.String("pad", strings.Repeat("p", 100))}})
		if err != nil {
			require.ErrorIs(t, err, ErrOverflow)
			continue
		}
		taken++
	}
	require.Less(t, taken, 100)
	srv.SetFaultFunc(nil)
	srv.ReleaseHangs()
	flush(t, c)
	assert.Len(t, srv.Records("default", "s"), taken)
	st := c.Stats()
	assert.Equal(t, uint64(taken), st.Sent)
	assert.Equal(t, uint64(100-taken), st.Dropped)
}

// Goroutines emitting to one stream at once: every record arrives once,
// whole, and the counters agree.
func TestManyGoroutinesOneStream(t *testing.T) {
	srv, url := devServer(t)
	c, _ := newClient(t, srv, url, WithBatchSize(50))
	const goroutines, each = 8, 300
	fromGoroutines(goroutines, each, func(who string, i int) {
		r := typical(i)
		r.Stream = "s"
		r.Attrs = append(r.Attrs, slog.String("who", who))
		assert.NoError(t, c.Emit(context.Background(), r))
	})
	flush(t, c)
	for _, r := range eachOnce(t, srv.Records("default", "s"), goroutines*each) {
		assert.Equal(t, "order placed", r["message"])
		assert.Equal(t, "ord-98765", r["order_id"])
	}
	assert.Equal(t, uint64(goroutines*each), c.Stats().Sent)
}

// fromGoroutines runs f each times on each of goroutines goroutines at
// once, with i counting and who naming the call, and waits for them.
func fromGoroutines(goroutines, each int, f func(who string, i int)) {
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				f(fmt.Sprintf("g%d-%d", g, i), i)
			}
		})
	}
	wg.Wait()
}

// eachOnce checks that recs are n records, each with a "who" of its own,
// and returns them.
func eachOnce(t *testing.T, recs []map[string]any, n int) []map[string]any {
	t.Helper()
	require.Len(t, recs, n)
	seen := map[string]bool{}
	for _, r := range recs {
		who := r["who"].(string)
		assert.False(t, seen[who], who)
		seen[who] = true
	}
	return recs
}
