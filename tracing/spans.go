package tracing

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/o2kit/o2kit"
)

// Attribute keys the helpers set. OpenObserve stores span attributes as
// columns with '.' turned to '_' (order.id is searched as order_id); event
// attributes stay inside the span's events column.
const (
	KeyUserID    = attribute.Key("user.id")
	KeySessionID = attribute.Key("session.id")
	KeyRequestID = attribute.Key("request.id")
	KeyTenantID  = attribute.Key("tenant.id")
	KeyOrderID   = attribute.Key("order.id")
	KeyAmount    = attribute.Key("amount_minor") // in minor units (cents)
	KeyCurrency  = attribute.Key("currency")     // ISO 4217
	KeyItems     = attribute.Key("items")
	KeyPayment   = attribute.Key("payment.method")
	KeyProvider  = attribute.Key("payment.provider")
	KeySKU       = attribute.Key("sku")
	KeyQuantity  = attribute.Key("quantity")
	KeyWarehouse = attribute.Key("warehouse")
)

// Names of the business events the helpers record.
const (
	EventOrderPlaced       = "order.placed"
	EventPaymentAuthorised = "payment.authorised"
	EventStockReserved     = "stock.reserved"
)

// Money is an amount in minor units (cents) of an ISO 4217 currency, such
// as {Minor: 129900, Currency: "EUR"}.
type Money struct {
	Minor    int64
	Currency string
}

// Start starts a span named name with tracer and opts (business attributes
// go in trace.WithAttributes, with the Key constants of this package),
// adding the ids o2kit keeps in ctx (user.id, session.id, request.id,
// tenant.id from o2kit.ContextWithUser and its siblings) so that a trace
// can be found by the customer it served. A nil tracer means the global
// provider's tracer of this package. It returns the context holding the
// span; the caller ends the span.
func Start(ctx context.Context, tracer trace.Tracer, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	if tracer == nil {
		tracer = otel.Tracer(scopeName)
	}
	var ids []attribute.KeyValue
	for _, id := range []struct {
		key   attribute.Key
		value string
	}{
		{KeyUserID, o2kit.UserFromContext(ctx)},
		{KeySessionID, o2kit.SessionFromContext(ctx)},
		{KeyRequestID, o2kit.RequestFromContext(ctx)},
		{KeyTenantID, o2kit.TenantFromContext(ctx)},
	} {
		if id.value != "" {
			ids = append(ids, id.key.String(id.value))
		}
	}
	if len(ids) > 0 {
		opts = append([]trace.SpanStartOption{trace.WithAttributes(ids...)}, opts...)
	}
	return tracer.Start(ctx, name, opts...)
}

// scopeName is the instrumentation scope of the tracer Start uses when
// given none.
const scopeName = "github.com/o2kit/o2kit/tracing"

// Event records the event name with attrs on the span in ctx. Without a
// recording span it does nothing. It checks nothing: the name and
// attributes are the caller's own, as with trace.Span.AddEvent.
func Event(ctx context.Context, name string, attrs ...attribute.KeyValue) {
	trace.SpanFromContext(ctx).AddEvent(name, trace.WithAttributes(attrs...))
}

// OrderPlaced records that order orderID of items items worth total was
// placed, on the span in ctx, and sets order.id on the span so the trace
// is found by order. An empty orderID, a negative total or items, or a
// currency that is not three upper-case letters is an error matching
// [ErrInvalidEvent], and nothing is recorded. Without a recording span it
// records nothing but still checks.
func OrderPlaced(ctx context.Context, orderID string, total Money, items int, attrs ...attribute.KeyValue) error {
	if err := check(EventOrderPlaced, required(KeyOrderID, orderID), total.problem(),
		notNegative(KeyItems, int64(items))); err != nil {
		return err
	}
	span := trace.SpanFromContext(ctx)
	span.SetAttributes(KeyOrderID.String(orderID))
	Event(ctx, EventOrderPlaced, append([]attribute.KeyValue{KeyOrderID.String(orderID),
		KeyAmount.Int64(total.Minor), KeyCurrency.String(total.Currency), KeyItems.Int(items)}, attrs...)...)
	return nil
}

// PaymentAuthorised records that the payment provider authorised amount
// for order orderID by method ("card", "paypal"...), on the span in ctx.
// An empty orderID or method, or an amount [OrderPlaced] would refuse, is
// an error matching [ErrInvalidEvent], and nothing is recorded; an empty
// provider is left out.
func PaymentAuthorised(ctx context.Context, orderID, method, provider string, amount Money, attrs ...attribute.KeyValue) error {
	if err := check(EventPaymentAuthorised, required(KeyOrderID, orderID), required(KeyPayment, method),
		amount.problem()); err != nil {
		return err
	}
	base := []attribute.KeyValue{KeyOrderID.String(orderID), KeyPayment.String(method)}
	if provider != "" {
		base = append(base, KeyProvider.String(provider))
	}
	base = append(base, KeyAmount.Int64(amount.Minor), KeyCurrency.String(amount.Currency))
	Event(ctx, EventPaymentAuthorised, append(base, attrs...)...)
	return nil
}

// StockReserved records that quantity units of sku were reserved in
// warehouse, for order orderID if not empty, on the span in ctx. An empty
// sku or a quantity below 1 is an error matching [ErrInvalidEvent], and
// nothing is recorded; an empty warehouse is left out.
func StockReserved(ctx context.Context, sku string, quantity int64, warehouse, orderID string, attrs ...attribute.KeyValue) error {
	if err := check(EventStockReserved, required(KeySKU, sku), positive(KeyQuantity, quantity)); err != nil {
		return err
	}
	base := []attribute.KeyValue{KeySKU.String(sku), KeyQuantity.Int64(quantity)}
	if warehouse != "" {
		base = append(base, KeyWarehouse.String(warehouse))
	}
	if orderID != "" {
		base = append(base, KeyOrderID.String(orderID))
	}
	Event(ctx, EventStockReserved, append(base, attrs...)...)
	return nil
}

// RecordError records err as an exception event on the span in ctx and sets
// the span's status to Error with err's text. A nil err does nothing.
func RecordError(ctx context.Context, err error, attrs ...attribute.KeyValue) {
	if err == nil {
		return
	}
	span := trace.SpanFromContext(ctx)
	span.RecordError(err, trace.WithAttributes(attrs...))
	span.SetStatus(codes.Error, err.Error())
}
