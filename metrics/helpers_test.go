package metrics

import (
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
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// pinned is the tests' clock.
func pinned() time.Time { return time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC) }

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
			zr, err := gzip.NewReader(bytesReader(raw))
			if err == nil {
				body, _ = io.ReadAll(zr)
			}
		}
		b.mu.Lock()
		b.list = append(b.list, body)
		b.mu.Unlock()
		r.Body = io.NopCloser(bytesReader(raw))
		h.ServeHTTP(w, r)
	})
}

func (b *bodies) all() [][]byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([][]byte(nil), b.list...)
}

// devClient returns a client of a fresh dev server on a loopback port.
func devClient(t *testing.T, opts ...o2kit.Option) (*o2kit.Client, *o2server.Server, *bodies, string) {
	t.Helper()
	srv := o2server.New(o2server.WithClock(pinned))
	seen := &bodies{}
	hs := httptest.NewServer(seen.wrap(srv))
	user, pass := srv.RootUser()
	base := []o2kit.Option{o2kit.WithEndpoint(hs.URL), o2kit.WithBasicAuth(user, pass), o2kit.WithClock(pinned),
		o2kit.WithErrorHandler(o2kit.ErrorHandlerFunc(func(err error) { t.Log(err) }))}
	c, err := o2kit.New(append(base, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Shutdown(ctx)
		hs.Close()
		srv.Close()
	})
	return c, srv, seen, hs.URL
}

// inMemory serves requests with h without sockets, for synctest bubbles.
func inMemory(h http.Handler) *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Result(), nil
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// bubbleClient returns a client of an in-memory dev server, for synctest.
func bubbleClient(t *testing.T) (*o2kit.Client, *o2server.Server) {
	t.Helper()
	srv := o2server.New()
	user, pass := srv.RootUser()
	c, err := o2kit.New(o2kit.WithEndpoint("http://o2.test"), o2kit.WithBasicAuth(user, pass),
		o2kit.WithHTTPClient(inMemory(srv)), o2kit.WithFlushInterval(time.Hour))
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = c.Shutdown(context.Background())
		srv.Close()
	})
	return c, srv
}
