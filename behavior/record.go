package behavior

import (
	"cmp"
	"context"
	"log/slog"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/wire"
)

// Field names of the user-behavior stream, as the server stores them.
const (
	FieldEvent       = "event"        // the event name, such as "page_view"
	FieldEventID     = "event_id"     // UUIDv7, the event's idempotency key
	FieldAnonymousID = "anonymous_id" // the visitor's anonymous id
	FieldUserAgent   = "user_agent"
	FieldLocale      = "locale"
	FieldIP          = "ip" // anonymised unless WithIPMode(IPRaw)
	FieldBot         = "bot"
)

// begin starts an event. It returns nil and no error when the event must
// not be recorded (opted out, Do-Not-Track, no consent, a skipped bot), and
// nil and an error for a malformed event id.
func (t *Tracker) begin(ctx context.Context, name string, m Meta) (*event, error) {
	if m.EventID != "" && !isUUID(m.EventID) {
		return nil, t.reject(invalid(name, "event_id", "%q is not a UUID", m.EventID))
	}
	v := visitorOf(ctx)
	if !t.allowed(ctx, v) {
		t.optedOut.Add(1)
		return nil, nil
	}
	bot := v != nil && v.Bot && t.cfg.bots != BotAllow
	if bot && t.cfg.bots == BotSkip {
		t.bots.Add(1)
		return nil, nil
	}
	now := t.cfg.now()
	at, id := m.Time, m.EventID
	if at.IsZero() {
		at = now
	}
	e := t.bufs.Get().(*event)
	e.name, e.at, e.now, e.bot = name, at, now, bot
	if id == "" {
		id = string(t.ids.Append(e.id[:0], at))
	}
	e.attrs = append(e.attrs[:0], slog.String(FieldEvent, name), slog.String(FieldEventID, id))
	e.attrs = o2kit.AppendContextAttrs(e.attrs, ctx)
	user, session := o2kit.UserFromContext(ctx), o2kit.SessionFromContext(ctx)
	e.session, e.actor = cmp.Or(session, anonOf(v), user), cmp.Or(user, anonOf(v), session)
	if v != nil {
		e.attrs = t.appendVisitor(e.attrs, v, bot)
	}
	return e, nil
}

// NewEventID returns a new event id (a UUIDv7 string) to give as
// [Meta].EventID, for a caller that keeps it to send the event again.
func (t *Tracker) NewEventID() string {
	var b [wire.IDLen]byte
	return string(t.ids.Append(b[:0], t.cfg.now()))
}

// isUUID reports whether s is a UUID in its 8-4-4-4-12 hex form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !(c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f') {
			return false
		}
	}
	return true
}

// allowed applies the opt-outs: the request's, Do-Not-Track, consent.
func (t *Tracker) allowed(ctx context.Context, v *Visitor) bool {
	switch {
	case optedOut(ctx):
		return false
	case t.cfg.doNotTrack && v != nil && v.DoNotTrack:
		return false
	case t.cfg.consent != nil:
		return t.cfg.consent.Allowed(ctx, o2kit.UserFromContext(ctx), anonOf(v))
	}
	return true
}

func (t *Tracker) appendVisitor(dst []slog.Attr, v *Visitor, bot bool) []slog.Attr {
	if v.AnonymousID != "" {
		dst = append(dst, slog.String(FieldAnonymousID, v.AnonymousID))
	}
	if v.UserAgent != "" {
		dst = append(dst, slog.String(FieldUserAgent, v.UserAgent))
	}
	if v.Locale != "" {
		dst = append(dst, slog.String(FieldLocale, v.Locale))
	}
	if ip := v.IP; ip.IsValid() && t.cfg.ipMode != IPNone {
		if t.cfg.ipMode == IPAnonymized {
			ip = AnonymizeIP(ip)
		}
		dst = append(dst, slog.String(FieldIP, ip.String()))
	}
	if bot {
		dst = append(dst, slog.Bool(FieldBot, true))
	}
	return dst
}

// finish scrubs, ships and counts an event begun by begin.
func (t *Tracker) finish(ctx context.Context, e *event) error {
	if !t.scrub.off() {
		t.scrub.attrs(e.attrs[2:]) // the name and id were checked or made here
	}
	err := t.client.Emit(ctx, o2kit.Record{Stream: t.stream, Time: e.at, Attrs: e.attrs})
	if err != nil {
		t.failed.Add(1)
	} else {
		t.recorded.Add(1)
	}
	if !e.bot {
		t.observe(e)
	}
	clear(e.attrs) // keep no strings alive in the pool
	e.attrs = e.attrs[:0]
	e.name, e.session, e.actor = "", "", ""
	if cap(e.attrs) <= 256 {
		t.bufs.Put(e)
	}
	return err
}

func anonOf(v *Visitor) string {
	if v == nil {
		return ""
	}
	return v.AnonymousID
}
