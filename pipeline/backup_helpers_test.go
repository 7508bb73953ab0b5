package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
	"github.com/o2kit/o2kit/internal/o2test"
)

// backupEpoch is "now" in the tests that run a [testClock], unless a test
// moves the clock: the pinned time of the package's other tests.
var backupEpoch = o2test.Epoch

// testClock is a clock tests move by hand, such as one the dev server and
// the clients share.
type testClock struct{ now atomic.Int64 }

func newTestClock(t time.Time) *testClock {
	c := &testClock{}
	c.set(t)
	return c
}

func (c *testClock) Now() time.Time      { return time.Unix(0, c.now.Load()).UTC() }
func (c *testClock) set(t time.Time)     { c.now.Store(t.UnixNano()) }
func (c *testClock) add(d time.Duration) { c.now.Add(int64(d)) }

// backupEnv is a dev server and a clock for one test.
type backupEnv struct {
	srv   *o2server.Server
	url   string
	clock *testClock
}

// newBackupEnv starts the dev server.
func newBackupEnv(t *testing.T) *backupEnv {
	t.Helper()
	clock := newTestClock(backupEpoch)
	srv := o2server.New(o2server.WithClock(clock.Now))
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.CloseClientConnections()
		hs.Close()
	})
	return &backupEnv{srv: srv, url: hs.URL, clock: clock}
}

// client returns a client of the env's server with big batches, shut down
// when the test ends.
func (e *backupEnv) client(t *testing.T, opts ...o2kit.Option) *o2kit.Client {
	t.Helper()
	user, pass := e.srv.RootUser()
	base := []o2kit.Option{
		o2kit.WithEndpoint(e.url), o2kit.WithBasicAuth(user, pass), o2kit.WithClock(e.clock.Now),
		o2kit.WithBatchSize(5000), o2kit.WithBatchBytes(8 << 20),
		o2kit.WithErrorHandler(o2kit.ErrorHandlerFunc(func(err error) { t.Logf("client: %v", err) })),
	}
	c, err := o2kit.New(append(base, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Shutdown(ctx)
	})
	return c
}

// seed emits n order records into stream, tie records to a microsecond
// (so pages end inside runs of equal timestamps), the first at start,
// and flushes them.
func seed(t *testing.T, c *o2kit.Client, stream string, n, tie int, start time.Time) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		err := c.Emit(ctx, o2kit.Record{
			Stream: stream,
			Time:   start.Add(time.Duration(i/tie) * time.Microsecond),
			Attrs: []slog.Attr{
				slog.String("message", "order placed"),
				slog.Int("seq", i),
				slog.String("order_id", fmt.Sprintf("ord-%06d", i)),
				slog.Int64("amount_minor", int64(1000+i%5000)),
				slog.Float64("latency_ms", 12.5+float64(i%10)),
				slog.Bool("first_order", i%3 == 0),
			},
		})
		require.NoError(t, err)
	}
	flushClient(t, c)
}

func flushClient(t *testing.T, c *o2kit.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	require.NoError(t, c.Flush(ctx))
}

// byID indexes stored records by their o2kit_id, failing on a record
// without one or on a duplicate.
func byID(t *testing.T, recs []map[string]any) map[string]map[string]any {
	t.Helper()
	out := make(map[string]map[string]any, len(recs))
	for _, r := range recs {
		id, ok := r[o2kit.DefaultIDField].(string)
		require.True(t, ok, "record without an id: %v", r)
		_, dup := out[id]
		require.False(t, dup, "duplicate id %s", id)
		out[id] = r
	}
	return out
}
