package tracing_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
	"github.com/o2kit/o2kit/internal/o2test"
	"github.com/o2kit/o2kit/tracing"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// devClient starts the dev server on a loopback port and a client of it,
// both ended with the test. Unlike o2test.New it keeps the real clock on
// both sides: spans carry the time they end, and a server pinned to
// o2test.Epoch would reject them as outside its ingest window. Record ids
// stay on, as in a service.
func devClient(t *testing.T, opts ...o2kit.Option) (*o2server.Server, *o2kit.Client, *o2test.Errors) {
	t.Helper()
	errs := &o2test.Errors{}
	base := []o2kit.Option{o2kit.WithIDField("o2kit_id"), o2kit.WithErrorHandler(errs)}
	e := o2test.NewWithClock(t, time.Now, append(base, opts...)...)
	return e.Server, e.Client, errs
}

// setup runs tracing.Setup, shut down with the test.
func setup(t *testing.T, client *o2kit.Client, opts ...tracing.Option) *sdktrace.TracerProvider {
	t.Helper()
	tp, stop, err := tracing.Setup(t.Context(), client, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = stop(context.Background()) })
	return tp
}

// deliver hands the ended spans to the client and sends them.
func deliver(t *testing.T, tp *sdktrace.TracerProvider, client *o2kit.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	require.NoError(t, tp.ForceFlush(ctx))
	require.NoError(t, client.Flush(ctx))
}

// storedSpans returns the spans the dev server stored, by operation name.
func storedSpans(srv *o2server.Server, stream string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, r := range srv.RecordsOf("default", "traces", stream) {
		out[r["operation_name"].(string)] = r
	}
	return out
}

// events decodes a stored span's events column.
func events(t *testing.T, rec map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	require.NoError(t, json.Unmarshal([]byte(rec["events"].(string)), &out))
	return out
}

// newSyncProvider exports each span as it ends.
func newSyncProvider(exp sdktrace.SpanExporter) *sdktrace.TracerProvider {
	return sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
}

// propagationHeader lets a propagator write into h.
func propagationHeader(h http.Header) propagation.HeaderCarrier { return propagation.HeaderCarrier(h) }

// recorder is a provider whose ended spans rec keeps, shut down with the
// test.
func recorder(t *testing.T) (*sdktrace.TracerProvider, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp, rec
}

// recorderGlobal is a recorder installed as the global provider until the
// test ends.
func recorderGlobal(t *testing.T) (*sdktrace.TracerProvider, *tracetest.SpanRecorder) {
	t.Helper()
	prev := otel.GetTracerProvider()
	t.Cleanup(func() { otel.SetTracerProvider(prev) })
	tp, rec := recorder(t)
	otel.SetTracerProvider(tp)
	return tp, rec
}
