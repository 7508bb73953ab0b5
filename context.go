package o2kit

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

// The context helpers carry who and what a record is about, so every module
// stamps records the same way. Trace and span ids come from the
// OpenTelemetry span in the context.

type ctxKey uint8

const (
	userKey ctxKey = iota
	sessionKey
	requestKey
	tenantKey
)

// Field names the context values are written under.
const (
	FieldUserID    = "user_id"
	FieldSessionID = "session_id"
	FieldRequestID = "request_id"
	FieldTenantID  = "tenant_id"
	FieldTraceID   = "trace_id"
	FieldSpanID    = "span_id"
)

// ContextWithUser returns a context that carries the user id.
func ContextWithUser(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, userKey, id)
}

// ContextWithSession returns a context that carries the session id.
func ContextWithSession(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, sessionKey, id)
}

// ContextWithRequest returns a context that carries the request id.
func ContextWithRequest(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestKey, id)
}

// ContextWithTenant returns a context that carries the tenant id.
func ContextWithTenant(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, tenantKey, id)
}

// UserFromContext returns the user id in ctx, or "".
func UserFromContext(ctx context.Context) string { return str(ctx, userKey) }

// SessionFromContext returns the session id in ctx, or "".
func SessionFromContext(ctx context.Context) string { return str(ctx, sessionKey) }

// RequestFromContext returns the request id in ctx, or "".
func RequestFromContext(ctx context.Context) string { return str(ctx, requestKey) }

// TenantFromContext returns the tenant id in ctx, or "".
func TenantFromContext(ctx context.Context) string { return str(ctx, tenantKey) }

func str(ctx context.Context, k ctxKey) string {
	if ctx == nil {
		return ""
	}
	s, _ := ctx.Value(k).(string)
	return s
}

// AppendContextAttrs appends the ids in ctx that are set: user_id,
// session_id, request_id, tenant_id, and trace_id and span_id of a valid
// OpenTelemetry span context.
func AppendContextAttrs(dst []slog.Attr, ctx context.Context) []slog.Attr {
	if ctx == nil {
		return dst
	}
	for _, f := range [...]struct {
		key string
		k   ctxKey
	}{{FieldUserID, userKey}, {FieldSessionID, sessionKey}, {FieldRequestID, requestKey}, {FieldTenantID, tenantKey}} {
		if v := str(ctx, f.k); v != "" {
			dst = append(dst, slog.String(f.key, v))
		}
	}
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		dst = append(dst, slog.String(FieldTraceID, sc.TraceID().String()), slog.String(FieldSpanID, sc.SpanID().String()))
	}
	return dst
}
