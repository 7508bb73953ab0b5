package logging

import (
	"context"
	"log/slog"
	"net/netip"

	"github.com/o2kit/o2kit"
)

// Audit writes who did what to which resource, with which outcome and from
// where, to the client's audit stream. Attributes whose key names a secret
// are redacted (see [Redact]). Safe for concurrent use.
//
// Retention: OpenObserve keeps the audit stream 365 days once
// client.Provision(ctx) has run; call it once at start. That is o2kit's
// default retention for Streams().Audit (o2kit.WithStreams renames the
// stream, o2kit.WithRetention changes the days). An audit stream chosen
// with [WithStream] gets 365 days only with
// o2kit.WithRetention(name, 365) on the client.
type Audit struct{ w writer }

// NewAudit returns an audit writer on client. Options used: [WithStream]
// (default the client's Streams().Audit), [WithService] and [WithClock].
// With a nil client Log returns [ErrNoClient].
func NewAudit(client *o2kit.Client, opts ...Option) *Audit {
	return &Audit{w: newWriter(client, opts, func(s o2kit.Streams) string { return s.Audit })}
}

// Audit outcomes.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
	OutcomeDenied  = "denied"
)

// AuditEvent is one audited action.
type AuditEvent struct {
	Actor    string      // who: a user or service id; required, defaults to the user in the context
	Action   string      // what: "order.refund", "user.role.grant"; required
	Resource string      // on what: "order/ord-1"; required
	Outcome  string      // OutcomeSuccess, OutcomeFailure or OutcomeDenied; required
	IP       string      // from where; checked when set
	Reason   string      // why, such as the denial's cause
	Attrs    []slog.Attr // more detail; secrets are redacted; may not override the fields above
}

// Log writes e with event_type "audit", or returns a *[FieldError]
// without writing anything.
func (a *Audit) Log(ctx context.Context, e AuditEvent) error {
	c := checker{event: "audit"}
	actor := withUser(ctx, e.Actor)
	c.require("actor", actor)
	c.require("action", e.Action)
	c.require("resource", e.Resource)
	c.oneOf("outcome", e.Outcome, OutcomeSuccess, OutcomeFailure, OutcomeDenied)
	if e.IP != "" {
		if _, err := netip.ParseAddr(e.IP); err != nil {
			c.fail("ip", "must be an IP address")
		}
	}
	if err := c.result(); err != nil {
		return err
	}
	fields := []slog.Attr{slog.String("actor", actor), slog.String("action", e.Action),
		slog.String("resource", e.Resource), slog.String("outcome", e.Outcome)}
	fields = appendNonEmpty(fields, "ip", e.IP)
	fields = appendNonEmpty(fields, "reason", e.Reason)
	return a.w.event(ctx, "audit", fields, Redact(e.Attrs))
}
