package logging

import (
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/o2kit/o2kit"
)

// Audit writes who did what to which resource, with which outcome and from
// where, to the client's audit stream. OpenObserve keeps that stream 365
// days once client.Provision(ctx) has run (o2kit's default retention for
// Streams().Audit; o2kit.WithRetention changes it). Attributes whose key
// names a secret are redacted (see [Redact]). Safe for concurrent use.
type Audit struct {
	client  *o2kit.Client
	stream  string
	service string
	now     func() time.Time
}

// NewAudit returns an audit writer on client. Options used: [WithStream]
// (default the client's Streams().Audit), [WithService] and [WithClock].
func NewAudit(client *o2kit.Client, opts ...Option) *Audit {
	cfg := newConfig(opts)
	a := &Audit{client: client, stream: cfg.stream, service: cfg.service, now: cfg.now}
	if a.stream == "" {
		a.stream = client.Streams().Audit
	}
	return a
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
	Attrs    []slog.Attr // more detail; secrets are redacted
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
	attrs := []slog.Attr{slog.String("event_type", "audit")}
	if a.service != "" {
		attrs = append(attrs, slog.String(FieldService, a.service))
	}
	attrs = append(attrs, slog.String("actor", actor), slog.String("action", e.Action),
		slog.String("resource", e.Resource), slog.String("outcome", e.Outcome))
	attrs = appendNonEmpty(attrs, "ip", e.IP)
	attrs = appendNonEmpty(attrs, "reason", e.Reason)
	attrs = appendContextOnce(attrs, ctx)
	attrs = append(attrs, Redact(e.Attrs)...)
	var t time.Time
	if a.now != nil {
		t = a.now()
	}
	return a.client.Emit(ctx, o2kit.Record{Stream: a.stream, Time: t, Attrs: attrs})
}

// Redacted replaces the value of an attribute that holds a secret.
const Redacted = "[REDACTED]"

// secretWords are the parts of a normalised key that mark it as a secret.
var secretWords = []string{
	"password", "passwd", "passphrase", "secret", "token", "apikey", "api_key", "access_key",
	"private_key", "authorization", "cookie", "credential", "cvv", "cvc", "card_number", "pan",
	"pin", "pwd", "otp", "session_key", "signature",
}

// Redact returns attrs with the value of every attribute whose key names a
// secret replaced by [Redacted]: keys containing password, secret, token,
// api_key, authorization, cookie, credential, private_key, card_number and
// the like, compared after normalisation, inside groups too. LogValuers
// are resolved first. attrs is not modified.
func Redact(attrs []slog.Attr) []slog.Attr {
	out := make([]slog.Attr, 0, len(attrs))
	for _, a := range attrs {
		v := a.Value.Resolve()
		switch {
		case isSecret(a.Key):
			out = append(out, slog.String(a.Key, Redacted))
		case v.Kind() == slog.KindGroup:
			out = append(out, slog.Attr{Key: a.Key, Value: slog.GroupValue(Redact(v.Group())...)})
		default:
			out = append(out, slog.Attr{Key: a.Key, Value: v})
		}
	}
	return out
}

// isSecret reports whether key names a secret: one of secretWords is a
// whole '_'-separated part of it, or a run of parts ("db_password",
// "x_api_key", "authorization").
func isSecret(key string) bool {
	k := "_" + o2kit.FieldName(key) + "_"
	for _, w := range secretWords {
		if strings.Contains(k, "_"+w+"_") {
			return true
		}
	}
	return strings.Contains(k, "password") || strings.Contains(k, "secret") || strings.Contains(k, "token")
}
