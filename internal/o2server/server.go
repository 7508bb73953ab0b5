package o2server

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
)

// Server is an in-process OpenObserve-compatible server. It implements
// [http.Handler]; [Server.Start] also serves it on a real port. All methods
// are safe for concurrent use.
type Server struct {
	cfg config
	drv *sqlite.Driver

	mu       sync.RWMutex // guards orgs and passcodes
	orgs     map[string]*org
	passcode string // the root user's passcode

	bufs sync.Pool // *bytes.Buffer bodies of count-only requests

	faults faultState
	down   atomic.Bool
	closed atomic.Bool // set by Close; hangs no longer block
	totals counters
	log    requestLog

	httpMu    sync.Mutex // guards httpSrv and serveDone
	httpSrv   *http.Server
	serveDone chan struct{}
}

// org is one organisation: a database per stream type and its ingestion
// tokens (guarded by Server.mu).
type org struct {
	name   string
	dbs    map[string]*database
	tokens []*ingestionToken
}

var _ http.Handler = (*Server)(nil)

// New returns a server with the org "default" and the root user. It stores
// data in memory until [Server.Close].
func New(opts ...Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		o.apply(&cfg)
	}
	s := &Server{
		cfg:      cfg,
		drv:      newDriver(),
		orgs:     map[string]*org{},
		passcode: randomToken(20),
	}
	s.faults.release = make(chan struct{})
	s.bufs.New = func() any { return new(bytes.Buffer) }
	s.log.max = requestLogSize
	s.CreateOrg("default")
	return s
}

func (s *Server) now() time.Time    { return s.cfg.clock() }
func (s *Server) nowMicros() int64  { return s.now().UnixMicro() }
func (s *Server) flattenLevel() int { return s.cfg.flattenLevel }

// Start serves the server on addr ("127.0.0.1:0" picks a free port) and
// returns its base URL, such as "http://127.0.0.1:5080". Close stops it.
func (s *Server) Start(addr string) (string, error) {
	s.httpMu.Lock()
	defer s.httpMu.Unlock()
	if s.httpSrv != nil {
		return "", errors.New("o2server: already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	s.httpSrv, s.serveDone = srv, done
	return "http://" + ln.Addr().String(), nil
}

// Close stops serving, releases hanging requests and frees the stored data.
// The server must not be used afterwards.
func (s *Server) Close() error {
	s.closed.Store(true)
	s.ReleaseHangs()
	s.httpMu.Lock()
	srv, done := s.httpSrv, s.serveDone
	s.httpSrv, s.serveDone = nil, nil
	s.httpMu.Unlock()
	var errs []error
	if srv != nil {
		// Let released requests finish, then cut whatever is left.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, srv.Close())
		}
		cancel()
		<-done
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.orgs {
		for _, db := range o.dbs {
			errs = append(errs, db.close())
		}
	}
	return errors.Join(errs...)
}

// CreateOrg creates an organisation if it does not exist yet.
func (s *Server) CreateOrg(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.createOrgLocked(name)
}

func (s *Server) createOrgLocked(name string) *org {
	if o, ok := s.orgs[name]; ok {
		return o
	}
	o := &org{name: name, dbs: map[string]*database{}}
	for _, t := range streamTypes {
		db := newDatabase(s.drv)
		db.closed = s.closed.Load()
		o.dbs[t] = db
	}
	s.orgs[name] = o
	return o
}

func (s *Server) org(name string) *org {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.orgs[name]
}

// ServeHTTP handles one request as OpenObserve would.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &call{s: s, r: r, rw: &recorder{ResponseWriter: w}}
	c.wire = &countingReader{r: r.Body}
	r.Body = c.wire
	s.totals.requests.Add(1)
	defer c.finish()
	if s.down.Load() {
		c.drop()
		return
	}
	rt, params, allowed := match(r.Method, r.URL.Path)
	switch {
	case rt == nil && len(allowed) > 0:
		c.rw.Header().Set("Allow", strings.Join(allowed, ","))
		c.status(http.StatusMethodNotAllowed)
		return
	case rt == nil:
		c.status(http.StatusNotFound)
		return
	}
	c.route, c.params = rt, params
	if rt.api {
		c.rw.Header()["x-api-node"] = []string{s.cfg.nodeName}
		if !acceptEncoding(c) {
			return
		}
	}
	if !s.applyFaults(c) {
		return
	}
	if rt.api && !s.authorize(c) {
		return
	}
	c.started = s.nowMicros()
	rt.handler(c)
}

// call is one request being handled.
type call struct {
	s       *Server
	r       *http.Request
	rw      *recorder
	wire    *countingReader
	route   *route
	params  map[string]string
	org     *org
	user    string
	body    []byte
	pooled  *bytes.Buffer // holds body on count-only servers
	started int64
	records int64
	done    bool // finish has run
}

func (c *call) ctx() context.Context { return c.r.Context() }

func (c *call) param(name string) string { return c.params[name] }

// accepted counts records a request stored.
func (c *call) accepted(n int) {
	c.records += int64(n)
	c.s.totals.records.Add(int64(n))
}

// failed counts records a request rejected.
func (c *call) failed(n int) { c.s.totals.failed.Add(int64(n)) }

// finish accounts for the request once: it logs it and frees its body.
func (c *call) finish() {
	if c.done {
		return
	}
	c.done = true
	c.release()
	c.s.totals.bytes.Add(c.wire.n)
	c.s.log.add(c.info())
}

// drop closes the connection without a response, as a crashed or
// unreachable server would. The request is logged first, so a client that
// sees the connection close can already find it in Requests.
func (c *call) drop() {
	c.rw.dropped = true
	c.finish()
	if hj, ok := c.rw.ResponseWriter.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
