package o2server

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Fault describes how the server misbehaves for one request, for tests of
// retries, Retry-After handling, failover and outages. The steps apply in
// order: wait Delay, then Hang, then Drop or answer Status. A fault with
// only Delay (or Hang) set delays the request and then handles it normally.
type Fault struct {
	// Status, when non-zero, is the status answered instead of handling the
	// request.
	Status int
	// Body is the response body sent with Status.
	Body string
	// Header holds extra response headers sent with Status, such as
	// Retry-After.
	Header http.Header
	// Delay is waited before anything else; the request's context cuts it
	// short.
	Delay time.Duration
	// Drop closes the connection without any response.
	Drop bool
	// Hang blocks until the request's context ends or [Server.ReleaseHangs]
	// (or [Server.Close]) is called.
	Hang bool
}

// faultState holds the queued faults and the fault hook.
type faultState struct {
	mu      sync.Mutex // guards the fields below
	queue   []Fault
	fn      func(*http.Request) (Fault, bool)
	release chan struct{} // closed by ReleaseHangs
}

// Push queues faults. Each following request to an ingestion route takes
// the next one instead of normal handling.
func (s *Server) Push(faults ...Fault) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.queue = append(s.faults.queue, faults...)
}

// SetFaultFunc sets a hook consulted for every request before the queue:
// when it returns true, its fault applies to the request. nil removes it.
// The hook may be called concurrently.
func (s *Server) SetFaultFunc(f func(*http.Request) (Fault, bool)) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.fn = f
}

// SetDown makes the server close every connection without a response while
// down is true, as an unreachable server would.
func (s *Server) SetDown(down bool) { s.down.Store(down) }

// ReleaseHangs lets every request held by a Hang fault continue.
func (s *Server) ReleaseHangs() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	close(s.faults.release)
	s.faults.release = make(chan struct{})
}

// nextFault returns the fault for a request, if any.
func (s *Server) nextFault(c *call) (Fault, <-chan struct{}, bool) {
	s.faults.mu.Lock()
	fn, release := s.faults.fn, s.faults.release
	s.faults.mu.Unlock()
	if fn != nil {
		if f, ok := fn(c.r); ok {
			return f, release, true
		}
	}
	if !c.isIngestion() {
		return Fault{}, nil, false
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	if len(s.faults.queue) == 0 {
		return Fault{}, nil, false
	}
	f := s.faults.queue[0]
	s.faults.queue = s.faults.queue[1:]
	return f, release, true
}

// bufferBody reads the request body ahead, so that the HTTP server watches
// the connection and ends the request's context when the client goes away
// while the request waits.
func (c *call) bufferBody() {
	head, _ := io.ReadAll(io.LimitReader(c.r.Body, c.s.cfg.payloadLimit+1))
	rest := c.r.Body
	c.r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), rest), rest}
}

// applyFaults applies the request's fault and reports whether normal
// handling should go on.
func (s *Server) applyFaults(c *call) bool {
	f, release, ok := s.nextFault(c)
	if !ok {
		return true
	}
	if f.Delay > 0 || f.Hang {
		c.bufferBody()
	}
	done := c.ctx().Done()
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-done:
			t.Stop()
			return false
		}
	}
	if f.Hang && !s.closed.Load() {
		select {
		case <-release:
		case <-done:
			return false
		}
	}
	switch {
	case f.Drop:
		c.drop()
		return false
	case f.Status != 0:
		h := c.rw.Header()
		for k, vs := range f.Header {
			h[k] = append([]string(nil), vs...)
		}
		h.Set("Content-Length", strconv.Itoa(len(f.Body)))
		c.rw.WriteHeader(f.Status)
		_, _ = io.WriteString(c.rw, f.Body)
		return false
	}
	return true
}
