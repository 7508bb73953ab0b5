package logging

import (
	"context"
	"log/slog"
	"strings"
	"time"
)

// User action event types.
const (
	UserLogin         = "user_login"
	UserLogout        = "user_logout"
	UserRegister      = "user_register"
	UserProfileChange = "user_profile_change"
)

// UserAction is a user's login, logout, registration or profile change.
type UserAction struct {
	Type    string   // UserLogin, UserLogout, UserRegister or UserProfileChange; required
	UserID  string   // required; defaults to the user in the context
	Method  string   // how: "password", "oauth:google", "sms"...
	Failed  bool     // the action did not succeed (a wrong password)
	Reason  string   // why it failed, or what changed; required when Failed
	Changed []string // the profile fields changed; required for a successful UserProfileChange
}

// UserAction writes a user action: event_type, user_id, method, success,
// reason and, for a profile change, changed (the fields, comma-separated).
func (b *Business) UserAction(ctx context.Context, e UserAction, extra ...slog.Attr) error {
	c := checker{event: e.Type}
	c.oneOf("event_type", e.Type, UserLogin, UserLogout, UserRegister, UserProfileChange)
	user := withUser(ctx, e.UserID)
	c.require("user_id", user)
	if e.Failed {
		c.require("reason", e.Reason)
	} else if e.Type == UserProfileChange && len(e.Changed) == 0 {
		c.fail("changed", "is required for a profile change")
	}
	if err := c.result(); err != nil {
		return err
	}
	fields := []slog.Attr{slog.String("user_id", user), slog.Bool("success", !e.Failed)}
	fields = appendNonEmpty(fields, "method", e.Method)
	fields = appendNonEmpty(fields, "reason", e.Reason)
	if len(e.Changed) > 0 {
		fields = appendNonEmpty(fields, "changed", strings.Join(e.Changed, ","))
	}
	return b.w.event(ctx, e.Type, fields, extra)
}

// Order event types.
const (
	OrderCreated   = "order_created"
	OrderPaid      = "order_paid"
	OrderShipped   = "order_shipped"
	OrderDelivered = "order_delivered"
	OrderCancelled = "order_cancelled"
	OrderRefunded  = "order_refunded"
)

// OrderEvent is a step in an order's life.
type OrderEvent struct {
	Type    string // OrderCreated ... OrderRefunded; required
	OrderID string // required
	UserID  string // defaults to the user in the context
	Amount  Money  // required for created, paid and refunded
	Items   int    // number of items, when known
	Carrier string // for shipped
	Reason  string // required for cancelled and refunded
}

// Order writes an order event: event_type, order_id, user_id,
// amount_minor, currency, items, carrier and reason, as set.
func (b *Business) Order(ctx context.Context, e OrderEvent, extra ...slog.Attr) error {
	c := checker{event: e.Type}
	c.oneOf("event_type", e.Type, OrderCreated, OrderPaid, OrderShipped, OrderDelivered, OrderCancelled, OrderRefunded)
	c.require("order_id", e.OrderID)
	withAmount := e.Type == OrderCreated || e.Type == OrderPaid || e.Type == OrderRefunded
	if withAmount || e.Amount != (Money{}) {
		c.money("amount_minor", e.Amount)
	}
	if e.Type == OrderCancelled || e.Type == OrderRefunded {
		c.require("reason", e.Reason)
	}
	if e.Items < 0 {
		c.fail("items", "must not be negative")
	}
	if err := c.result(); err != nil {
		return err
	}
	fields := []slog.Attr{slog.String("order_id", e.OrderID)}
	fields = appendNonEmpty(fields, "user_id", withUser(ctx, e.UserID))
	if e.Amount != (Money{}) {
		fields = append(fields, e.Amount.attrs("amount")...)
	}
	if e.Items > 0 {
		fields = append(fields, slog.Int("items", e.Items))
	}
	fields = appendNonEmpty(fields, "carrier", e.Carrier)
	fields = appendNonEmpty(fields, "reason", e.Reason)
	return b.w.event(ctx, e.Type, fields, extra)
}

// Payment statuses; the event type is "payment_" and the status.
const (
	PaymentAuthorized = "authorized"
	PaymentCaptured   = "captured"
	PaymentFailed     = "failed"
	PaymentRefunded   = "refunded"
)

// PaymentEvent is one attempt or step of a payment.
type PaymentEvent struct {
	PaymentID     string
	OrderID       string        // required
	Method        string        // "card", "paypal", "alipay", "wechat_pay"...; required
	Provider      string        // "stripe", "adyen"...; required
	Amount        Money         // required
	Status        string        // PaymentAuthorized ... PaymentRefunded; required
	FailureReason string        // required when Status is PaymentFailed
	Latency       time.Duration // the provider's answer time
}

// Payment writes event_type payment_<status> with payment_id, order_id,
// method, provider, amount_minor, currency, status, failure_reason and
// latency_ms.
func (b *Business) Payment(ctx context.Context, e PaymentEvent, extra ...slog.Attr) error {
	c := checker{event: "payment_" + e.Status}
	c.oneOf("status", e.Status, PaymentAuthorized, PaymentCaptured, PaymentFailed, PaymentRefunded)
	c.require("order_id", e.OrderID)
	c.require("method", e.Method)
	c.require("provider", e.Provider)
	c.money("amount_minor", e.Amount)
	if e.Status == PaymentFailed {
		c.require("failure_reason", e.FailureReason)
	}
	if e.Latency < 0 {
		c.fail("latency_ms", "must not be negative")
	}
	if err := c.result(); err != nil {
		return err
	}
	fields := appendNonEmpty(nil, "payment_id", e.PaymentID)
	fields = append(fields, slog.String("order_id", e.OrderID), slog.String("method", e.Method),
		slog.String("provider", e.Provider))
	fields = append(fields, e.Amount.attrs("amount")...)
	fields = append(fields, slog.String("status", e.Status))
	fields = appendNonEmpty(fields, "failure_reason", e.FailureReason)
	fields = append(fields, slog.Float64("latency_ms", float64(e.Latency)/float64(time.Millisecond)))
	return b.w.event(ctx, "payment_"+e.Status, fields, extra)
}

// Inventory change reasons.
const (
	StockSale       = "sale"
	StockRestock    = "restock"
	StockReturn     = "return"
	StockAdjustment = "adjustment"
	StockReserved   = "reserved"
	StockReleased   = "released"
)

// InventoryEvent is a change in a SKU's stock at a warehouse.
type InventoryEvent struct {
	SKU        string // required
	Warehouse  string // required
	Change     int64  // units, negative for stock out; not zero
	Reason     string // StockSale ... StockReleased; required
	StockAfter int64  // units left after the change; not negative
	OrderID    string // the order that caused it, if any
}

// Inventory writes event_type inventory_change with sku, warehouse,
// change, reason, stock_after and order_id.
func (b *Business) Inventory(ctx context.Context, e InventoryEvent, extra ...slog.Attr) error {
	c := checker{event: "inventory_change"}
	c.require("sku", e.SKU)
	c.require("warehouse", e.Warehouse)
	if e.Change == 0 {
		c.fail("change", "must not be zero")
	}
	c.oneOf("reason", e.Reason, StockSale, StockRestock, StockReturn, StockAdjustment, StockReserved, StockReleased)
	if e.StockAfter < 0 {
		c.fail("stock_after", "must not be negative")
	}
	if err := c.result(); err != nil {
		return err
	}
	fields := []slog.Attr{slog.String("sku", e.SKU), slog.String("warehouse", e.Warehouse),
		slog.Int64("change", e.Change), slog.String("reason", e.Reason), slog.Int64("stock_after", e.StockAfter)}
	fields = appendNonEmpty(fields, "order_id", e.OrderID)
	return b.w.event(ctx, "inventory_change", fields, extra)
}

func appendNonEmpty(dst []slog.Attr, key, value string) []slog.Attr {
	if value == "" {
		return dst
	}
	return append(dst, slog.String(key, value))
}
