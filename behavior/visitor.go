package behavior

import (
	"context"
	"net/netip"
)

// Visitor is what is known of the client behind a request: it fills the
// request context of every event recorded with a context carrying it.
// [Sessions] puts one in each request's context; code outside HTTP can set
// its own with [ContextWithVisitor].
type Visitor struct {
	AnonymousID string     // stable id of the browser or device, before and after login
	UserAgent   string     // the User-Agent header
	Locale      string     // the first language of Accept-Language, such as "de-DE"
	IP          netip.Addr // the client address, as [Sessions] found it; never sent raw by default
	Bot         bool       // the user agent looks like a bot's
	DoNotTrack  bool       // the client sent "DNT: 1" or "Sec-GPC: 1"
}

type ctxKey uint8

const (
	visitorKey ctxKey = iota
	optOutKey
)

// ContextWithVisitor returns a context that carries v.
func ContextWithVisitor(ctx context.Context, v Visitor) context.Context {
	return context.WithValue(ctx, visitorKey, &v)
}

// VisitorFromContext returns the visitor in ctx, if any.
func VisitorFromContext(ctx context.Context) (Visitor, bool) {
	if v := visitorOf(ctx); v != nil {
		return *v, true
	}
	return Visitor{}, false
}

func visitorOf(ctx context.Context) *Visitor {
	if ctx == nil {
		return nil
	}
	v, _ := ctx.Value(visitorKey).(*Visitor)
	return v
}

// WithoutTracking returns a context in which no event is recorded: the
// request-level opt-out, for a visitor who declined tracking.
func WithoutTracking(ctx context.Context) context.Context {
	return context.WithValue(ctx, optOutKey, true)
}

func optedOut(ctx context.Context) bool {
	if ctx == nil {
		return false
	}
	b, _ := ctx.Value(optOutKey).(bool)
	return b
}

// AnonymizeIP zeroes the host part of an address: the last octet of an
// IPv4 address (192.0.2.77 → 192.0.2.0) and all but the first 48 bits of
// an IPv6 address (2001:db8:1:2::5 → 2001:db8:1::). An IPv4-mapped IPv6
// address is treated as IPv4. The zero Addr stays zero.
func AnonymizeIP(ip netip.Addr) netip.Addr {
	ip = ip.Unmap()
	switch {
	case ip.Is4():
		p, _ := ip.Prefix(24)
		return p.Addr()
	case ip.Is6():
		p, _ := ip.WithZone("").Prefix(48)
		return p.Addr()
	}
	return ip
}
