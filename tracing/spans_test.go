package tracing_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/tracing"
)

func TestHelpersWithoutASpanDoNothing(t *testing.T) {
	ctx := context.Background()
	eur := tracing.Money{Minor: 100, Currency: "EUR"}
	tracing.Event(ctx, "x")
	assert.NoError(t, tracing.OrderPlaced(ctx, "o", eur, 1))
	assert.NoError(t, tracing.PaymentAuthorised(ctx, "o", "card", "stripe", eur))
	assert.NoError(t, tracing.StockReserved(ctx, "s", 1, "w", ""))
	tracing.RecordError(ctx, errors.New("x"))
	assert.False(t, trace.SpanFromContext(ctx).IsRecording())
}

// TestBusinessHelpersRejectBadInput: input that cannot describe a real
// event is an error naming the field, and the span gets nothing.
func TestBusinessHelpersRejectBadInput(t *testing.T) {
	tp, rec := recorder(t)
	ctx, span := tp.Tracer("t").Start(t.Context(), "op")
	eur := tracing.Money{Minor: 100, Currency: "EUR"}
	for want, err := range map[string]error{
		"order.id is required":                   tracing.OrderPlaced(ctx, "", eur, 1),
		"amount_minor must not be negative":      tracing.OrderPlaced(ctx, "o", tracing.Money{Minor: -1, Currency: "EUR"}, 1),
		`currency "eur" is not a 3-letter`:       tracing.OrderPlaced(ctx, "o", tracing.Money{Minor: 1, Currency: "eur"}, 1),
		`currency "" is not a 3-letter`:          tracing.PaymentAuthorised(ctx, "o", "card", "stripe", tracing.Money{}),
		"items must not be negative, got -2":     tracing.OrderPlaced(ctx, "o", eur, -2),
		"payment.method is required":             tracing.PaymentAuthorised(ctx, "o", "", "stripe", eur),
		"payment.authorised: order.id":           tracing.PaymentAuthorised(ctx, "", "card", "stripe", eur),
		"sku is required":                        tracing.StockReserved(ctx, "", 1, "berlin", "o"),
		"quantity must be at least 1, got 0":     tracing.StockReserved(ctx, "sku-1", 0, "berlin", "o"),
		"stock.reserved: quantity must be at le": tracing.StockReserved(ctx, "sku-1", math.MinInt64, "", ""),
	} {
		require.ErrorIs(t, err, tracing.ErrInvalidEvent, want)
		assert.Contains(t, err.Error(), want)
	}
	span.End()
	require.Len(t, rec.Ended(), 1)
	assert.Empty(t, rec.Ended()[0].Events(), "a rejected event is not recorded")
	assert.Empty(t, rec.Ended()[0].Attributes())
}

func TestOptionalFieldsAreLeftOut(t *testing.T) {
	tp, rec := recorder(t)
	ctx, span := tp.Tracer("t").Start(t.Context(), "op")
	require.NoError(t, tracing.PaymentAuthorised(ctx, "o", "card", "", tracing.Money{Currency: "EUR"}))
	require.NoError(t, tracing.StockReserved(ctx, "sku-1", 2, "", ""))
	span.End()
	ev := rec.Ended()[0].Events()
	require.Len(t, ev, 2)
	assert.Equal(t, []attribute.KeyValue{tracing.KeyOrderID.String("o"), tracing.KeyPayment.String("card"),
		tracing.KeyAmount.Int64(0), tracing.KeyCurrency.String("EUR")}, ev[0].Attributes)
	assert.Equal(t, []attribute.KeyValue{tracing.KeySKU.String("sku-1"), tracing.KeyQuantity.Int64(2)}, ev[1].Attributes)
}

func TestStartWithoutATracerUsesTheGlobalProvider(t *testing.T) {
	_, rec := recorderGlobal(t)
	_, span := tracing.Start(t.Context(), nil, "op")
	span.End()
	require.Len(t, rec.Ended(), 1)
	assert.Equal(t, "github.com/o2kit/o2kit/tracing", rec.Ended()[0].InstrumentationScope().Name)
}

func TestStartAddsTheContextIDs(t *testing.T) {
	tp, rec := recorder(t)
	ctx := o2kit.ContextWithSession(o2kit.ContextWithRequest(o2kit.ContextWithTenant(
		o2kit.ContextWithUser(t.Context(), "u-1"), "acme"), "req-9"), "s-3")
	ctx, span := tracing.Start(ctx, tp.Tracer("t"), "op")
	tracing.RecordError(ctx, nil)
	require.NoError(t, tracing.StockReserved(ctx, "sku-1", 4, "paris", ""))
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
