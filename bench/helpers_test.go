package bench

import (
	"context"
	"testing"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
)

// startChild starts a count-only dev server in a child process, closed
// with the test or benchmark.
func startChild(tb testing.TB) *Server {
	tb.Helper()
	return startChildOf(tb, DevServer)
}

// startChildOf starts a server of the given kind in a child process,
// closed with the test or benchmark.
func startChildOf(tb testing.TB, kind Kind) *Server {
	tb.Helper()
	srv, err := StartChild(kind)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = srv.Close() })
	return srv
}

// startServer starts a count-only dev server in this process on a free
// loopback port, closed with the test or benchmark.
func startServer(tb testing.TB) *Server {
	tb.Helper()
	return startServerAt(tb, "127.0.0.1:0")
}

// startServerAt starts a count-only dev server on addr, closed with the
// test or benchmark.
func startServerAt(tb testing.TB, addr string, opts ...o2server.Option) *Server {
	tb.Helper()
	srv, err := StartServer(addr, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = srv.Close() })
	return srv
}

// flushAndClose sends what the client holds and shuts it down, within a
// minute.
func flushAndClose(tb testing.TB, c *o2kit.Client) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.Flush(ctx); err != nil {
		tb.Logf("flush: %v", err)
	}
	if err := c.Shutdown(ctx); err != nil {
		tb.Logf("shutdown: %v", err)
	}
}

// callerClient is the client of the caller-cost benchmarks. When the
// exporter falls behind it waits for room (o2kit.Block) instead of
// dropping, so that every record a benchmark times was encoded and queued:
// with the default DropNewest, a record refused at a full buffer skips its
// encoding, and a client that falls behind would look cheaper to its
// caller than one that keeps up. The wait is off the caller's CPU, which
// cpu-ns/op measures; ns/op includes it.
func callerClient(b *testing.B, srv *Server, errs *Errors, opts ...o2kit.Option) *o2kit.Client {
	b.Helper()
	c, err := srv.Client(errs, append([]o2kit.Option{o2kit.WithOverflow(o2kit.Block(time.Minute))}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// reportDropped reports the share of the b.N records the client dropped,
// as dropped-%: the caller-cost figures hold for every record only at 0.
func reportDropped(b *testing.B, c *o2kit.Client) {
	b.ReportMetric(100*float64(c.Stats().Dropped)/float64(b.N), "dropped-%")
}
