package behavior

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
)

// Product is what is known of a product in an event. Prices are in the
// currency's minor units (cents): 1999 EUR is €19.99.
type Product struct {
	ID         string // required
	SKU        string
	Name       string
	Category   string
	PriceMinor int64  // not negative
	Currency   string // ISO 4217, such as "EUR"; required unless PriceMinor is 0
}

func (p *Product) check(event string) error {
	if err := checkRequired(event, "product_id", p.ID); err != nil {
		return err
	}
	return checkMoney(event, "price_minor", p.PriceMinor, p.Currency)
}

func appendProduct(dst []slog.Attr, p *Product) []slog.Attr {
	dst = append(dst, slog.String("product_id", p.ID))
	dst = appendNonEmpty(dst, "product_sku", p.SKU)
	dst = appendNonEmpty(dst, "product_name", p.Name)
	dst = appendNonEmpty(dst, "product_category", p.Category)
	dst = append(dst, slog.Int64("price_minor", p.PriceMinor))
	return appendNonEmpty(dst, "currency", p.Currency)
}

func appendNonEmpty(dst []slog.Attr, k, v string) []slog.Attr {
	if v == "" {
		return dst
	}
	return append(dst, slog.String(k, v))
}

// ProductView is a product detail page seen.
type ProductView struct {
	Product Product
	Meta
}

// ProductView records a product view.
func (t *Tracker) ProductView(ctx context.Context, e ProductView) error {
	if err := e.Product.check(EventProductView); err != nil {
		return t.reject(err)
	}
	ev, err := t.begin(ctx, EventProductView, e.Meta)
	if ev == nil {
		return err
	}
	ev.attrs = appendProduct(ev.attrs, &e.Product)
	return t.finish(ctx, ev)
}

// CartChange is a product added to or removed from a cart: the payload of
// [Tracker.CartAdd] and [Tracker.CartRemove].
type CartChange struct {
	CartID   string
	Product  Product
	Quantity int // greater than 0
	Meta
}

// CartAdd records products added to a cart. The event carries the line
// value (price × quantity) as value_minor.
func (t *Tracker) CartAdd(ctx context.Context, e CartChange) error {
	return t.cart(ctx, EventCartAdd, &e)
}

// CartRemove records products taken out of a cart.
func (t *Tracker) CartRemove(ctx context.Context, e CartChange) error {
	return t.cart(ctx, EventCartRemove, &e)
}

func (t *Tracker) cart(ctx context.Context, name string, e *CartChange) error {
	if err := e.Product.check(name); err != nil {
		return t.reject(err)
	}
	if err := checkQuantity(name, e.Quantity); err != nil {
		return t.reject(err)
	}
	if e.Product.PriceMinor > 0 && int64(e.Quantity) > math.MaxInt64/e.Product.PriceMinor {
		return t.reject(invalid(name, "quantity", "%d × price_minor %d overflows int64", e.Quantity, e.Product.PriceMinor))
	}
	ev, err := t.begin(ctx, name, e.Meta)
	if ev == nil {
		return err
	}
	ev.attrs = appendNonEmpty(ev.attrs, "cart_id", e.CartID)
	ev.attrs = appendProduct(ev.attrs, &e.Product)
	ev.attrs = append(ev.attrs, slog.Int("quantity", e.Quantity),
		slog.Int64("value_minor", e.Product.PriceMinor*int64(e.Quantity)))
	return t.finish(ctx, ev)
}

// Item is one line of a checkout or an order.
type Item struct {
	ProductID  string `json:"product_id"` // required
	SKU        string `json:"sku,omitempty"`
	Quantity   int    `json:"quantity"`    // greater than 0
	PriceMinor int64  `json:"price_minor"` // unit price, not negative
}

func checkItems(event string, items []Item) error {
	total := 0
	for i := range items {
		if items[i].ProductID == "" {
			return invalid(event, "items", "[%d]: product_id is required", i)
		}
		if items[i].Quantity <= 0 {
			return invalid(event, "items", "[%d]: quantity must be greater than 0, got %d", i, items[i].Quantity)
		}
		if items[i].PriceMinor < 0 {
			return invalid(event, "items", "[%d]: price_minor must not be negative, got %d", i, items[i].PriceMinor)
		}
		if total > math.MaxInt-items[i].Quantity {
			return invalid(event, "items", "[%d]: the item count overflows int", i)
		}
		total += items[i].Quantity
	}
	return nil
}

// appendItems adds item_count and items, the lines as a JSON array in a
// string (OpenObserve stores every array as a string).
func appendItems(dst []slog.Attr, items []Item) []slog.Attr {
	if len(items) == 0 {
		return dst
	}
	n := 0
	for _, it := range items {
		n += it.Quantity
	}
	b, _ := json.Marshal(items) // cannot fail: strings and integers
	return append(dst, slog.Int("item_count", n), slog.String("items", string(b)))
}

// CheckoutStarted is a visitor entering the checkout.
type CheckoutStarted struct {
	CartID     string
	ValueMinor int64  // the cart's value, not negative
	Currency   string // ISO 4217; required unless ValueMinor is 0
	Items      []Item
	Meta
}

// CheckoutStarted records the start of a checkout.
func (t *Tracker) CheckoutStarted(ctx context.Context, e CheckoutStarted) error {
	if err := checkMoney(EventCheckoutStarted, "value_minor", e.ValueMinor, e.Currency); err != nil {
		return t.reject(err)
	}
	if err := checkItems(EventCheckoutStarted, e.Items); err != nil {
		return t.reject(err)
	}
	ev, err := t.begin(ctx, EventCheckoutStarted, e.Meta)
	if ev == nil {
		return err
	}
	ev.attrs = appendNonEmpty(ev.attrs, "cart_id", e.CartID)
	ev.attrs = append(ev.attrs, slog.Int64("value_minor", e.ValueMinor))
	ev.attrs = appendNonEmpty(ev.attrs, "currency", e.Currency)
	ev.attrs = appendItems(ev.attrs, e.Items)
	return t.finish(ctx, ev)
}

// Purchase is a completed order.
type Purchase struct {
	OrderID      string // required
	CartID       string
	RevenueMinor int64  // not negative
	Currency     string // ISO 4217; required unless RevenueMinor is 0
	Items        []Item
	Meta
}

// Purchase records a completed order.
func (t *Tracker) Purchase(ctx context.Context, e Purchase) error {
	if err := checkRequired(EventPurchase, "order_id", e.OrderID); err != nil {
		return t.reject(err)
	}
	if err := checkMoney(EventPurchase, "revenue_minor", e.RevenueMinor, e.Currency); err != nil {
		return t.reject(err)
	}
	if err := checkItems(EventPurchase, e.Items); err != nil {
		return t.reject(err)
	}
	ev, err := t.begin(ctx, EventPurchase, e.Meta)
	if ev == nil {
		return err
	}
	ev.attrs = append(ev.attrs, slog.String("order_id", e.OrderID))
	ev.attrs = appendNonEmpty(ev.attrs, "cart_id", e.CartID)
	ev.attrs = append(ev.attrs, slog.Int64("revenue_minor", e.RevenueMinor))
	ev.attrs = appendNonEmpty(ev.attrs, "currency", e.Currency)
	ev.attrs = appendItems(ev.attrs, e.Items)
	return t.finish(ctx, ev)
}
