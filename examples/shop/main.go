// Command shop is a small e-commerce service wired to OpenObserve with
// every o2kit package: structured, business and audit logs (logging),
// sessions, product views, carts and a checkout funnel (behavior), HTTP
// RED, runtime and shop metrics (metrics), OpenTelemetry spans (tracing),
// PII masking and host enrichment on the way out (pipeline), and alert
// rules over the metrics and the funnel with a signed webhook receiver
// (alerting), all through one client with a spool directory.
//
// It serves a catalogue, a cart and a checkout on a local port, sends a
// few dozen simulated visitors through them (some abandon, some cards are
// declined, the warehouse fails once), flushes everything, and prints what
// landed in OpenObserve, read back through the packages' own read side,
// and the alerts that fired.
//
//	go run ./examples/shop                          # simulate, summarise, exit
//	go run ./examples/shop -v                       # also print the log lines on stderr
//	go run ./examples/shop -listen 127.0.0.1:8080   # then keep serving until interrupted
//
// The -v console lines are written before the client's processors run, so
// they show the e-mail addresses that pipeline.MaskPII keeps out of
// OpenObserve; keep a console like that to development.
//
// With OPENOBSERVE_URL set (and OPENOBSERVE_USER / OPENOBSERVE_TOKEN) it
// writes to that server; otherwise it starts the embedded OpenObserve dev
// server on a local port.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(1)
	}
}

// config is what the command line chooses.
type config struct {
	listen   string // address to keep serving on after the simulation; "" exits
	visitors int
	seed     uint64
	verbose  bool   // log lines also to stderr
	hookURL  string // where alert notifications go: the shop's own webhook endpoint
}

func parseFlags(args []string) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("shop", flag.ContinueOnError)
	fs.StringVar(&cfg.listen, "listen", "", "keep serving on this address after the simulated traffic (default: exit)")
	fs.IntVar(&cfg.visitors, "visitors", 40, "simulated visitors")
	fs.Uint64Var(&cfg.seed, "seed", 3, "seed of the simulation")
	fs.BoolVar(&cfg.verbose, "v", false, "also write the log lines to stderr, unmasked: processors run only on the way to OpenObserve")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if cfg.visitors < 1 {
		return cfg, errors.New("-visitors must be at least 1")
	}
	return cfg, nil
}

// run is main without the exit: it wires the service, drives the
// simulated traffic, prints the summary to out and, with -listen, serves
// until ctx ends.
func run(ctx context.Context, args []string, out io.Writer) (err error) {
	cfg, err := parseFlags(args)
	if err != nil {
		return err
	}
	where, opts, stopDev, err := openObserve()
	if err != nil {
		return err
	}
	defer stopDev()
	spool, err := os.MkdirTemp("", "shop-o2spool-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(spool)

	ln, err := net.Listen("tcp", cmp.Or(cfg.listen, "127.0.0.1:0"))
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	cfg.hookURL = base + "/hooks/alerts"
	obs, err := newObservability(ctx, cfg, append(opts, o2kit.WithSpool(spool, 0)))
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer func() { err = errors.Join(err, obs.shutdown(context.WithoutCancel(ctx))) }()

	srv := &http.Server{Handler: newShop(obs).routes(), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() { err = errors.Join(err, stopServing(ctx, srv, served)) }()

	start := time.Now().Add(-time.Second)
	sim, err := simulate(ctx, base, cfg.visitors, cfg.seed)
	if err != nil {
		return err
	}
	if err := obs.flush(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "shop served %s; telemetry went to %s, org %q\n", base, where, obs.client.Org())
	if err := summarize(ctx, out, obs, sim, start); err != nil {
		return err
	}
	if cfg.listen != "" {
		fmt.Fprintf(out, "serving on %s until interrupted\n", base)
		<-ctx.Done()
	}
	return nil
}

// openObserve chooses the server: OPENOBSERVE_URL and the rest of the
// environment when set (o2kit.New reads them), else the embedded dev
// server on a local port.
func openObserve() (where string, opts []o2kit.Option, stop func(), err error) {
	if url := os.Getenv(o2kit.EnvURL); url != "" {
		return url, nil, func() {}, nil
	}
	dev := o2server.New()
	url, err := dev.Start("127.0.0.1:0")
	if err != nil {
		return "", nil, nil, err
	}
	user, password := dev.RootUser()
	opts = []o2kit.Option{o2kit.WithEndpoint(url), o2kit.WithBasicAuth(user, password)}
	return url + " (the embedded OpenObserve dev server)", opts, func() { _ = dev.Close() }, nil
}

// stopServing shuts the HTTP server down, letting requests in flight end.
func stopServing(ctx context.Context, srv *http.Server, served <-chan error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(ctx)
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}
