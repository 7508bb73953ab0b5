package o2kit

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/o2kit/o2kit/internal/o2server"
)

func TestMain(m *testing.M) {
	if runCrashChild() {
		return
	}
	goleak.VerifyTestMain(m)
}

// devServer starts the embedded OpenObserve dev server on a loopback port.
func devServer(t *testing.T, opts ...o2server.Option) (*o2server.Server, string) {
	t.Helper()
	srv := o2server.New(opts...)
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.ReleaseHangs()
		hs.CloseClientConnections()
		hs.Close()
	})
	return srv, hs.URL
}

// inMemory serves requests with h without sockets, so that tests of timing
// can run in a synctest bubble, where only the fake clock moves.
func inMemory(h http.Handler) *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if err := r.Context().Err(); err != nil {
			return nil, err
		}
		return rec.Result(), nil
	})}
}

// errLog is an ErrorHandler that keeps what it is given.
type errLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errLog) Handle(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *errLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// newClient returns a client of the dev server at url, shut down when the
// test ends.
func newClient(t *testing.T, srv *o2server.Server, url string, opts ...Option) (*Client, *errLog) {
	t.Helper()
	user, pass := srv.RootUser()
	log := &errLog{}
	base := []Option{WithEndpoint(url), WithBasicAuth(user, pass), WithErrorHandler(log)}
	c, err := New(append(base, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Shutdown(ctx)
	})
	return c, log
}

// typical is an e-commerce log record: a message and eight attributes.
func typical(i int) Record {
	return Record{Stream: "application-logs", Attrs: []slog.Attr{
		slog.String("message", "order placed"),
		slog.Int("seq", i),
		slog.String("user_id", "u-123456"),
		slog.String("order_id", "ord-98765"),
		slog.Int64("amount_minor", 129900),
		slog.String("currency", "EUR"),
		slog.Float64("latency_ms", 12.5),
		slog.Bool("first_order", true),
		slog.Duration("elapsed", 1500*time.Microsecond),
	}}
}

func emitN(t *testing.T, c *Client, stream string, n int) {
	t.Helper()
	for i := range n {
		r := typical(i)
		r.Stream = stream
		require.NoError(t, c.Emit(context.Background(), r))
	}
}

func flush(t *testing.T, c *Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, c.Flush(ctx))
}
