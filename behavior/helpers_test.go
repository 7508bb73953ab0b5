package behavior

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
	"github.com/o2kit/o2kit/internal/o2test"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// start is the fake clock's first reading.
var start = o2test.Epoch

// clock is a fake clock that moves only when told.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: start} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is a tracker writing to a dev server, on a fake clock.
type env struct {
	srv     *o2server.Server
	client  *o2kit.Client
	tracker *Tracker
	clock   *clock
}

func newEnv(t *testing.T, opts ...Option) *env {
	t.Helper()
	return newEnvWith(t, nil, opts...)
}

// newEnvWith is newEnv with options for the client too. The dev server
// runs on the env's clock, not o2test's pinned one, so that events of
// later hours are inside its ingestion window.
func newEnvWith(t *testing.T, clientOpts []o2kit.Option, opts ...Option) *env {
	t.Helper()
	clk := newClock()
	e := o2test.NewWithClock(t, clk.Now, clientOpts...)
	tr, err := NewTracker(e.Client, append([]Option{WithClock(clk.Now)}, opts...)...)
	require.NoError(t, err)
	return &env{srv: e.Server, client: e.Client, tracker: tr, clock: clk}
}

// records flushes the client and returns what the server stored.
func (e *env) records(t *testing.T) []map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, e.client.Flush(ctx))
	return e.srv.Records("default", "user_behavior")
}
