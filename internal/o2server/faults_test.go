package o2server

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPushStatusesThenNormal(t *testing.T) {
	c := newTestServer(t)
	c.s.Push(
		Fault{Status: http.StatusServiceUnavailable, Body: "busy", Header: http.Header{"Retry-After": {"7"}}},
		Fault{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"Wed, 21 Oct 2026 07:28:00 GMT"}}},
	)
	r := c.postJSON("/api/default/f/_json", `{"a":1}`)
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.Equal(t, "busy", r.text())
	assert.Equal(t, "7", r.header.Get("Retry-After"))
	// Non-ingestion routes do not take queued faults.
	assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/default/streams", nil).status)
	r = c.postJSON("/api/default/f/_json", `{"a":1}`)
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Equal(t, "Wed, 21 Oct 2026 07:28:00 GMT", r.header.Get("Retry-After"))
	r = c.postJSON("/api/default/f/_json", `{"a":1}`)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, int64(1), c.s.Count("default", "f"))
}

func TestDropClosesTheConnection(t *testing.T) {
	c := newTestServer(t)
	c.s.Push(Fault{Drop: true})
	_, err := http.Post(c.base+"/api/default/f/_json", "application/json", strings.NewReader(`{}`))
	require.Error(t, err)
	reqs := c.s.Requests()
	assert.Equal(t, 0, reqs[len(reqs)-1].Status)
}

func TestSetDown(t *testing.T) {
	c := newTestServer(t)
	c.s.SetDown(true)
	_, err := http.Get(c.base + "/healthz")
	require.Error(t, err)
	c.s.SetDown(false)
	assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/healthz", nil).status)
}

func TestHangUntilReleased(t *testing.T) {
	c := newTestServer(t)
	entered := make(chan struct{})
	c.s.SetFaultFunc(func(r *http.Request) (Fault, bool) {
		if r.URL.Path != "/api/default/h/_json" {
			return Fault{}, false
		}
		close(entered)
		return Fault{Hang: true}, true
	})
	var wg sync.WaitGroup
	var got *tresp
	wg.Go(func() { got = c.postJSON("/api/default/h/_json", `{"a":1}`) })
	<-entered
	c.s.SetFaultFunc(nil)
	assert.Equal(t, int64(0), c.s.Count("default", "h"))
	c.s.ReleaseHangs()
	wg.Wait()
	assert.Equal(t, http.StatusOK, got.status, "after release the request is handled normally")
	assert.Equal(t, int64(1), c.s.Count("default", "h"))
}

func TestHangEndsWithTheRequestContext(t *testing.T) {
	c := newTestServer(t)
	entered := make(chan struct{})
	c.s.SetFaultFunc(func(*http.Request) (Fault, bool) {
		close(entered)
		return Fault{Hang: true}, true
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/api/default/h/_json", strings.NewReader(`{}`))
		req.SetBasicAuth(c.user, c.pass)
		_, err := http.DefaultClient.Do(req)
		done <- err
	}()
	<-entered
	cancel()
	assert.Error(t, <-done)
	// The handler has returned, or closing the test server would block.
}

func TestDelayThenNormalHandling(t *testing.T) {
	c := newTestServer(t)
	const d = 30 * time.Millisecond
	c.s.Push(Fault{Delay: d})
	start := time.Now()
	r := c.postJSON("/api/default/d/_json", `{"a":1}`)
	assert.GreaterOrEqual(t, time.Since(start), d)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, int64(1), c.s.Count("default", "d"))
}

func TestStartServesOnARealPort(t *testing.T) {
	s := New(WithClock(func() time.Time { return testNow }))
	url, err := s.Start("127.0.0.1:0")
	require.NoError(t, err)
	_, err = s.Start("127.0.0.1:0")
	assert.Error(t, err)
	resp, err := http.Get(url + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, s.Close())
	_, err = http.Get(url + "/healthz")
	assert.Error(t, err)
}
