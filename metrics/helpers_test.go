package metrics

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
	"github.com/o2kit/o2kit/internal/o2test"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// pinned is the tests' clock.
func pinned() time.Time { return o2test.Epoch }

// newReg returns a registry without a client and without the timer.
func newReg(t *testing.T, opts ...Option) *Registry {
	t.Helper()
	r, err := NewRegistry(nil, append([]Option{WithInterval(-1), WithClock(pinned)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// bodies keeps the request bodies a handler saw, gunzipped.
type bodies struct {
	mu   sync.Mutex
	list [][]byte
}

func (b *bodies) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		body := raw
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err == nil {
				body, _ = io.ReadAll(zr)
			}
		}
		b.mu.Lock()
		b.list = append(b.list, body)
		b.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(raw))
		h.ServeHTTP(w, r)
	})
}

func (b *bodies) all() [][]byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([][]byte(nil), b.list...)
}

// devClient returns a client of a fresh dev server on a loopback port,
// set up as o2test.New does, with the request bodies the server saw.
func devClient(t *testing.T, opts ...o2kit.Option) (*o2kit.Client, *o2server.Server, *bodies) {
	t.Helper()
	srv := o2server.New(o2server.WithClock(o2test.Pinned))
	seen := &bodies{}
	hs := httptest.NewServer(seen.wrap(srv))
	base := append(o2test.Options(srv, hs.URL), o2kit.WithErrorHandler(o2kit.ErrorHandlerFunc(func(err error) { t.Log(err) })))
	c, err := o2kit.New(append(base, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Shutdown(ctx)
		hs.Close()
		srv.Close()
	})
	return c, srv, seen
}

// bubbleClient returns a client of an in-memory dev server, for synctest.
func bubbleClient(t *testing.T) (*o2kit.Client, *o2server.Server) {
	t.Helper()
	env := o2test.Bubble(t)
	return env.Client, env.Server
}
