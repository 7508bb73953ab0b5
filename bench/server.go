package bench

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/o2kit/o2kit/internal/o2server"
)

// Server is a count-only dev server on a loopback port, in this process or
// in a child process.
type Server struct {
	URL            string
	User, Password string
	// Dev is the server itself when it runs in this process, for faults;
	// nil when it runs in a child process.
	Dev *o2server.Server

	count func(org, stream string) (int64, error)
	stop  func() error
}

// Count returns the records the server accepted into a logs stream, or -1
// if it could not be asked.
func (s *Server) Count(org, stream string) int64 {
	n, err := s.count(org, stream)
	if err != nil {
		return -1
	}
	return n
}

// Close stops the server.
func (s *Server) Close() error { return s.stop() }

// StartServer starts a count-only dev server in this process on addr
// ("127.0.0.1:0" for any free port), configured by opts.
func StartServer(addr string, opts ...o2server.Option) (*Server, error) {
	dev := o2server.New(append([]o2server.Option{o2server.WithCountOnly()}, opts...)...)
	base, err := dev.Start(addr)
	if err != nil {
		return nil, errors.Join(err, dev.Close())
	}
	user, pass := dev.RootUser()
	return &Server{
		URL: base, User: user, Password: pass, Dev: dev,
		count: func(org, stream string) (int64, error) { return dev.Count(org, stream), nil },
		stop:  dev.Close,
	}, nil
}

// childEnv marks a process started by StartChild and names what it serves.
const childEnv = "O2KIT_BENCH_CHILD_SERVER"

// Kind is what a child process serves.
type Kind string

const (
	// DevServer is the count-only dev server (internal/o2server).
	DevServer Kind = "o2server"
	// BareOTLPSink decodes OTLP logs requests and counts their records,
	// and does nothing else: the least any server must do, to see how much
	// the dev server's own OTLP handling weighs on the OpenTelemetry path.
	BareOTLPSink Kind = "otlp-sink"
)

// countPath is the child server's extra route: the records counted in the
// stream named by the query's org and stream.
const countPath = "/bench/count"

// childHello is the line a child server writes on its stdout once it
// listens.
type childHello struct {
	URL, User, Password string
}

// StartChild starts a server of the given kind in a child process: this
// program run again, whose TestMain must call [ServeChild] first. Its
// memory and garbage collection are then not the caller's, so a
// benchmark's B/op and allocs/op count only the client side. The child
// stops when Close closes its stdin, or when this process ends.
func StartChild(kind Kind) (*Server, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"="+string(kind))
	return spawn(cmd, "child server")
}

// spawn starts cmd, a copy of this test binary that serves one
// server, reads the hello it writes first on stdout and returns the
// server it names. The child stops when Close closes its stdin. Whatever
// else the child writes on stdout (the test runner's own lines) is read
// and dropped.
func spawn(cmd *exec.Cmd, what string) (*Server, error) {
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop := func() error {
		_ = stdin.Close()
		return cmd.Wait()
	}
	out := bufio.NewReader(stdout)
	var hello childHello
	if err := json.NewDecoder(out).Decode(&hello); err != nil {
		return nil, errors.Join(fmt.Errorf("bench: %s: %w", what, err), stop())
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	hc := &http.Client{Timeout: 10 * time.Second}
	return &Server{
		URL: hello.URL, User: hello.User, Password: hello.Password,
		count: func(org, stream string) (int64, error) { return askCount(hc, hello.URL, org, stream) },
		stop:  stop,
	}, nil
}

func askCount(hc *http.Client, base, org, stream string) (int64, error) {
	resp, err := hc.Get(base + countPath + "?" + url.Values{"org": {org}, "stream": {stream}}.Encode())
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64))
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("bench: count: %s: %s", resp.Status, body)
	}
	return strconv.ParseInt(string(body), 10, 64)
}

// ServeChild reports whether this process was started by [StartChild]; if
// so, it serves what it was asked to on a free loopback port until its
// stdin closes, then returns true and the process should exit.
func ServeChild() bool {
	kind := Kind(os.Getenv(childEnv))
	if kind == "" {
		return false
	}
	var err error
	switch kind {
	case DevServer:
		dev := o2server.New(o2server.WithCountOnly())
		defer dev.Close()
		user, pass := dev.RootUser()
		err = serveChild(os.Stdin, os.Stdout, dev, dev.Count, user, pass)
	case BareOTLPSink:
		sink := newOTLPSink("bench@example.com", "bench-password")
		err = serveChild(os.Stdin, os.Stdout, sink, sink.count, sink.user, sink.pass)
	default:
		err = fmt.Errorf("unknown kind %q", kind)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: child server:", err)
		os.Exit(1)
	}
	return true
}

// serveChild serves h, with the count route, until stdin closes.
func serveChild(stdin io.Reader, stdout io.Writer, h http.Handler, count func(org, stream string) int64, user, pass string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/", h)
	mux.HandleFunc("GET "+countPath, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		_, _ = io.WriteString(w, strconv.FormatInt(count(q.Get("org"), q.Get("stream")), 10))
	})
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()

	if err := json.NewEncoder(stdout).Encode(childHello{URL: "http://" + ln.Addr().String(), User: user, Password: pass}); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, stdin)
	return nil
}
