// Package transport moves request bodies to OpenObserve: compression,
// retries with backoff (hashicorp/go-retryablehttp), Retry-After, endpoint
// failover and bounded response reading. It knows nothing of records or
// batches; what an answer means is the caller's business.
package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Config configures a [Transport]. Zero values take the defaults noted.
type Config struct {
	Endpoints     []*url.URL   // base URLs, tried in order; at least one, no user info
	Authorization string       // Authorization header value, or empty
	Client        *http.Client // base client whose Transport is wrapped; nil means a pooled default
	MaxRetries    int          // retries after the first attempt
	Timeout       time.Duration
	Encoding      Encoding
	UserAgent     string
	Now           func() time.Time // default time.Now
	RetryWaitMin  time.Duration    // default 500ms: the first backoff ceiling
	RetryWaitMax  time.Duration    // default 30s
	MaxResponse   int64            // bytes of a response body kept; default 1 MiB
}

// Transport sends requests. Safe for concurrent use.
type Transport struct {
	cfg  Config
	rc   *retryablehttp.Client
	fo   *failover
	comp *compressor
	hc   *http.Client
}

// Request is one call to the server.
type Request struct {
	Method      string
	Path        string // below the endpoint's base URL, e.g. "/api/default/logs/_multi"
	Query       url.Values
	ContentType string
	Header      http.Header // extra headers
	Body        []byte      // uncompressed; compressed here when Compress is set
	Compress    bool
}

// Response is the server's answer to the last attempt.
type Response struct {
	Status    int
	Header    http.Header
	Body      []byte // at most Config.MaxResponse bytes
	Attempts  int
	WireBytes int // body bytes on the wire per attempt
}

// Error is a request that got no answer after every attempt.
type Error struct {
	Attempts int
	Err      error
}

func (e *Error) Error() string {
	return fmt.Sprintf("no answer after %d attempt(s): %v", e.Attempts, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// New returns a Transport for cfg.
func New(cfg Config) (*Transport, error) {
	if len(cfg.Endpoints) == 0 {
		return nil, errors.New("transport: no endpoint")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RetryWaitMin <= 0 {
		cfg.RetryWaitMin = 500 * time.Millisecond
	}
	if cfg.RetryWaitMax <= 0 {
		cfg.RetryWaitMax = 30 * time.Second
	}
	if cfg.MaxResponse <= 0 {
		cfg.MaxResponse = 1 << 20
	}
	comp, err := newCompressor(cfg.Encoding)
	if err != nil {
		return nil, fmt.Errorf("transport: %w", err)
	}
	t := &Transport{cfg: cfg, comp: comp}
	var base http.Client
	if cfg.Client != nil {
		base = *cfg.Client
	}
	if base.Transport == nil {
		base.Transport = defaultTransport()
	}
	t.fo = &failover{next: base.Transport, endpoints: cfg.Endpoints, now: cfg.Now}
	base.Transport = t.fo
	if cfg.Timeout > 0 && (base.Timeout == 0 || cfg.Timeout < base.Timeout) {
		base.Timeout = cfg.Timeout
	}
	t.hc = &base
	t.rc = &retryablehttp.Client{
		HTTPClient:   t.hc,
		RetryWaitMin: cfg.RetryWaitMin,
		RetryWaitMax: cfg.RetryWaitMax,
		RetryMax:     cfg.MaxRetries,
		CheckRetry:   Retryable,
		Backoff: func(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
			return Backoff(lo, hi, attempt, resp, cfg.Now())
		},
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
		RequestLogHook: func(_ retryablehttp.Logger, r *http.Request, _ int) {
			if n, ok := r.Context().Value(attemptsKey{}).(*atomic.Int32); ok {
				n.Add(1)
			}
		},
	}
	return t, nil
}

// defaultTransport is http.DefaultTransport's settings with enough idle
// connections for a few senders to reuse theirs.
func defaultTransport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	return tr
}

// HTTPClient returns the client requests go through (failover included),
// for callers that need plain requests, such as a health check.
func (t *Transport) HTTPClient() *http.Client { return t.hc }

type attemptsKey struct{}

// Do sends req, retrying as the Config says, and returns the last answer.
// Any status is an answer; only a request that never got one returns an
// error (*Error, or the context's error once ctx ends).
func (t *Transport) Do(ctx context.Context, req Request) (*Response, error) {
	body, buf := req.Body, (*bytes.Buffer)(nil)
	if req.Compress {
		body, buf = t.comp.compress(req.Body)
		defer t.comp.release(buf)
	}
	var attempts atomic.Int32
	ctx = context.WithValue(withPath(ctx, req.Path), attemptsKey{}, &attempts)
	u := *t.cfg.Endpoints[0]
	u.Path = joinPath(u.Path, req.Path)
	u.RawQuery = req.Query.Encode()
	var rbody any
	if body != nil {
		rbody = body
	}
	r, err := retryablehttp.NewRequestWithContext(ctx, req.Method, u.String(), rbody)
	if err != nil {
		return nil, fmt.Errorf("transport: %w", err)
	}
	t.setHeaders(r.Header, req, body != nil)
	resp, err := t.rc.Do(r)
	n := int(attempts.Load())
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &Error{Attempts: n, Err: err}
	}
	defer resp.Body.Close()
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Attempts: n, WireBytes: len(body)}
	out.Body, err = io.ReadAll(io.LimitReader(resp.Body, t.cfg.MaxResponse))
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	// Drain a little more so the connection can be reused; give up on more.
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	return out, nil
}

func (t *Transport) setHeaders(h http.Header, req Request, hasBody bool) {
	for k, vs := range req.Header {
		h[k] = vs
	}
	if hasBody && req.ContentType != "" {
		h.Set("Content-Type", req.ContentType)
	}
	if req.Compress && t.cfg.Encoding != Identity {
		h.Set("Content-Encoding", t.cfg.Encoding.String())
	}
	if t.cfg.Authorization != "" {
		h.Set("Authorization", t.cfg.Authorization)
	}
	if t.cfg.UserAgent != "" {
		h.Set("User-Agent", t.cfg.UserAgent)
	}
}

// Close releases idle connections and the compressor.
func (t *Transport) Close() {
	t.hc.CloseIdleConnections()
	t.comp.close()
}
