package logging

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
)

// A missing or wrong field is an error naming it, and nothing is written.
func TestBusinessRequiredFields(t *testing.T) {
	d := newDev(t)
	b := NewBusiness(d.client, WithClock(pinned))
	a := NewAudit(d.client, WithClock(pinned))
	ctx := context.Background()
	cases := []struct {
		name, field string
		err         error
	}{
		{"order without id", "order_id", b.Order(ctx, OrderEvent{Type: OrderCreated, Amount: EUR(100)})},
		{"unknown order type", "event_type", b.Order(ctx, OrderEvent{Type: "order_lost", OrderID: "o"})},
		{"created without amount", "amount_minor", b.Order(ctx, OrderEvent{Type: OrderCreated, OrderID: "o"})},
		{"lower-case currency", "amount_minor", b.Order(ctx, OrderEvent{Type: OrderPaid, OrderID: "o", Amount: Money{Minor: 1, Currency: "eur"}})},
		{"negative amount", "amount_minor", b.Order(ctx, OrderEvent{Type: OrderPaid, OrderID: "o", Amount: EUR(-1)})},
		{"cancelled without reason", "reason", b.Order(ctx, OrderEvent{Type: OrderCancelled, OrderID: "o"})},
		{"negative items", "items", b.Order(ctx, OrderEvent{Type: OrderShipped, OrderID: "o", Items: -1})},
		{"login without user", "user_id", b.UserAction(ctx, UserAction{Type: UserLogin})},
		{"failed login without reason", "reason", b.UserAction(ctx, UserAction{Type: UserLogin, UserID: "u", Failed: true})},
		{"unknown user action", "event_type", b.UserAction(ctx, UserAction{Type: "user_dance", UserID: "u"})},
		{"payment without provider", "provider", b.Payment(ctx, PaymentEvent{OrderID: "o", Method: "card", Amount: EUR(1), Status: PaymentCaptured})},
		{"failed payment without reason", "failure_reason", b.Payment(ctx, PaymentEvent{OrderID: "o", Method: "card", Provider: "p", Amount: EUR(1), Status: PaymentFailed})},
		{"unknown payment status", "status", b.Payment(ctx, PaymentEvent{OrderID: "o", Method: "card", Provider: "p", Amount: EUR(1), Status: "maybe"})},
		{"payment without order", "order_id", b.Payment(ctx, PaymentEvent{Method: "card", Provider: "p", Amount: EUR(1), Status: PaymentCaptured})},
		{"stock without sku", "sku", b.Inventory(ctx, InventoryEvent{Warehouse: "w", Change: 1, Reason: StockRestock})},
		{"zero change", "change", b.Inventory(ctx, InventoryEvent{SKU: "s", Warehouse: "w", Reason: StockRestock})},
		{"negative stock", "stock_after", b.Inventory(ctx, InventoryEvent{SKU: "s", Warehouse: "w", Change: -1, Reason: StockSale, StockAfter: -1})},
		{"unknown stock reason", "reason", b.Inventory(ctx, InventoryEvent{SKU: "s", Warehouse: "w", Change: 1, Reason: "found"})},
		{"audit without action", "action", a.Log(ctx, AuditEvent{Actor: "a", Resource: "r", Outcome: OutcomeSuccess})},
		{"audit with bad ip", "ip", a.Log(ctx, AuditEvent{Actor: "a", Action: "x", Resource: "r", Outcome: OutcomeDenied, IP: "300.1.1.1"})},
		{"audit outcome", "outcome", a.Log(ctx, AuditEvent{Actor: "a", Action: "x", Resource: "r", Outcome: "ok"})},
		{"audit without actor", "actor", a.Log(ctx, AuditEvent{Action: "x", Resource: "r", Outcome: OutcomeSuccess})},
		{"audit without resource", "resource", a.Log(ctx, AuditEvent{Actor: "a", Action: "x", Outcome: OutcomeSuccess})},
		{"paid without amount", "amount_minor", b.Order(ctx, OrderEvent{Type: OrderPaid, OrderID: "o"})},
		{"refunded without amount", "amount_minor", b.Order(ctx, OrderEvent{Type: OrderRefunded, OrderID: "o", Reason: "r"})},
		{"refunded without reason", "reason", b.Order(ctx, OrderEvent{Type: OrderRefunded, OrderID: "o", Amount: EUR(1)})},
		{"shipped without id", "order_id", b.Order(ctx, OrderEvent{Type: OrderShipped})},
		{"delivered without id", "order_id", b.Order(ctx, OrderEvent{Type: OrderDelivered})},
		{"made-up currency", "amount_minor", b.Order(ctx, OrderEvent{Type: OrderPaid, OrderID: "o", Amount: Money{Minor: 1, Currency: "ABC"}})},
		{"amount without currency", "amount_minor", b.Order(ctx, OrderEvent{Type: OrderShipped, OrderID: "o", Amount: Money{Minor: 1}})},
		{"logout without user", "user_id", b.UserAction(ctx, UserAction{Type: UserLogout})},
		{"register without user", "user_id", b.UserAction(ctx, UserAction{Type: UserRegister})},
		{"profile change without user", "user_id", b.UserAction(ctx, UserAction{Type: UserProfileChange})},
		{"profile change of nothing", "changed", b.UserAction(ctx, UserAction{Type: UserProfileChange, UserID: "u"})},
		{"payment without method", "method", b.Payment(ctx, PaymentEvent{OrderID: "o", Provider: "p", Amount: EUR(1), Status: PaymentCaptured})},
		{"payment without amount", "amount_minor", b.Payment(ctx, PaymentEvent{OrderID: "o", Method: "card", Provider: "p", Status: PaymentAuthorized})},
		{"payment in no currency", "amount_minor", b.Payment(ctx, PaymentEvent{OrderID: "o", Method: "card", Provider: "p", Amount: Money{Minor: 1, Currency: "E"}, Status: PaymentRefunded})},
		{"negative latency", "latency_ms", b.Payment(ctx, PaymentEvent{OrderID: "o", Method: "card", Provider: "p", Amount: EUR(1), Status: PaymentCaptured, Latency: -1})},
		{"stock without warehouse", "warehouse", b.Inventory(ctx, InventoryEvent{SKU: "s", Change: 1, Reason: StockRestock})},
	}
	for _, c := range cases {
		var fe *FieldError
		require.True(t, errors.As(c.err, &fe), "%s: %v", c.name, c.err)
		assert.Equal(t, c.field, fe.Field, c.name)
	}
	assert.Empty(t, d.records(t, "business-events"))
	assert.Empty(t, d.records(t, "audit"))
	assert.EqualError(t, cases[0].err, "logging: order_created: order_id is required")
}

func TestBusinessEventsReachTheStream(t *testing.T) {
	d := newDev(t)
	b := NewBusiness(d.client, WithClock(pinned))
	ctx := context.Background()
	require.NoError(t, b.Order(ctx, OrderEvent{Type: OrderShipped, OrderID: "o-1", Carrier: "dhl"}, slog.String("tracking", "JJD1")))
	require.NoError(t, b.Payment(ctx, PaymentEvent{OrderID: "o-1", Method: "alipay", Provider: "alipay", Amount: Money{Minor: 500, Currency: "CNY"}, Status: PaymentCaptured}))
	recs := d.records(t, "business-events")
	require.Len(t, recs, 2)
	assert.Equal(t, "order_shipped", recs[0]["event_type"])
	assert.Equal(t, "JJD1", recs[0]["tracking"])
	assert.Equal(t, int64(500), recs[1]["amount_minor"])
}

// The audit stream keeps 365 days once the client provisions retention.
func TestAuditRetention(t *testing.T) {
	d := newDev(t)
	require.NoError(t, d.client.Provision(context.Background()))
	var schema struct {
		Settings struct {
			DataRetention int `json:"data_retention"`
		} `json:"settings"`
	}
	d.getJSON(t, "/api/default/streams/audit/schema?type=logs", &schema)
	assert.Equal(t, 365, schema.Settings.DataRetention)
}

// An audit stream of another name gets its retention as Audit's doc says:
// from o2kit.WithRetention on the client, applied by Provision.
func TestAuditRetentionOfAnotherStream(t *testing.T) {
	d := newDev(t, o2kit.WithRetention("security-audit", 365))
	a := NewAudit(d.client, WithStream("security-audit"), WithClock(pinned))
	require.NoError(t, a.Log(context.Background(), AuditEvent{Actor: "a", Action: "x", Resource: "r", Outcome: OutcomeSuccess}))
	require.Len(t, d.records(t, "security-audit"), 1)
	require.NoError(t, d.client.Provision(context.Background()))
	var schema struct {
		Settings struct {
			DataRetention int `json:"data_retention"`
		} `json:"settings"`
	}
	d.getJSON(t, "/api/default/streams/security_audit/schema?type=logs", &schema)
	assert.Equal(t, 365, schema.Settings.DataRetention)
}

// Money is checked against the ISO 4217 codes, current and withdrawn.
func TestCurrencies(t *testing.T) {
	for _, ok := range []string{"EUR", "USD", "JPY", "CNY", "CHF", "DEM", "VES", "SLE", "ZWG"} {
		assert.Empty(t, Money{Currency: ok}.check(), ok)
	}
	for _, bad := range []string{"", "eur", "EURO", "EU", "ABC", "XXX", "E R", "€", "US$", "UR ", "D E"} {
		assert.NotEmpty(t, Money{Currency: bad}.check(), bad)
	}
}

// Writers built on a nil client say so instead of panicking, and still
// check the event first.
func TestNilClient(t *testing.T) {
	ctx := context.Background()
	b, a := NewBusiness(nil), NewAudit(nil)
	assert.ErrorIs(t, b.Order(ctx, OrderEvent{Type: OrderShipped, OrderID: "o"}), ErrNoClient)
	assert.ErrorIs(t, a.Log(ctx, AuditEvent{Actor: "a", Action: "x", Resource: "r", Outcome: OutcomeSuccess}), ErrNoClient)
	var fe *FieldError
	assert.ErrorAs(t, b.Order(ctx, OrderEvent{Type: OrderShipped}), &fe)
}

// Extra attributes may not override what the event sets: OpenObserve
// keeps the last of two equal keys, so an extra outcome would forge an
// audit record.
func TestExtrasCannotOverrideEventFields(t *testing.T) {
	d := newDev(t)
	b, a := NewBusiness(d.client, WithClock(pinned)), NewAudit(d.client, WithClock(pinned), WithService("admin"))
	ctx := o2kit.ContextWithRequest(context.Background(), "req-1")
	cases := []struct {
		field string
		err   error
	}{
		{"outcome", a.Log(ctx, AuditEvent{Actor: "a", Action: "x", Resource: "r", Outcome: OutcomeDenied,
			Attrs: []slog.Attr{slog.String("Outcome", OutcomeSuccess)}})},
		{"service", a.Log(ctx, AuditEvent{Actor: "a", Action: "x", Resource: "r", Outcome: OutcomeDenied,
			Attrs: []slog.Attr{slog.String("service", "other")}})},
		{"order_id", b.Order(ctx, OrderEvent{Type: OrderShipped, OrderID: "o-1"}, slog.Group("order", slog.String("id", "o-2")))},
		{"request_id", b.Order(ctx, OrderEvent{Type: OrderShipped, OrderID: "o-1"}, slog.String("request_id", "forged"))},
		{"event_type", b.Inventory(ctx, InventoryEvent{SKU: "s", Warehouse: "w", Change: 1, Reason: StockRestock}, slog.String("event_type", "x"))},
	}
	for _, c := range cases {
		var fe *FieldError
		require.ErrorAs(t, c.err, &fe, c.field)
		assert.Equal(t, c.field, fe.Field)
	}
	require.NoError(t, b.Order(ctx, OrderEvent{Type: OrderShipped, OrderID: "o-1"}, slog.String("session_id", "s-1"), slog.Group("parcel", slog.Int("count", 2))))
	assert.Len(t, d.records(t, "business-events"), 1)
	assert.Empty(t, d.records(t, "audit"))
}
