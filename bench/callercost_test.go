package bench

import (
	"context"
	"io"
	"log/slog"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkCallerCost measures what one typical record costs the goroutine
// that logs it, while the exporter works in the background and a
// count-only dev server in a child process takes what it sends. The paths
// run in the same process and the same run so their ratios can be
// compared.
//
// ns/op is wall time per record, which on a small machine includes the
// time the caller waits for a CPU that the exporter or the server holds;
// cpu-ns/op is the CPU time of the calling goroutine's own thread per
// record (Linux only). B/op and allocs/op count the whole process, so they
// include the exporter's background allocations, spread over the records.
// delivered-% is the share of records the server counted after a final
// flush: an exporter that falls behind drops records.
func BenchmarkCallerCost(b *testing.B) {
	b.Run("o2kit-Emit", func(b *testing.B) { benchO2kitEmit(b, false) })
	b.Run("o2kit-Emit-parallel", func(b *testing.B) { benchO2kitEmit(b, true) })
	b.Run("slog-JSONHandler-Discard", benchSlogDiscard)
	b.Run("otel-sdk-log", func(b *testing.B) { benchOTel(b, false) })
	b.Run("otel-sdk-log-parallel", func(b *testing.B) { benchOTel(b, true) })
}

func benchO2kitEmit(b *testing.B, parallel bool) {
	srv := startChild(b)
	var errs Errors
	c := callerClient(b, srv, &errs)
	ctx := context.Background()
	rec := Record("bench")
	measureCaller(b, parallel, func() { _ = c.Emit(ctx, rec) })
	flushAndClose(b, c)
	b.ReportMetric(100*float64(srv.Count(Org, "bench"))/float64(b.N), "delivered-%")
	reportDropped(b, c)
}

func benchSlogDiscard(b *testing.B) {
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	ctx := context.Background()
	attrs := Attrs()
	measureCaller(b, false, func() { logger.LogAttrs(ctx, slog.LevelInfo, Message, attrs...) })
}

func benchOTel(b *testing.B, parallel bool) {
	srv := startChild(b)
	o, err := srv.OTel("otel")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	attrs := Attrs()
	measureCaller(b, parallel, func() { o.Logger.LogAttrs(ctx, slog.LevelInfo, Message, attrs...) })
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := o.Close(ctx); err != nil {
		b.Logf("otel close: %v", err)
	}
	b.ReportMetric(100*float64(srv.Count(Org, "otel"))/float64(b.N), "delivered-%")
}

// measureCaller runs logOne b.N times, from the benchmark goroutine or from
// RunParallel's, each pinned to its OS thread so that the thread's CPU time
// is the caller's, and reports cpu-ns/op. It stops the timer.
func measureCaller(b *testing.B, parallel bool, logOne func()) {
	var cpu atomic.Int64
	var unmeasured atomic.Bool
	pinned := func(f func()) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		t0, ok0 := ThreadCPU()
		f()
		t1, ok1 := ThreadCPU()
		cpu.Add(int64(t1 - t0))
		if !ok0 || !ok1 {
			unmeasured.Store(true)
		}
	}
	b.ReportAllocs()
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			pinned(func() {
				for pb.Next() {
					logOne()
				}
			})
		})
	} else {
		pinned(func() {
			for b.Loop() {
				logOne()
			}
		})
	}
	b.StopTimer()
	if !unmeasured.Load() {
		b.ReportMetric(float64(cpu.Load())/float64(b.N), "cpu-ns/op")
	}
}
