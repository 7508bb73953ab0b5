package tracing_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/tracing"
)

func TestHelpersWithoutASpanDoNothing(t *testing.T) {
	ctx := context.Background()
	tracing.Event(ctx, "x")
	tracing.OrderPlaced(ctx, "o", tracing.Money{}, 0)
	tracing.PaymentAuthorised(ctx, "o", "card", "stripe", tracing.Money{})
	tracing.StockReserved(ctx, "s", 1, "w", "")
	tracing.RecordError(ctx, errors.New("x"))
}

func TestStartAddsTheContextIDs(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	defer tp.Shutdown(context.Background())
	ctx := o2kit.ContextWithSession(o2kit.ContextWithRequest(o2kit.ContextWithTenant(
		o2kit.ContextWithUser(t.Context(), "u-1"), "acme"), "req-9"), "s-3")
	ctx, span := tracing.Start(ctx, tp.Tracer("t"), "op")
	tracing.RecordError(ctx, nil)
	tracing.StockReserved(ctx, "sku-1", 4, "paris", "")
	span.End()
	_, plain := tracing.Start(t.Context(), tp.Tracer("t"), "plain")
	plain.End()

	ended := rec.Ended()
	require.Len(t, ended, 2)
	assert.ElementsMatch(t, []attribute.KeyValue{
		tracing.KeyUserID.String("u-1"), tracing.KeySessionID.String("s-3"),
		tracing.KeyRequestID.String("req-9"), tracing.KeyTenantID.String("acme"),
	}, ended[0].Attributes())
	assert.Equal(t, "Unset", ended[0].Status().Code.String(), "a nil error changes nothing")
	require.Len(t, ended[0].Events(), 1)
	assert.NotContains(t, ended[0].Events()[0].Attributes, tracing.KeyOrderID.String(""), "no empty order id")
	assert.Empty(t, ended[1].Attributes())
}

func TestWithGlobalInstallsProviderAndPropagators(t *testing.T) {
	prevTP, prevProp := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	defer func() {
		otel.SetTracerProvider(prevTP)
		otel.SetTextMapPropagator(prevProp)
	}()
	_, client, _ := devClient(t)
	tp := setup(t, client, tracing.WithGlobal())
	assert.Same(t, tp, otel.GetTracerProvider())
	assert.ElementsMatch(t, []string{"traceparent", "tracestate", "baggage"}, otel.GetTextMapPropagator().Fields())
}
