package logging

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/o2kit/o2kit"
)

// Business writes typed business events (user actions, orders, payments,
// inventory changes) to the client's business-events stream. Each record
// has an event_type, the event's fields, service, the context's ids and
// any extra attributes. Required fields are checked before anything is
// sent: a missing one is a *[FieldError] returned to the caller, and no
// record is written. Safe for concurrent use.
type Business struct {
	client  *o2kit.Client
	stream  string
	service string
	now     func() time.Time
}

// NewBusiness returns a business-event writer on client. Options used:
// [WithStream] (default the client's Streams().BusinessEvents),
// [WithService] and [WithClock].
func NewBusiness(client *o2kit.Client, opts ...Option) *Business {
	cfg := newConfig(opts)
	b := &Business{client: client, stream: cfg.stream, service: cfg.service, now: cfg.now}
	if b.stream == "" {
		b.stream = client.Streams().BusinessEvents
	}
	return b
}

// FieldError says which field of an event or entry is missing or wrong.
type FieldError struct {
	Event  string `json:"event"`  // event type or entry, such as "order_created" or "entries[3]"
	Field  string `json:"field"`  // the field at fault, as it is stored: "order_id"
	Reason string `json:"reason"` // "is required", "must be a 3-letter ISO 4217 code"...
}

// Error says which event and field, and why: "logging: order_created:
// order_id is required".
func (e *FieldError) Error() string {
	return fmt.Sprintf("logging: %s: %s %s", e.Event, e.Field, e.Reason)
}

// Money is an amount in the currency's minor unit (cents for EUR, yen for
// JPY) and its ISO 4217 code. Money is never a float.
type Money struct {
	Minor    int64
	Currency string
}

// EUR returns minor cents of euro, for brevity in tests and examples.
func EUR(minor int64) Money { return Money{Minor: minor, Currency: "EUR"} }

// check reports what is wrong with m, or "".
func (m Money) check() string {
	if len(m.Currency) != 3 {
		return "must have a 3-letter ISO 4217 currency"
	}
	for i := 0; i < 3; i++ {
		if c := m.Currency[i]; c < 'A' || c > 'Z' {
			return "must have a 3-letter ISO 4217 currency"
		}
	}
	if m.Minor < 0 {
		return "must not be negative"
	}
	return ""
}

func (m Money) attrs(prefix string) []slog.Attr {
	return []slog.Attr{slog.Int64(prefix+"_minor", m.Minor), slog.String("currency", m.Currency)}
}

// emit writes one event after its checks passed.
func (b *Business) emit(ctx context.Context, eventType string, fields, extra []slog.Attr) error {
	attrs := make([]slog.Attr, 0, 4+len(fields)+len(extra)+6)
	attrs = append(attrs, slog.String("event_type", eventType))
	if b.service != "" {
		attrs = append(attrs, slog.String(FieldService, b.service))
	}
	attrs = append(attrs, fields...)
	attrs = appendContextOnce(attrs, ctx)
	attrs = append(attrs, extra...)
	var t time.Time
	if b.now != nil {
		t = b.now()
	}
	return b.client.Emit(ctx, o2kit.Record{Stream: b.stream, Time: t, Attrs: attrs})
}

// checker collects the first problem of an event.
type checker struct {
	event string
	err   *FieldError
}

func (c *checker) require(field, value string) {
	if value == "" {
		c.fail(field, "is required")
	}
}

func (c *checker) fail(field, reason string) {
	if c.err == nil {
		c.err = &FieldError{Event: c.event, Field: field, Reason: reason}
	}
}

func (c *checker) money(field string, m Money) {
	if r := m.check(); r != "" {
		c.fail(field, r)
	}
}

func (c *checker) oneOf(field, value string, allowed ...string) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	c.fail(field, fmt.Sprintf("must be one of %q", allowed))
}

// result returns the problem found, as an error, or nil.
func (c *checker) result() error {
	if c.err == nil {
		return nil
	}
	return c.err
}

// withUser is id, or the user in ctx.
func withUser(ctx context.Context, id string) string {
	if id != "" {
		return id
	}
	return o2kit.UserFromContext(ctx)
}

// appendContextOnce appends the ids in ctx whose keys dst does not have
// yet: an event's own user_id wins over the context's.
func appendContextOnce(dst []slog.Attr, ctx context.Context) []slog.Attr {
	var buf [6]slog.Attr
	for _, a := range o2kit.AppendContextAttrs(buf[:0], ctx) {
		if !slices.ContainsFunc(dst, func(b slog.Attr) bool { return b.Key == a.Key }) {
			dst = append(dst, a)
		}
	}
	return dst
}
