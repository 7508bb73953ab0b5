// Package o2test starts the embedded OpenObserve dev server and a client of
// it for the tests and examples of o2kit's packages, so each package does
// not carry its own copy of the set-up.
package o2test

import (
	"context"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
)

// Epoch is the pinned time of tests and examples, so stored records are
// the same byte for byte on every run.
var Epoch = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

// Pinned is a clock that always reads Epoch.
func Pinned() time.Time { return Epoch }

// Env is a dev server on a loopback port and a client of it.
type Env struct {
	Server *o2server.Server
	Client *o2kit.Client
	URL    string
}

// Options are the client options of a dev server at url: its root user's
// credentials, the pinned clock and no record ids, so stored records are
// stable.
func Options(srv *o2server.Server, url string) []o2kit.Option {
	user, pass := srv.RootUser()
	return []o2kit.Option{
		o2kit.WithEndpoint(url), o2kit.WithBasicAuth(user, pass),
		o2kit.WithClock(Pinned), o2kit.WithIDField(""),
	}
}

// New starts a dev server with the pinned clock and a client of it with
// [Options] and then opts; background errors go to t.Log. Both are closed
// when the test ends.
func New(t testing.TB, opts ...o2kit.Option) *Env {
	t.Helper()
	return NewWithClock(t, Pinned, opts...)
}

// NewWithClock is [New] with now as the clock of both the server and the
// client, for tests whose records must fall inside the server's ingest
// window at another time than Epoch, such as spans stamped by the real
// clock.
func NewWithClock(t testing.TB, now func() time.Time, opts ...o2kit.Option) *Env {
	t.Helper()
	srv := o2server.New(o2server.WithClock(now))
	hs := httptest.NewServer(srv)
	base := append(Options(srv, hs.URL), o2kit.WithClock(now),
		o2kit.WithErrorHandler(o2kit.ErrorHandlerFunc(func(err error) { t.Log(err) })))
	c, err := o2kit.New(append(base, opts...)...)
	if err != nil {
		hs.Close()
		t.Fatalf("o2test: client: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Shutdown(ctx)
		srv.ReleaseHangs()
		hs.CloseClientConnections()
		hs.Close()
		_ = srv.Close()
	})
	return &Env{Server: srv, Client: c, URL: hs.URL}
}

// Errors is an [o2kit.ErrorHandler] that keeps the errors it is given,
// for tests that check what the client reported.
type Errors struct {
	mu   sync.Mutex
	errs []error
}

// Handle keeps err.
func (e *Errors) Handle(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.errs = append(e.errs, err)
}

// All returns the errors kept so far, oldest first.
func (e *Errors) All() []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]error(nil), e.errs...)
}

// Records flushes the client and returns what the server stored in the
// org's logs stream.
func (e *Env) Records(t testing.TB, stream string) []map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.Client.Flush(ctx); err != nil {
		t.Fatalf("o2test: flush: %v", err)
	}
	return e.Server.Records(e.Client.Org(), stream)
}

// Example starts a dev server with the pinned clock on a loopback port and
// a client of it with [Options] and then opts, for Example functions; it
// stops the program on failure. The caller shuts both down.
func Example(opts ...o2kit.Option) (*o2server.Server, *o2kit.Client) {
	dev := o2server.New(o2server.WithClock(Pinned))
	url, err := dev.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	client, err := o2kit.New(append(Options(dev, url), opts...)...)
	if err != nil {
		log.Fatal(err)
	}
	return dev, client
}

// InMemory is an HTTP client that serves requests with h without sockets,
// so tests of timing can run in a testing/synctest bubble, where only the
// fake clock moves.
func InMemory(h http.Handler) *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if err := r.Context().Err(); err != nil {
			return nil, err
		}
		return rec.Result(), nil
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Bubble starts a dev server and a client of it that talk through
// [InMemory], with the real clock, for tests that run inside a
// testing/synctest bubble (call it inside the bubble: the fake clock is
// then both ends' clock). The client flushes every hour, so tests flush
// it themselves. Both are closed when the test ends.
func Bubble(t testing.TB, opts ...o2kit.Option) *Env {
	t.Helper()
	srv := o2server.New()
	user, pass := srv.RootUser()
	const url = "http://o2.test"
	base := []o2kit.Option{o2kit.WithEndpoint(url), o2kit.WithBasicAuth(user, pass),
		o2kit.WithHTTPClient(InMemory(srv)), o2kit.WithFlushInterval(time.Hour),
		o2kit.WithErrorHandler(o2kit.ErrorHandlerFunc(func(err error) { t.Log(err) }))}
	c, err := o2kit.New(append(base, opts...)...)
	if err != nil {
		t.Fatalf("o2test: client: %v", err)
	}
	t.Cleanup(func() {
		_ = c.Shutdown(context.Background())
		_ = srv.Close()
	})
	return &Env{Server: srv, Client: c, URL: url}
}
