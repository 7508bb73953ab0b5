package logging

import (
	"context"
	"errors"
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
// record is written; so is an extra attribute stored under the name of one
// the event sets. Safe for concurrent use.
type Business struct{ w writer }

// NewBusiness returns a business-event writer on client. Options used:
// [WithStream] (default the client's Streams().BusinessEvents),
// [WithService] and [WithClock]. With a nil client every method returns
// [ErrNoClient].
func NewBusiness(client *o2kit.Client, opts ...Option) *Business {
	return &Business{w: newWriter(client, opts, func(s o2kit.Streams) string { return s.BusinessEvents })}
}

// ErrNoClient is returned by the writers, Search and Stats when they were
// given a nil *o2kit.Client.
var ErrNoClient = errors.New("logging: no o2kit client")

// writer is what Business and Audit share: the stream their events go
// to and what every event carries.
type writer struct {
	client  *o2kit.Client
	stream  string
	service string
	now     func() time.Time
}

func newWriter(client *o2kit.Client, opts []Option, stream func(o2kit.Streams) string) writer {
	cfg := newConfig(opts)
	w := writer{client: client, stream: cfg.stream, service: cfg.service, now: cfg.now}
	if w.stream == "" && client != nil {
		w.stream = stream(client.Streams())
	}
	return w
}

// event writes one event after its checks passed: event_type, service,
// the event's fields, the context's ids an event field does not already
// name, then extra, which may not store a field under any of those names
// (OpenObserve keeps the last of two, so an extra outcome would forge an
// audit record's).
func (w writer) event(ctx context.Context, eventType string, fields, extra []slog.Attr) error {
	if w.client == nil {
		return ErrNoClient
	}
	attrs := make([]slog.Attr, 0, 2+len(fields)+6+len(extra))
	attrs = append(attrs, slog.String("event_type", eventType))
	if w.service != "" {
		attrs = append(attrs, slog.String(FieldService, w.service))
	}
	attrs = append(attrs, fields...)
	attrs = appendContextOnce(attrs, ctx)
	if name := clash(attrs, extra, "", 0); name != "" {
		return &FieldError{Event: eventType, Field: name, Reason: "is set by the event; an extra attribute may not override it"}
	}
	attrs = append(attrs, extra...)
	var t time.Time
	if w.now != nil {
		t = w.now()
	}
	return w.client.Emit(ctx, o2kit.Record{Stream: w.stream, Time: t, Attrs: attrs})
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

// clash returns the stored name of the first of extra, flattened under
// prefix, that one of fixed already has, or "".
func clash(fixed, extra []slog.Attr, prefix string, depth int) string {
	for _, a := range extra {
		name := joinKey(prefix, o2kit.FieldName(a.Key))
		v := a.Value.Resolve()
		if v.Kind() == slog.KindGroup && depth < maxDepth {
			if c := clash(fixed, v.Group(), name, depth+1); c != "" {
				return c
			}
			continue
		}
		if name != "" && slices.ContainsFunc(fixed, func(f slog.Attr) bool { return f.Key == name }) {
			return name
		}
	}
	return ""
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
