package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func answer(status int, header http.Header, body string) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(strings.NewReader(body))}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}

func newT(t *testing.T, rt http.RoundTripper, cfg Config) *Transport {
	if cfg.Endpoints == nil {
		cfg.Endpoints = []*url.URL{mustURL(t, "http://o2.test:5080/base")}
	}
	cfg.Client = &http.Client{Transport: rt}
	tr, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(tr.Close)
	return tr
}

func TestRetryAfterForms(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"3":                                 3 * time.Second,
		" 0 ":                               0,
		"Wed, 25 Nov 2026 12:00:10 GMT":     10 * time.Second,
		"Wednesday, 25-Nov-26 12:00:20 GMT": 20 * time.Second,
		"Wed Nov 25 12:00:30 2026":          30 * time.Second,
		"Wed, 25 Nov 2026 11:00:00 GMT":     0,
		"99999999":                          maxRetryAfter,
	} {
		got, ok := RetryAfter(v, now)
		assert.True(t, ok, v)
		assert.Equal(t, want, got, v)
	}
	for _, v := range []string{"", "-1", "soon", "1.5"} {
		_, ok := RetryAfter(v, now)
		assert.False(t, ok, v)
	}
}

func TestBackoffIsJitteredExponential(t *testing.T) {
	base, hi := 100*time.Millisecond, time.Second
	for attempt, ceiling := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		ceiling *= time.Millisecond
		if attempt >= 4 {
			ceiling = hi
		}
		seen := map[time.Duration]bool{}
		for range 200 {
			d := Backoff(base, hi, attempt, nil, time.Now())
			require.GreaterOrEqual(t, d, time.Duration(0))
			require.Less(t, d, ceiling, "attempt %d", attempt)
			seen[d] = true
		}
		assert.Greater(t, len(seen), 10, "full jitter spreads the waits")
	}
	resp := answer(503, http.Header{"Retry-After": {"7"}}, "")
	assert.Equal(t, 7*time.Second, Backoff(base, hi, 0, resp, time.Now()))
	resp = answer(500, http.Header{"Retry-After": {"7"}}, "")
	assert.Less(t, Backoff(base, hi, 0, resp, time.Now()), base, "Retry-After counts only on 429 and 503")
}

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"1", "Wed, 25 Nov 2026 12:00:10 GMT", "", "-5", "1e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := RetryAfter(v, time.Unix(1_700_000_000, 0))
		if d < 0 || d > maxRetryAfter || (!ok && d != 0) {
			t.Fatalf("RetryAfter(%q) = %v, %v", v, d, ok)
		}
	})
}

func TestRetriesHonourRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		var stamps []time.Time
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			stamps = append(stamps, time.Now())
			switch calls.Add(1) {
			case 1:
				return answer(429, http.Header{"Retry-After": {"2"}}, "slow down"), nil
			case 2:
				return answer(503, http.Header{"Retry-After": {time.Now().Add(5 * time.Second).UTC().Format(http.TimeFormat)}}, ""), nil
			}
			return answer(200, nil, `{"code":200}`), nil
		})
		tr := newT(t, rt, Config{MaxRetries: 3})
		resp, err := tr.Do(t.Context(), Request{Method: "POST", Path: "/api/x", Body: []byte("{}\n")})
		require.NoError(t, err)
		assert.Equal(t, 200, resp.Status)
		assert.Equal(t, 3, resp.Attempts)
		require.Len(t, stamps, 3)
		assert.Equal(t, 2*time.Second, stamps[1].Sub(stamps[0]))
		assert.Equal(t, 5*time.Second, stamps[2].Sub(stamps[1]))
	})
}

func TestNoRetryOnClientErrors(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 413, 415, 501} {
		var calls atomic.Int32
		rt := roundTripFunc(func(*http.Request) (*http.Response, error) {
			calls.Add(1)
			return answer(status, nil, "no"), nil
		})
		tr := newT(t, rt, Config{MaxRetries: 3})
		resp, err := tr.Do(t.Context(), Request{Method: "POST", Path: "/api/x", Body: []byte("x")})
		require.NoError(t, err)
		assert.Equal(t, status, resp.Status)
		assert.Equal(t, int32(1), calls.Load(), "status %d", status)
		assert.Equal(t, "no", string(resp.Body))
	}
}

func TestRetriesExhaustedReturnsLastAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		rt := roundTripFunc(func(*http.Request) (*http.Response, error) {
			calls.Add(1)
			return answer(500, nil, "boom"), nil
		})
		tr := newT(t, rt, Config{MaxRetries: 2, RetryWaitMin: time.Second, RetryWaitMax: 4 * time.Second})
		start := time.Now()
		resp, err := tr.Do(t.Context(), Request{Method: "POST", Path: "/api/x"})
		require.NoError(t, err)
		assert.Equal(t, 500, resp.Status)
		assert.Equal(t, 3, resp.Attempts)
		assert.Equal(t, int32(3), calls.Load())
		assert.Less(t, time.Since(start), 3*time.Second, "two jittered waits below 1s and 2s")
	})
}

func TestConnectionErrorsAndContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		refused := errors.New("connection refused")
		rt := roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, refused })
		tr := newT(t, rt, Config{MaxRetries: 2})
		_, err := tr.Do(t.Context(), Request{Method: "POST", Path: "/api/x"})
		var te *Error
		require.ErrorAs(t, err, &te)
		assert.Equal(t, 3, te.Attempts)
		assert.ErrorIs(t, err, refused)

		tr = newT(t, rt, Config{MaxRetries: 100, RetryWaitMin: time.Hour, RetryWaitMax: time.Hour})
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		_, err = tr.Do(ctx, Request{Method: "POST", Path: "/api/x"})
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

func TestFailoverInOrderAndBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var hosts []string
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			hosts = append(hosts, r.URL.Host+r.URL.Path)
			switch r.URL.Host {
			case "a.test":
				return nil, errors.New("down")
			case "b.test":
				return answer(503, nil, ""), nil
			}
			return answer(200, nil, "ok"), nil
		})
		eps := []*url.URL{mustURL(t, "http://a.test"), mustURL(t, "http://b.test/p/"), mustURL(t, "https://c.test/q")}
		tr := newT(t, rt, Config{Endpoints: eps, MaxRetries: 5, RetryWaitMin: time.Millisecond})
		resp, err := tr.Do(t.Context(), Request{Method: "GET", Path: "/api/o/_search"})
		require.NoError(t, err)
		assert.Equal(t, 200, resp.Status)
		assert.Equal(t, []string{"a.test/api/o/_search", "b.test/p/api/o/_search", "c.test/q/api/o/_search"}, hosts)

		hosts = nil
		_, err = tr.Do(t.Context(), Request{Method: "GET", Path: "/x"})
		require.NoError(t, err)
		assert.Equal(t, []string{"c.test/q/x"}, hosts, "stays on the endpoint that works")

		time.Sleep(failbackAfter)
		hosts = nil
		_, err = tr.Do(t.Context(), Request{Method: "GET", Path: "/x"})
		require.NoError(t, err)
		assert.Equal(t, "a.test/x", hosts[0], "tries the first endpoint again after a while")
	})
}

func TestCompressionAndHeaders(t *testing.T) {
	body := bytes.Repeat([]byte(`{"_timestamp":1,"message":"hello"}`+"\n"), 100)
	for _, enc := range []Encoding{Gzip, Zstd, Identity} {
		var got []byte
		var hdr http.Header
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hdr = r.Header.Clone()
			var rd io.Reader = r.Body
			switch r.Header.Get("Content-Encoding") {
			case "gzip":
				zr, err := gzip.NewReader(r.Body)
				require.NoError(t, err)
				rd = zr
			case "zstd":
				zr, err := zstd.NewReader(r.Body)
				require.NoError(t, err)
				defer zr.Close()
				rd = zr
			}
			got, _ = io.ReadAll(rd)
			w.Write(bytes.Repeat([]byte("x"), 3<<20))
		}))
		cfg := Config{Endpoints: []*url.URL{mustURL(t, srv.URL)}, Encoding: enc, Authorization: "Basic abc", UserAgent: "o2kit-test", MaxResponse: 100}
		tr, err := New(cfg)
		require.NoError(t, err)
		resp, err := tr.Do(t.Context(), Request{Method: "POST", Path: "/api/o/s/_multi", ContentType: "application/json", Body: body, Compress: true, Header: http.Header{"Stream-Name": {"s"}}})
		require.NoError(t, err)
		assert.Equal(t, body, got, enc.String())
		assert.Equal(t, enc.String(), hdr.Get("Content-Encoding"))
		assert.Equal(t, "Basic abc", hdr.Get("Authorization"))
		assert.Equal(t, "o2kit-test", hdr.Get("User-Agent"))
		assert.Equal(t, "s", hdr.Get("Stream-Name"))
		assert.Len(t, resp.Body, 100, "response bodies are bounded")
		if enc != Identity {
			assert.Less(t, resp.WireBytes, len(body)/5)
		}
		tr.Close()
		srv.Close()
	}
}

func TestTimeoutPerAttempt(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var accepted atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		var conns []net.Conn
		for {
			c, err := ln.Accept()
			if err != nil {
				for _, c := range conns {
					c.Close()
				}
				return
			}
			accepted.Add(1)
			conns = append(conns, c) // never answers
		}
	}()
	tr, err := New(Config{Endpoints: []*url.URL{mustURL(t, "http://"+ln.Addr().String())}, Timeout: 50 * time.Millisecond, MaxRetries: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	require.NoError(t, err)
	_, err = tr.Do(t.Context(), Request{Method: "POST", Path: "/x", Body: []byte("x")})
	var te *Error
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 2, te.Attempts)
	tr.Close()
	ln.Close()
	<-done
}
