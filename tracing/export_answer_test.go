package tracing_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
	"github.com/o2kit/o2kit/internal/o2test"
	"github.com/o2kit/o2kit/tracing"
)

// TestPartialContentIsCountedAndReported: a 206 answer whose
// partialSuccess rejects some spans counts them as partial failures, the
// rest as sent, and hands a *o2kit.PartialError with the server's message
// to the error handler.
func TestPartialContentIsCountedAndReported(t *testing.T) {
	srv, client, log := devClient(t)
	srv.Push(o2server.Fault{Status: http.StatusPartialContent, Header: http.Header{"Content-Type": {"application/json"}},
		Body: `{"partialSuccess":{"rejectedSpans":2,"errorMessage":"Some spans were rejected"}}`})
	tp := setup(t, client)
	endSpans(tp, "a", "b", "c")
	deliver(t, tp, client)

	st := client.Stats().Streams["traces:traces"]
	assert.Equal(t, uint64(1), st.Sent)
	assert.Equal(t, uint64(2), st.PartialFailures)
	assert.Zero(t, st.Failed+st.Dropped)
	var pe *o2kit.PartialError
	require.ErrorAs(t, errors.Join(log.All()...), &pe)
	assert.Equal(t, o2kit.PartialError{Stream: "traces", Successful: 1, Failed: 2, Message: "Some spans were rejected"}, *pe)
}

// TestExporterAfterShutdown: the exporter refuses spans once shut down,
// and leaves the client running for other signals.
func TestExporterAfterShutdown(t *testing.T) {
	srv, client, _ := devClient(t)
	exp, err := tracing.NewExporter(t.Context(), client)
	require.NoError(t, err)
	require.NoError(t, exp.ExportSpans(t.Context(), nil), "nothing to send")
	require.NoError(t, exp.Shutdown(t.Context()))
	span := tracetest.SpanStub{Name: "late", SpanContext: trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}, TraceFlags: trace.FlagsSampled})}.Snapshot()
	assert.Error(t, exp.ExportSpans(t.Context(), []sdktrace.ReadOnlySpan{span}))

	require.NoError(t, client.Emit(t.Context(), o2kit.Record{Stream: "application-logs"}))
	require.NoError(t, client.Flush(t.Context()))
	assert.Len(t, srv.Records("default", "application_logs"), 1, "the client still works")
	assert.Empty(t, storedSpans(srv, "traces"))
}

// TestSetupShutdownTwiceAndQueueLimit: the shutdown function may be called
// again, and a queue too large to allocate is refused.
func TestSetupShutdownTwiceAndQueueLimit(t *testing.T) {
	_, client, _ := devClient(t)
	_, stop, err := tracing.Setup(t.Context(), client, tracing.WithMaxQueueSize(-1), tracing.WithBatchTimeout(0))
	require.NoError(t, err)
	require.NoError(t, stop(t.Context()))
	assert.NoError(t, stop(context.Background()))

	_, _, err = tracing.Setup(t.Context(), client, tracing.WithMaxQueueSize(1<<40))
	assert.ErrorContains(t, err, "WithMaxQueueSize(1099511627776) is above the limit of 1048576 spans")
	_, stop, err = tracing.Setup(t.Context(), client, tracing.WithMaxQueueSize(1<<20))
	require.NoError(t, err)
	require.NoError(t, stop(t.Context()))

	t.Setenv("OTEL_BSP_MAX_QUEUE_SIZE", "1099511627776")
	_, _, err = tracing.Setup(t.Context(), client)
	assert.ErrorContains(t, err, "OTEL_BSP_MAX_QUEUE_SIZE 1099511627776 is above the limit")
	_, stop, err = tracing.Setup(t.Context(), client, tracing.WithMaxQueueSize(100))
	require.NoError(t, err, "the option wins over the variable")
	require.NoError(t, stop(t.Context()))
}

// TestBatchTimeoutHandsSpansOver: spans reach the client once the batch
// timeout has passed, without a flush; the default would wait 5 s.
func TestBatchTimeoutHandsSpansOver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := o2server.New()
		defer srv.Close()
		user, pass := srv.RootUser()
		client, err := o2kit.New(o2kit.WithEndpoint("http://o2.test"), o2kit.WithBasicAuth(user, pass),
			o2kit.WithHTTPClient(o2test.InMemory(srv)))
		require.NoError(t, err)
		for _, tc := range []struct {
			opt  tracing.Option
			want uint64
		}{{tracing.WithBatchTimeout(0), 0}, {tracing.WithBatchTimeout(time.Second), 1}} {
			tp, stop, err := tracing.Setup(t.Context(), client, tc.opt)
			require.NoError(t, err)
			before := client.Stats().Streams["traces:traces"].Accepted
			endSpans(tp, "span")
			<-time.After(2 * time.Second) // the bubble's clock
			synctest.Wait()
			assert.Equal(t, tc.want, client.Stats().Streams["traces:traces"].Accepted-before)
			require.NoError(t, stop(t.Context()))
		}
		require.NoError(t, client.Shutdown(t.Context()))
	})
}
