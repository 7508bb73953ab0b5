package transport

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// failover is an http.RoundTripper that sends each request to the active
// endpoint and moves to the next one, in order, when the active one cannot
// be reached or answers 502, 503 or 504; the retry that follows then goes
// to the next endpoint. After failbackAfter on a secondary it tries the
// first endpoint again.
type failover struct {
	next      http.RoundTripper
	endpoints []*url.URL
	now       func() time.Time

	mu       sync.Mutex // guards active and switched
	active   int
	switched time.Time
}

const failbackAfter = time.Minute

type pathKey struct{}

// withPath records the request's path below the endpoint's base URL.
func withPath(ctx context.Context, path string) context.Context {
	return context.WithValue(ctx, pathKey{}, path)
}

func (f *failover) current() (int, *url.URL) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.active != 0 && f.now().Sub(f.switched) >= failbackAfter {
		f.active = 0
	}
	return f.active, f.endpoints[f.active]
}

// fail moves past endpoint i unless another request already did.
func (f *failover) fail(i int) {
	if len(f.endpoints) == 1 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.active == i {
		f.active = (i + 1) % len(f.endpoints)
		f.switched = f.now()
	}
}

func (f *failover) RoundTrip(req *http.Request) (*http.Response, error) {
	i, ep := f.current()
	r := req.Clone(req.Context())
	path, _ := req.Context().Value(pathKey{}).(string)
	u := *ep
	u.Path = joinPath(ep.Path, path)
	u.RawPath = ""
	u.RawQuery = req.URL.RawQuery
	r.URL = &u
	r.Host = ""
	resp, err := f.next.RoundTrip(r)
	switch {
	case err != nil && req.Context().Err() == nil:
		f.fail(i)
	case err == nil && (resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusGatewayTimeout):
		f.fail(i)
	}
	return resp, err
}

func joinPath(base, path string) string {
	for len(base) > 0 && base[len(base)-1] == '/' {
		base = base[:len(base)-1]
	}
	return base + path
}
