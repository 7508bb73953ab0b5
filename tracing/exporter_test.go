package tracing_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/behavior"
	"github.com/o2kit/o2kit/logging"
	"github.com/o2kit/o2kit/tracing"
)

func TestSpansArriveAsRecorded(t *testing.T) {
	srv, client, log := devClient(t)
	tp := setup(t, client, tracing.WithServiceName("checkout"), tracing.WithServiceVersion("1.4.2"),
		tracing.WithEnvironment("test"), tracing.WithHostName("node-1"))
	tr := tp.Tracer("shop")

	ctx := o2kit.ContextWithUser(t.Context(), "u-1")
	ctx, root := tracing.Start(ctx, tr, "place order", trace.WithAttributes(attribute.String("cart.id", "c-9")))
	require.NoError(t, tracing.OrderPlaced(ctx, "ord-1", tracing.Money{Minor: 129900, Currency: "EUR"}, 3))
	require.NoError(t, tracing.StockReserved(ctx, "sku-7", 2, "berlin", "ord-1"))
	cctx, child := tr.Start(ctx, "charge card")
	require.NoError(t, tracing.PaymentAuthorised(cctx, "ord-1", "card", "stripe", tracing.Money{Minor: 129900, Currency: "EUR"}))
	tracing.RecordError(cctx, errors.New("3-D Secure timed out"))
	child.End()
	root.End()
	deliver(t, tp, client)

	got := storedSpans(srv, "traces")
	require.Len(t, got, 2)
	r, c := got["place order"], got["charge card"]
	assert.Equal(t, root.SpanContext().TraceID().String(), r["trace_id"])
	assert.Equal(t, root.SpanContext().SpanID().String(), r["span_id"])
	assert.Equal(t, root.SpanContext().TraceID().String(), c["trace_id"])
	assert.Equal(t, root.SpanContext().SpanID().String(), c["reference_parent_span_id"])
	for k, v := range map[string]any{
		"service_name": "checkout", "service_service_version": "1.4.2",
		"service_deployment_environment_name": "test", "service_host_name": "node-1",
		"user_id": "u-1", "cart_id": "c-9", "order_id": "ord-1", "span_status": "UNSET",
	} {
		assert.Equal(t, v, r[k], k)
	}
	assert.Equal(t, "ERROR", c["span_status"])
	assert.Equal(t, "3-D Secure timed out", c["status_message"])

	ev := events(t, r)
	require.Len(t, ev, 2)
	assert.Equal(t, "order.placed", ev[0]["name"])
	assert.Equal(t, "129900", ev[0]["amount_minor"])
	assert.Equal(t, "EUR", ev[0]["currency"])
	assert.Equal(t, "stock.reserved", ev[1]["name"])
	assert.Equal(t, "berlin", ev[1]["warehouse"])
	ev = events(t, c)
	require.Len(t, ev, 2)
	assert.Equal(t, "payment.authorised", ev[0]["name"])
	assert.Equal(t, "stripe", ev[0]["payment.provider"])
	assert.Equal(t, "exception", ev[1]["name"])

	st := client.Stats().Streams["traces:traces"]
	assert.Equal(t, uint64(2), st.Sent)
	assert.Equal(t, uint64(1), st.Requests)
	assert.Empty(t, log.All())
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/api/default/v1/traces", reqs[0].Path)
	assert.Equal(t, "application/x-protobuf", reqs[0].Header.Get("Content-Type"))
	assert.Equal(t, "traces", reqs[0].Header.Get("stream-name"))
	assert.Equal(t, "gzip", reqs[0].Header.Get("Content-Encoding"), "the client's compression")
}

func TestSpansCanBeSearched(t *testing.T) {
	_, client, _ := devClient(t)
	tp := setup(t, client, tracing.WithStream("shop-traces"))
	_, span := tp.Tracer("shop").Start(t.Context(), "GET /cart")
	span.End()
	deliver(t, tp, client)

	resp, err := client.Search(t.Context(), o2kit.SearchRequest{
		SQL: `SELECT trace_id, operation_name FROM "shop_traces"`, Type: "traces",
		Start: time.Now().Add(-time.Hour), End: time.Now().Add(time.Hour),
	})
	require.NoError(t, err)
	require.Len(t, resp.Hits, 1)
	var hit struct{ TraceID, OperationName string }
	require.NoError(t, json.Unmarshal(resp.Hits[0], &struct {
		TraceID       *string `json:"trace_id"`
		OperationName *string `json:"operation_name"`
	}{&hit.TraceID, &hit.OperationName}))
	assert.Equal(t, span.SpanContext().TraceID().String(), hit.TraceID)
	assert.Equal(t, "GET /cart", hit.OperationName)
	assert.Equal(t, uint64(1), client.Stats().Streams["traces:shop_traces"].Sent)
}

func TestExportAfterClientShutdownIsDroppedAndCounted(t *testing.T) {
	_, client, _ := devClient(t)
	exp, err := tracing.NewExporter(t.Context(), client)
	require.NoError(t, err)
	require.NoError(t, client.Shutdown(t.Context()))
	tp := newSyncProvider(exp)
	_, span := tp.Tracer("t").Start(t.Context(), "late")
	span.End()
	assert.Equal(t, uint64(1), client.Stats().Streams["traces:traces"].Dropped)
	require.NoError(t, tp.Shutdown(context.Background()))
	_, err = tracing.NewExporter(t.Context(), nil)
	assert.Error(t, err)
}

// TestInvalidUTF8CostsNoSpan: a span whose name or attribute is not valid
// UTF-8, which protobuf refuses to encode, arrives repaired, and the other
// spans of its batch with it.
func TestInvalidUTF8CostsNoSpan(t *testing.T) {
	srv, client, log := devClient(t)
	tp := setup(t, client)
	_, bad := tp.Tracer("t").Start(t.Context(), "GET /cart\xff", trace.WithAttributes(attribute.String("cart.id", "c\xfe9")))
	bad.End()
	endSpans(tp, "good")
	deliver(t, tp, client)

	got := storedSpans(srv, "traces")
	require.Len(t, got, 2)
	assert.Equal(t, "c\uFFFD9", got["GET /cart\uFFFD"]["cart_id"])
	assert.Equal(t, uint64(2), client.Stats().Streams["traces:traces"].Sent)
	assert.Empty(t, log.All())
}

// TestLogsAndBehaviourInASpanCarryItsIDs: a log line written through the
// logging package and a behaviour event, inside a span, carry its trace_id
// and span_id, so both join the trace.
func TestLogsAndBehaviourInASpanCarryItsIDs(t *testing.T) {
	srv, client, _ := devClient(t)
	tp := setup(t, client)
	tracker, err := behavior.NewTracker(client)
	require.NoError(t, err)
	ctx, span := tp.Tracer("shop").Start(t.Context(), "checkout")
	logging.New(client).InfoContext(ctx, "order placed")
	require.NoError(t, tracker.Track(ctx, "coupon_applied"))
	span.End()
	deliver(t, tp, client)

	traceID, spanID := span.SpanContext().TraceID().String(), span.SpanContext().SpanID().String()
	logs := srv.Records("default", "application_logs")
	require.Len(t, logs, 1)
	events := srv.Records("default", "user_behavior")
	require.Len(t, events, 1)
	for _, rec := range []map[string]any{logs[0], events[0]} {
		assert.Equal(t, traceID, rec[o2kit.FieldTraceID])
		assert.Equal(t, spanID, rec[o2kit.FieldSpanID])
	}
	assert.Equal(t, traceID, storedSpans(srv, "traces")["checkout"]["trace_id"], "the log joins its trace")
}

// TestRejectedSpansAreCountedAndReported: spans older than the server's
// ingest window are rejected in a partial success, which the client counts
// and reports.
func TestRejectedSpansAreCountedAndReported(t *testing.T) {
	srv, client, log := devClient(t)
	tp := setup(t, client)
	tr := tp.Tracer("shop")
	old := time.Now().Add(-10 * time.Hour)
	_, stale := tr.Start(t.Context(), "stale", trace.WithTimestamp(old))
	stale.End(trace.WithTimestamp(old.Add(time.Millisecond)))
	_, fresh := tr.Start(t.Context(), "fresh")
	fresh.End()
	deliver(t, tp, client)

	st := client.Stats().Streams["traces:traces"]
	assert.Equal(t, uint64(1), st.Sent)
	assert.Equal(t, uint64(1), st.PartialFailures)
	assert.Len(t, storedSpans(srv, "traces"), 1)
	var pe *o2kit.PartialError
	require.ErrorAs(t, errors.Join(log.All()...), &pe)
	assert.Equal(t, 1, pe.Failed)
	assert.Contains(t, pe.Message, "rejected")
}
