package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/behavior"
	"github.com/o2kit/o2kit/logging"
	"github.com/o2kit/o2kit/tracing"
)

// declinedCard is the test card the payment provider always declines.
const declinedCard = "4000000000000002"

var (
	errWarehouse = errors.New("warehouse " + offlineWarehouse + " is not answering")
	errDeclined  = errors.New("card declined")
)

// checkoutRequest is the body of POST /checkout.
type checkoutRequest struct {
	Email string `json:"email"`
	Card  string `json:"card"`
}

// order is a cart being checked out.
type order struct {
	ID, CartID, Email string
	Lines             []line
	Total             int64
	Items             int
}

// checkout turns the session's cart into an order: stock is reserved,
// the card charged, and the steps recorded as business events, behaviour
// events, span events, metrics and log lines.
func (s *shop) checkout(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ctx := r.Context()
	var req checkoutRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want {email, card}"})
		return
	}
	o, ok := s.takeCart(ctx, req.Email)
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the cart is empty"})
		return
	}
	s.record(ctx, behaviorCheckout(ctx, s.obs.tracker, o))
	s.record(ctx, s.obs.biz.Order(ctx, logging.OrderEvent{Type: logging.OrderCreated, OrderID: o.ID, Amount: logging.EUR(o.Total), Items: o.Items}))

	err := s.reserve(ctx, o)
	if err == nil {
		err = s.pay(ctx, o, req.Card)
	}
	switch {
	case errors.Is(err, errWarehouse):
		tracing.RecordError(ctx, err)
		s.obs.logger.ErrorContext(ctx, "stock reservation failed", "order_id", o.ID, "error", err)
		s.cancel(ctx, o, "stock unavailable", start)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "try again later"})
	case errors.Is(err, errDeclined):
		s.obs.logger.WarnContext(ctx, "payment declined", "order_id", o.ID)
		s.cancel(ctx, o, "payment declined", start)
		writeJSON(w, http.StatusPaymentRequired, map[string]string{"error": "card declined", "order_id": o.ID})
	default:
		s.complete(ctx, o, start)
		writeJSON(w, http.StatusOK, map[string]string{"order_id": o.ID})
	}
}

// takeCart empties the session's cart into a new order.
func (s *shop) takeCart(ctx context.Context, email string) (order, bool) {
	session := o2kit.SessionFromContext(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	lines := s.carts[session]
	if len(lines) == 0 {
		return order{}, false
	}
	delete(s.carts, session)
	s.orders++
	o := order{ID: fmt.Sprintf("ord-%04d", s.orders), CartID: "cart-" + session, Email: email, Lines: lines}
	for _, l := range lines {
		o.Total += l.Product.PriceMinor * int64(l.Quantity)
		o.Items += l.Quantity
	}
	return o, true
}

// reserve takes the order's stock from its warehouses.
func (s *shop) reserve(ctx context.Context, o order) error {
	for _, l := range o.Lines {
		if l.Product.Warehouse == offlineWarehouse {
			return errWarehouse
		}
		s.record(ctx, tracing.StockReserved(ctx, l.Product.ID, int64(l.Quantity), l.Product.Warehouse, o.ID))
	}
	return nil
}

// pay charges the card, in a span of its own.
func (s *shop) pay(ctx context.Context, o order, card string) error {
	ctx, span := tracing.Start(ctx, s.obs.tp.Tracer("shop"), "authorise payment")
	defer span.End()
	ev := logging.PaymentEvent{OrderID: o.ID, Method: "card", Provider: "stripe", Amount: logging.EUR(o.Total),
		Status: logging.PaymentAuthorized, Latency: 120 * time.Millisecond}
	var err error
	if card == declinedCard {
		ev.Status, ev.FailureReason, err = logging.PaymentFailed, "card_declined", errDeclined
		tracing.RecordError(ctx, err, attribute.String("order.id", o.ID))
	} else {
		s.record(ctx, tracing.PaymentAuthorised(ctx, o.ID, "card", "stripe", tracing.Money{Minor: o.Total, Currency: "EUR"}))
	}
	s.record(ctx, s.obs.biz.Payment(ctx, ev))
	s.obs.shop.Payment("stripe", err == nil)
	return err
}

// complete records a paid order everywhere it counts.
func (s *shop) complete(ctx context.Context, o order, start time.Time) {
	s.record(ctx, tracing.OrderPlaced(ctx, o.ID, tracing.Money{Minor: o.Total, Currency: "EUR"}, o.Items))
	s.record(ctx, s.obs.biz.Order(ctx, logging.OrderEvent{Type: logging.OrderPaid, OrderID: o.ID, Amount: logging.EUR(o.Total), Items: o.Items}))
	for _, l := range o.Lines {
		s.record(ctx, s.obs.biz.Inventory(ctx, logging.InventoryEvent{SKU: l.Product.ID, Warehouse: l.Product.Warehouse,
			Change: -int64(l.Quantity), Reason: logging.StockSale, StockAfter: 100, OrderID: o.ID}))
		s.obs.shop.Sold(l.Product.Category, float64(l.Quantity))
	}
	s.record(ctx, s.obs.tracker.Purchase(ctx, behavior.Purchase{OrderID: o.ID, CartID: o.CartID,
		RevenueMinor: o.Total, Currency: "EUR", Items: items(o)}))
	s.obs.shop.Convert()
	s.obs.shop.OrderProcessed("paid", time.Since(start))
	// The address is masked by pipeline.MaskPII before the record is encoded.
	s.obs.logger.InfoContext(ctx, "order confirmation sent to "+o.Email, "order_id", o.ID, "amount_minor", o.Total)
}

// cancel records an order that could not be completed.
func (s *shop) cancel(ctx context.Context, o order, reason string, start time.Time) {
	s.record(ctx, s.obs.biz.Order(ctx, logging.OrderEvent{Type: logging.OrderCancelled, OrderID: o.ID, Reason: reason}))
	s.obs.shop.OrderProcessed("cancelled", time.Since(start))
}

// record logs an event the packages refused; the events built here are
// valid, so this only speaks up on a programming error or after shutdown.
func (s *shop) record(ctx context.Context, err error) {
	if err != nil {
		s.obs.logger.ErrorContext(ctx, "event not recorded", "error", err)
	}
}

func behaviorCheckout(ctx context.Context, t *behavior.Tracker, o order) error {
	return t.CheckoutStarted(ctx, behavior.CheckoutStarted{CartID: o.CartID, ValueMinor: o.Total, Currency: "EUR", Items: items(o)})
}

func items(o order) []behavior.Item {
	out := make([]behavior.Item, len(o.Lines))
	for i, l := range o.Lines {
		out[i] = behavior.Item{ProductID: l.Product.ID, Quantity: l.Quantity, PriceMinor: l.Product.PriceMinor}
	}
	return out
}
