package bench

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"
)

// BenchmarkTracingSpan measures starting and ending one span of four
// attributes, sampled, with the exporter attached: tracing.Setup's
// exporter over an o2kit client at its defaults, against the stock
// otlptracehttp exporter at its defaults. Both use the SDK's batch span
// processor at its defaults. They send to the count-only dev server in a
// child process ("dev"), and to a sink in this process that discards
// bodies ("sink"), which leaves out the server's cost of decoding and
// storing spans. The metrics are those of BenchmarkCallerCost;
// delivered-% is the share of spans the exporter reports delivered after
// a final flush (the batch span processor drops spans when its queue of
// 2048 is full), and delivered/s those spans over the time from the first
// span to the end of that flush.
func BenchmarkTracingSpan(b *testing.B) {
	for _, to := range []struct {
		name  string
		start func(testing.TB) *Server
	}{{"dev", startChild}, {"sink", startSpanSink}} {
		for _, path := range []struct {
			name string
			open func(testing.TB, *Server) *Tracing
		}{{"o2kit", o2kitTracing}, {"otlptracehttp", otelTracing}} {
			b.Run(path.name+"-"+to.name, func(b *testing.B) { benchSpans(b, false, to.start(b), path.open) })
			b.Run(path.name+"-"+to.name+"-parallel", func(b *testing.B) { benchSpans(b, true, to.start(b), path.open) })
		}
	}
}

func startSpanSink(tb testing.TB) *Server {
	tb.Helper()
	srv, err := StartSpanSink()
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = srv.Close() })
	return srv
}

func o2kitTracing(tb testing.TB, srv *Server) *Tracing {
	t, err := srv.O2kitTracing("bench", new(Errors))
	require.NoError(tb, err)
	return t
}

func otelTracing(tb testing.TB, srv *Server) *Tracing {
	t, err := srv.OTelTracing("bench")
	require.NoError(tb, err)
	return t
}

func benchSpans(b *testing.B, parallel bool, srv *Server, open func(testing.TB, *Server) *Tracing) {
	tr := open(b, srv)
	ctx := context.Background()
	opts := []trace.SpanStartOption{trace.WithAttributes(SpanAttrs()...)}
	start := time.Now()
	measureCaller(b, parallel, func() {
		_, span := tr.Tracer.Start(ctx, SpanName, opts...)
		span.End()
	})
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := tr.Close(ctx); err != nil {
		b.Logf("close: %v", err)
	}
	elapsed := time.Since(start)
	b.ReportMetric(100*float64(tr.Exported())/float64(b.N), "delivered-%")
	b.ReportMetric(float64(tr.Exported())/elapsed.Seconds(), "delivered/s")
}

// TestTracingDelivery checks the span harness: on both paths, the server
// counts every span the exporter says was delivered.
func TestTracingDelivery(t *testing.T) {
	for name, open := range map[string]func(testing.TB, *Server) *Tracing{"o2kit": o2kitTracing, "otlptracehttp": otelTracing} {
		t.Run(name, func(t *testing.T) {
			srv := startServer(t)
			tr := open(t, srv)
			for range 1000 {
				_, span := tr.Tracer.Start(t.Context(), SpanName, trace.WithAttributes(SpanAttrs()...))
				span.End()
			}
			require.NoError(t, tr.Close(t.Context()))
			assert.EqualValues(t, 1000, tr.Exported())
			assert.Equal(t, tr.Exported(), srv.Dev.Totals().Records)
		})
	}
}

// TestSpanSinkTakesBothPaths checks that the sink answers both exporters
// with a success.
func TestSpanSinkTakesBothPaths(t *testing.T) {
	for name, open := range map[string]func(testing.TB, *Server) *Tracing{"o2kit": o2kitTracing, "otlptracehttp": otelTracing} {
		t.Run(name, func(t *testing.T) {
			tr := open(t, startSpanSink(t))
			_, span := tr.Tracer.Start(t.Context(), SpanName)
			span.End()
			require.NoError(t, tr.Close(t.Context()))
			assert.EqualValues(t, 1, tr.Exported())
		})
	}
}
