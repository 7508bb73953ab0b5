package logging

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/o2kit/o2kit"
)

// benchClient is a client whose batches go nowhere (a closed port, no
// retries), so the benchmarks measure the caller's side: encoding into
// the batch. The bench module measures the same with a real server.
func benchClient(b *testing.B) *o2kit.Client {
	c, err := o2kit.New(o2kit.WithEndpoint("http://127.0.0.1:9"), o2kit.WithMaxRetries(0),
		o2kit.WithErrorHandler(o2kit.ErrorHandlerFunc(func(error) {})))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Shutdown(ctx)
	})
	return c
}

func benchArgs() []any {
	attrs := benchAttrs()
	args := make([]any, len(attrs))
	for i, a := range attrs {
		args[i] = a
	}
	return args
}

// BenchmarkInfo is logger.Info with the eight attributes of benchAttrs,
// through the o2kit handler and through slog's JSON handler writing
// nowhere. The bench module measures the same against the OTel SDK with
// the server in another process.
func BenchmarkInfo(b *testing.B) {
	args := benchArgs()
	b.Run("o2kit", func(b *testing.B) {
		logger := New(benchClient(b), WithService("checkout"))
		b.ReportAllocs()
		for b.Loop() {
			logger.Info("order placed", args...)
		}
	})
	b.Run("o2kit-Handle", func(b *testing.B) {
		h := NewHandler(benchClient(b), WithService("checkout"))
		r := slog.NewRecord(time.Now(), slog.LevelInfo, "order placed", 0)
		r.AddAttrs(benchAttrs()...)
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			_ = h.Handle(ctx, r)
		}
	})
	b.Run("o2kit-Emit-same-record", func(b *testing.B) {
		// What the handler hands the client, built once: the difference
		// from o2kit-Handle is the handler's own work.
		c := benchClient(b)
		attrs := append([]slog.Attr{slog.String(FieldLevel, "INFO"), slog.String(FieldService, "checkout"),
			slog.String(FieldMessage, "order placed")}, benchAttrs()...)
		rec := o2kit.Record{Stream: c.Streams().ApplicationLogs, Time: time.Now(), Attrs: attrs}
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			_ = c.Emit(ctx, rec)
		}
	})
	b.Run("slog-JSON-Discard", func(b *testing.B) {
		logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
		b.ReportAllocs()
		for b.Loop() {
			logger.Info("order placed", args...)
		}
	})
}

// benchAttrs are the eight attributes of the benchmark: string, int,
// float, bool, duration, error, time and group.
func benchAttrs() []slog.Attr {
	return []slog.Attr{
		slog.String("order_id", "ord-20261125-000731"),
		slog.Int64("amount_minor", 129900),
		slog.Float64("latency_ms", 12.75),
		slog.Bool("first_order", true),
		slog.Duration("elapsed", 1530*time.Millisecond),
		slog.Any("err", errors.New("card declined")),
		slog.Time("placed_at", epoch),
		slog.Group("shipping", slog.String("country", "DE"), slog.Int("items", 3)),
	}
}

func callerPC() uintptr {
	var pcs [1]uintptr
	runtime.Callers(2, pcs[:])
	return pcs[0]
}
