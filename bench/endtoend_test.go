package bench

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/o2kit/o2kit"
)

// Burst is what one end-to-end iteration sends: Senders goroutines, each
// logging Burst/Senders records as fast as it can.
const (
	Burst   = 1_000_000
	Senders = 4
)

// BenchmarkEndToEnd measures delivery: each iteration sends Burst records
// from Senders goroutines to a fresh count-only dev server and waits until
// the server has acknowledged what it will get. It reports records/s (what
// the server counted, over the wall time from the first record logged to
// the last acknowledgement), lost (Burst less what the server counted) and
// lost-%. ns/op is that same wall time. Run it with -benchtime=1x.
//
// otel-sdk-log-bare-sink sends the OpenTelemetry path to a [BareOTLPSink]
// instead of the dev server, which in count-only mode still converts and
// flattens every OTLP record; the SDK's exporter sends one request at a
// time, so a slower server makes it drop more.
func BenchmarkEndToEnd(b *testing.B) {
	b.Run("o2kit", func(b *testing.B) {
		benchEndToEnd(b, DevServer, func(tb testing.TB, srv *Server) sink { return newO2kitSink(tb, srv) })
	})
	b.Run("o2kit-spool", func(b *testing.B) {
		benchEndToEnd(b, DevServer, func(tb testing.TB, srv *Server) sink {
			return newO2kitSink(tb, srv, o2kit.WithSpool(tb.TempDir(), 0))
		})
	})
	b.Run("otel-sdk-log", func(b *testing.B) {
		benchEndToEnd(b, DevServer, func(tb testing.TB, srv *Server) sink { return newOTelSink(tb, srv) })
	})
	b.Run("otel-sdk-log-bare-sink", func(b *testing.B) {
		benchEndToEnd(b, BareOTLPSink, func(tb testing.TB, srv *Server) sink { return newOTelSink(tb, srv) })
	})
}

// A sink is one path under test: log sends a record, drain waits until the
// server has acknowledged everything that will arrive, close releases the
// rest.
type sink interface {
	log(ctx context.Context)
	drain(ctx context.Context) error
	close()
	stream() string
}

// delivery is the outcome of one burst.
type delivery struct {
	counted int64
	elapsed time.Duration
}

func (d delivery) rate() float64 { return float64(d.counted) / d.elapsed.Seconds() }

func benchEndToEnd(b *testing.B, kind Kind, open func(testing.TB, *Server) sink) {
	var total delivery
	for b.Loop() {
		b.StopTimer()
		srv := startChildOf(b, kind)
		s := open(b, srv)
		b.StartTimer()
		d := burst(b, srv, s, Burst, Senders)
		b.StopTimer()
		s.close()
		_ = srv.Close()
		b.StartTimer()
		total.counted += d.counted
		total.elapsed += d.elapsed
	}
	lost := float64(b.N*Burst) - float64(total.counted)
	b.ReportMetric(total.rate(), "records/s")
	b.ReportMetric(lost/float64(b.N), "lost")
	b.ReportMetric(100*lost/float64(b.N*Burst), "lost-%")
}

// burst logs n records from senders goroutines through s, drains it and
// returns what srv counted and the time it took.
func burst(tb testing.TB, srv *Server, s sink, n, senders int) delivery {
	ctx := context.Background()
	before := srv.Count(Org, s.stream())
	start := time.Now()
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for range n / senders {
				s.log(ctx)
			}
		})
	}
	wg.Wait()
	dctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if err := s.drain(dctx); err != nil {
		tb.Logf("drain: %v", err)
	}
	elapsed := time.Since(start)
	return delivery{counted: srv.Count(Org, s.stream()) - before, elapsed: elapsed}
}

type o2kitSink struct {
	c    *o2kit.Client
	rec  o2kit.Record
	errs *Errors
}

func newO2kitSink(tb testing.TB, srv *Server, opts ...o2kit.Option) *o2kitSink {
	errs := new(Errors)
	c, err := srv.Client(errs, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return &o2kitSink{c: c, rec: Record("bench"), errs: errs}
}

func (s *o2kitSink) log(ctx context.Context)         { _ = s.c.Emit(ctx, s.rec) }
func (s *o2kitSink) drain(ctx context.Context) error { return s.c.Flush(ctx) }
func (s *o2kitSink) stream() string                  { return "bench" }

func (s *o2kitSink) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_ = s.c.Shutdown(ctx)
}

type otelSink struct {
	o     *OTel
	attrs []slog.Attr
}

func newOTelSink(tb testing.TB, srv *Server) *otelSink {
	o, err := srv.OTel("otel")
	if err != nil {
		tb.Fatal(err)
	}
	return &otelSink{o: o, attrs: Attrs()}
}

func (s *otelSink) log(ctx context.Context) {
	s.o.Logger.LogAttrs(ctx, slog.LevelInfo, Message, s.attrs...)
}

// drain flushes the BatchProcessor and shuts the provider down, which
// waits for the exporter's last request.
func (s *otelSink) drain(ctx context.Context) error { return s.o.Close(ctx) }
func (s *otelSink) close()                          {}
func (s *otelSink) stream() string                  { return "otel" }
