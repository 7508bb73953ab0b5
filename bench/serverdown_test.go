package bench

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
)

// Outage settings: each iteration emits OutageRecords records, timing
// every call, to a client capped at OutageCap bytes of memory.
const (
	OutageRecords = 200_000
	OutageCap     = 4 << 20
)

// BenchmarkEmitWhileServerDown measures the caller's latency while the
// server cannot take records, in two outages: a server that accepts
// connections but never answers (hang) and a port nothing listens on
// (refused). Each iteration emits OutageRecords records to a client capped
// at OutageCap bytes and reports the p50, p99 and p99.9 of one Emit's
// duration, the most bytes the client held (max-buffered-bytes, against
// cap-bytes) and the records it dropped. Without a spool, Emit drops the
// newest record at the cap. With one, batches wait on disk; the server is
// then brought back, the client flushed, and lost is what the server did
// not count. Run it with -benchtime=1x.
func BenchmarkEmitWhileServerDown(b *testing.B) {
	for _, o := range []struct {
		name string
		down func(testing.TB) outage
	}{
		{"hang", hangOutage},
		{"refused", refusedOutage},
	} {
		b.Run(o.name, func(b *testing.B) { benchOutage(b, o.down, false) })
		b.Run(o.name+"-spool", func(b *testing.B) { benchOutage(b, o.down, true) })
	}
}

// An outage is a server that is down: url is where a client should send,
// and up brings the server back, returning it.
type outage struct {
	url, user, pass string
	up              func(testing.TB) *Server
}

// hangOutage is a dev server that holds every request without answering.
func hangOutage(tb testing.TB) outage {
	srv := startServer(tb)
	srv.Dev.SetFaultFunc(func(*http.Request) (o2server.Fault, bool) { return o2server.Fault{Hang: true}, true })
	return outage{url: srv.URL, user: srv.User, pass: srv.Password, up: func(testing.TB) *Server {
		srv.Dev.SetFaultFunc(nil)
		srv.Dev.ReleaseHangs()
		return srv
	}}
}

// refusedOutage is a loopback port that was just closed, so connections to
// it are refused; up starts a dev server on it.
func refusedOutage(tb testing.TB) outage {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		tb.Fatal(err)
	}
	// The server that comes back is given the credentials the client has.
	const user, pass = "bench@example.com", "bench-password"
	return outage{url: "http://" + addr, user: user, pass: pass, up: func(tb testing.TB) *Server {
		return startServerAt(tb, addr, o2server.WithRootUser(user, pass))
	}}
}

// outageRun is what one iteration measured.
type outageRun struct {
	p50, p99, p999 time.Duration
	maxBuffered    int64
	dropped, lost  uint64
}

func benchOutage(b *testing.B, down func(testing.TB) outage, spool bool) {
	samples := make([]time.Duration, OutageRecords)
	var worst outageRun
	for b.Loop() {
		b.StopTimer()
		o := down(b)
		opts := []o2kit.Option{o2kit.WithMaxBufferedBytes(OutageCap)}
		if spool {
			opts = append(opts, o2kit.WithSpool(b.TempDir(), 0))
		}
		errs := new(Errors)
		c, err := NewClient(o.url, o.user, o.pass, errs, opts...)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		r := emitTimed(c, samples)
		b.StopTimer()
		if spool {
			r.lost = restore(b, c, o, len(samples))
		}
		closeNow(c)
		b.StartTimer()
		worst = worse(worst, r)
	}
	b.ReportMetric(float64(worst.p50.Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(worst.p99.Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(worst.p999.Nanoseconds()), "p999-ns")
	b.ReportMetric(float64(worst.maxBuffered), "max-buffered-bytes")
	b.ReportMetric(OutageCap, "cap-bytes")
	b.ReportMetric(float64(worst.dropped), "dropped")
	if spool {
		b.ReportMetric(float64(worst.lost), "lost")
	}
}

// emitTimed emits len(samples) records, timing each call into samples.
func emitTimed(c *o2kit.Client, samples []time.Duration) outageRun {
	ctx := context.Background()
	rec := Record("bench")
	for i := range samples {
		t0 := time.Now()
		_ = c.Emit(ctx, rec)
		samples[i] = time.Since(t0)
	}
	st := c.Stats()
	s := Sorted(samples)
	return outageRun{
		p50: Percentile(s, 0.50), p99: Percentile(s, 0.99), p999: Percentile(s, 0.999),
		maxBuffered: st.MaxBufferedBytes, dropped: st.Dropped,
	}
}

// restore brings the server back, flushes the client and returns how many
// of the n records emitted the server did not count.
func restore(tb testing.TB, c *o2kit.Client, o outage, n int) uint64 {
	srv := o.up(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := c.Flush(ctx); err != nil {
		tb.Logf("flush after the outage: %v", err)
	}
	return uint64(max(int64(n)-srv.Count(Org, "bench"), 0))
}

// closeNow shuts a client down without waiting for a server that is down.
func closeNow(c *o2kit.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_ = c.Shutdown(ctx)
}

// worse keeps the worse of two runs, figure by figure.
func worse(a, b outageRun) outageRun {
	return outageRun{
		p50: max(a.p50, b.p50), p99: max(a.p99, b.p99), p999: max(a.p999, b.p999),
		maxBuffered: max(a.maxBuffered, b.maxBuffered),
		dropped:     max(a.dropped, b.dropped), lost: max(a.lost, b.lost),
	}
}
