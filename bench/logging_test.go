package bench

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/logging"
	"github.com/o2kit/o2kit/pipeline"
)

// loggingArgs are the eight attributes of the logging benchmark, one of
// each kind a service logs: string, int, float, bool, duration, error,
// time and group. They are built once, as slog.Attr values, so every path
// is given the same thing.
func loggingArgs() []any {
	return []any{
		slog.String("order_id", "ord-20261125-000731"),
		slog.Int64("amount_minor", 129900),
		slog.Float64("latency_ms", 12.75),
		slog.Bool("first_order", true),
		slog.Duration("elapsed", 1530*time.Millisecond),
		slog.Any("err", errors.New("card declined")),
		slog.Time("placed_at", time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)),
		slog.Group("shipping", slog.String("country", "DE"), slog.Int("items", 3)),
	}
}

// BenchmarkLogging measures logger.Info(msg, 8 attrs) for the goroutine
// that logs, through the o2kit logging handler on a default client (which
// ships to a count-only dev server in a child process), through
// slog.NewJSONHandler(io.Discard), and through otelslog on the
// OpenTelemetry log SDK (BatchProcessor, otlploghttp, the same server's
// OTLP endpoint). Metrics as in BenchmarkCallerCost.
func BenchmarkLogging(b *testing.B) {
	b.Run("o2kit-logging", func(b *testing.B) { benchLogging(b, false) })
	b.Run("o2kit-logging-parallel", func(b *testing.B) { benchLogging(b, true) })
	b.Run("o2kit-logging-masked", func(b *testing.B) {
		// The design's own set-up: PII masked and the version added.
		benchLogging(b, false, o2kit.WithProcessors(pipeline.MaskPII(), pipeline.Enrich(pipeline.Version("1.4.2"))))
	})
	b.Run("slog-JSONHandler-Discard", func(b *testing.B) {
		logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
		args := loggingArgs()
		defer processCPU(b)()
		measureCaller(b, false, func() { logger.Info(Message, args...) })
	})
	b.Run("slog-floor", func(b *testing.B) {
		// slog.Logger's own part of every path: the same call to a
		// handler that does nothing. What a handler costs is the
		// difference between its path and this one.
		logger := slog.New(nopHandler{})
		args := loggingArgs()
		measureCaller(b, false, func() { logger.Info(Message, args...) })
	})
	b.Run("otel-sdk-log", func(b *testing.B) {
		srv := startChild(b)
		o, err := srv.OTel("otel")
		if err != nil {
			b.Fatal(err)
		}
		args := loggingArgs()
		report := processCPU(b)
		measureCaller(b, false, func() { o.Logger.Info(Message, args...) })
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := o.Close(ctx); err != nil {
			b.Logf("otel close: %v", err)
		}
		report()
		b.ReportMetric(100*float64(srv.Count(Org, "otel"))/float64(b.N), "delivered-%")
	})
}

func benchLogging(b *testing.B, parallel bool, opts ...o2kit.Option) {
	srv := startChild(b)
	var errs Errors
	c := callerClient(b, srv, &errs, opts...)
	logger := logging.New(c, logging.WithService("checkout"), logging.WithStream("bench"))
	args := loggingArgs()
	report := processCPU(b)
	measureCaller(b, parallel, func() { logger.Info(Message, args...) })
	flushAndClose(b, c)
	report()
	b.ReportMetric(100*float64(srv.Count(Org, "bench"))/float64(b.N), "delivered-%")
	reportDropped(b, c)
}

// BenchmarkLoggingHandler is the handler alone: Handle with a record built
// once, so what it allocates is the handler's and the client's own (slog's
// Logger allocates for records of more than five attributes before any
// handler runs).
func BenchmarkLoggingHandler(b *testing.B) {
	srv := startChild(b)
	var errs Errors
	c := callerClient(b, srv, &errs)
	h := logging.NewHandler(c, logging.WithService("checkout"), logging.WithStream("bench"))
	r := slog.NewRecord(time.Now(), slog.LevelInfo, Message, 0)
	r.Add(loggingArgs()...)
	ctx := context.Background()
	report := processCPU(b)
	measureCaller(b, false, func() { _ = h.Handle(ctx, r) })
	flushAndClose(b, c)
	report()
	reportDropped(b, c)
}

// processCPU starts counting the CPU time of this whole process (the
// caller, the exporter's goroutines, the garbage collector; not the
// server, which runs in a child process). The function it returns reports
// it per record as proc-cpu-ns/op: call it once the records measured are
// delivered.
func processCPU(b *testing.B) (report func()) {
	t0, ok0 := ProcessCPU()
	return func() {
		if t1, ok1 := ProcessCPU(); ok0 && ok1 {
			b.ReportMetric(float64(t1-t0)/float64(b.N), "proc-cpu-ns/op")
		}
	}
}

// nopHandler takes every record and does nothing with it.
type nopHandler struct{}

func (nopHandler) Enabled(context.Context, slog.Level) bool  { return true }
func (nopHandler) Handle(context.Context, slog.Record) error { return nil }
func (h nopHandler) WithAttrs([]slog.Attr) slog.Handler      { return h }
func (h nopHandler) WithGroup(string) slog.Handler           { return h }
