package behavior

import (
	"context"
	"log/slog"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/norm"
)

// The names typed events are recorded under, in the event field.
const (
	EventIdentify        = "identify"
	EventPageView        = "page_view"
	EventProductView     = "product_view"
	EventSearch          = "search"
	EventCartAdd         = "cart_add"
	EventCartRemove      = "cart_remove"
	EventCheckoutStarted = "checkout_started"
	EventPurchase        = "purchase"
)

// Meta holds what every event may set: its id and its time. Both are
// usually left zero.
type Meta struct {
	// EventID is the idempotency key: the same event sent twice (say, a
	// browser beacon retried) should carry the same id, so the copies can
	// be told apart from two events. Empty means a new UUIDv7; a given
	// id must be a UUID in its 36-character form (see [Tracker.NewEventID]).
	EventID string
	// Time is when the event happened. Zero means the tracker's clock now.
	Time time.Time
}

// Identify links the visitor's anonymous id (from the [Visitor] in the
// context) to a user id, typically at login or sign-up.
type Identify struct {
	UserID string      // required
	Traits []slog.Attr // such as plan or country; recorded as traits_<key>
	Meta
}

// Identify records that the visitor in ctx is e.UserID. The event carries
// e.UserID whatever user the context names.
func (t *Tracker) Identify(ctx context.Context, e Identify) error {
	if err := checkRequired(EventIdentify, "user_id", e.UserID); err != nil {
		return t.reject(err)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx = o2kit.ContextWithUser(ctx, e.UserID)
	ev, err := t.begin(ctx, EventIdentify, e.Meta)
	if ev == nil {
		return err
	}
	if len(e.Traits) > 0 {
		ev.attrs = append(ev.attrs, slog.Attr{Key: "traits", Value: slog.GroupValue(e.Traits...)})
	}
	return t.finish(ctx, ev)
}

// Event is a generic event: a name of the caller's choosing and
// properties. See [Tracker.Track].
type Event struct {
	Name  string
	Props []slog.Attr
	Meta
}

// Track records a generic event with the given properties. The
// properties become top-level fields beside the standard ones, groups
// flattened with "_" as the client does; a property whose key is, or
// flattens to, a standard field (event, event_id, user_id, ...) is
// rejected, as is an empty name and, unless [WithEmails] allows them, a
// name holding an e-mail address. The props slice is not kept.
func (t *Tracker) Track(ctx context.Context, name string, props ...slog.Attr) error {
	return t.TrackEvent(ctx, Event{Name: name, Props: props})
}

// TrackEvent is [Tracker.Track] with an event id or time of the caller's.
func (t *Tracker) TrackEvent(ctx context.Context, e Event) error {
	if err := checkName(e.Name); err != nil {
		return t.reject(err)
	}
	if t.scrub.emails && RedactEmails(e.Name) != e.Name {
		return t.reject(&EventError{Reason: "holds an e-mail address"})
	}
	if k := reservedProp("", e.Props, 0); k != "" {
		return t.reject(invalid(e.Name, "property", "%q is a reserved field name", k))
	}
	ev, err := t.begin(ctx, e.Name, e.Meta)
	if ev == nil {
		return err
	}
	ev.attrs = append(ev.attrs, e.Props...)
	return t.finish(ctx, ev)
}

// reservedProp returns the first key in props, flattened under prefix as
// the client flattens groups, that names a field the tracker sets; "" when
// there is none. Only groups cost an allocation, for their prefix.
func reservedProp(prefix string, props []slog.Attr, depth int) string {
	if depth >= maxScrubDepth {
		return ""
	}
	for _, p := range props {
		k := p.Key
		if prefix != "" && k != "" {
			k = prefix + "_" + k
		} else if prefix != "" {
			k = prefix
		}
		if p.Value.Kind() == slog.KindGroup {
			if r := reservedProp(k, p.Value.Group(), depth+1); r != "" {
				return r
			}
			continue
		}
		if reserved(k) {
			return k
		}
	}
	return ""
}

// reserved reports whether k names a field the tracker sets itself.
func reserved(k string) bool {
	if !norm.IsKey(k) {
		k = norm.Key(k)
	}
	switch k {
	case FieldEvent, FieldEventID, FieldAnonymousID, FieldUserAgent, FieldLocale, FieldIP, FieldBot,
		o2kit.FieldUserID, o2kit.FieldSessionID, o2kit.FieldRequestID, o2kit.FieldTenantID,
		o2kit.FieldTraceID, o2kit.FieldSpanID, "_timestamp", "o2kit_id":
		return true
	}
	return false
}
