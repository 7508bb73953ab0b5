package logging

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type keys struct{ PrivateKey, Fingerprint string }

type user struct {
	Name     string
	Password string `json:"password"`
	Age      int
	Keys     keys
}

func TestRedact(t *testing.T) {
	secrets := []string{
		"password", "DB-Password", "passwd", "user_pwd", "x_api_key", "X-Api-Key", "apiKey", "Authorization",
		"refresh_token", "accessToken", "cookie", "Set-Cookie", "SetCookie", "client_secret", "private_key",
		"privateKey", "card_number", "cardNumber", "cvv", "card_pin", "otp", "credentials", "bearer",
	}
	var in []slog.Attr
	for _, k := range secrets {
		in = append(in, slog.String(k, "s3cr3t"))
	}
	in = append(in,
		slog.Group("db", slog.String("secret", "s"), slog.String("host", "h")),
		slog.Group("api", slog.String("key", "k"), slog.String("name", "n")),
		slog.Group("card", slog.String("number", "4111"), slog.String("brand", "visa")),
		slog.Group("outer", slog.Group("inner", slog.Group("", slog.String("token", "t")))),
		slog.Group("auth", slog.String("password", "p")),
		slog.Any("headers", http.Header{"Authorization": {"Basic eA=="}, "Accept": {"*/*"}}),
		slog.Any("form", map[string]any{"user": "u", "nested": map[string]string{"passwd": "p"}}),
		slog.Any("user", &user{Name: "ann", Password: "pw", Age: 41, Keys: keys{PrivateKey: "-----BEGIN", Fingerprint: "ab:cd"}}),
		slog.Time("at", time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)), slog.Any("err", errors.New("boom")),
		slog.String("shipping", "ok"), slog.String("pinned", "ok"), slog.String("keyboard", "ok"),
		slog.String("spanner", "ok"), slog.Int("cookies_accepted_count", 1),
	)
	out := Redact(in)
	m := attrMap(out)
	for _, k := range secrets {
		assert.Equal(t, Redacted, m[k], k)
	}
	assert.Equal(t, map[string]any{"secret": Redacted, "host": "h"}, m["db"])
	assert.Equal(t, map[string]any{"key": Redacted, "name": "n"}, m["api"], "api + key is api_key")
	assert.Equal(t, map[string]any{"number": Redacted, "brand": "visa"}, m["card"])
	assert.Equal(t, map[string]any{"inner": map[string]any{"token": Redacted}}, m["outer"])
	assert.Equal(t, map[string]any{"password": Redacted}, m["auth"])
	assert.Equal(t, map[string]any{"Accept": []any{"*/*"}, "Authorization": Redacted}, m["headers"])
	assert.Equal(t, map[string]any{"Name": "ann", "password": Redacted, "Age": json.Number("41"),
		"Keys": map[string]any{"PrivateKey": Redacted, "Fingerprint": "ab:cd"}}, m["user"])
	assert.Equal(t, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), m["at"], "a time stays a time")
	assert.Equal(t, "boom", m["err"].(error).Error(), "an error stays an error")
	assert.Equal(t, map[string]any{"user": "u", "nested": map[string]any{"passwd": Redacted}}, m["form"])
	for _, k := range []string{"shipping", "pinned", "keyboard", "spanner"} {
		assert.Equal(t, "ok", m[k], k)
	}
	assert.Equal(t, Redacted, m["cookies_accepted_count"], "over-redacting beats leaking")
	assert.Equal(t, "s3cr3t", in[0].Value.String(), "the input is not modified")
}

type deep struct{ depth int }

func (d deep) LogValue() slog.Value {
	if d.depth == 0 {
		return slog.StringValue("bottom")
	}
	return slog.GroupValue(slog.Any("g", deep{d.depth - 1}))
}

// A group nested past what can be judged is redacted whole, and a
// LogValuer is resolved before its key is judged.
func TestRedactDeepAndValuers(t *testing.T) {
	out := Redact([]slog.Attr{slog.Any("x", deep{100})})
	require.Len(t, out, 1)
	v := out[0].Value
	for v.Kind() == slog.KindGroup {
		v = v.Group()[0].Value
	}
	assert.Equal(t, Redacted, v.String())
	assert.Empty(t, Redact(nil))
}

// What reaches the audit stream has its secrets redacted, nested ones
// flattened as OpenObserve stores them.
func TestAuditRedactsOnTheWire(t *testing.T) {
	d := newDev(t)
	a := NewAudit(d.client, WithClock(pinned))
	require.NoError(t, a.Log(context.Background(), AuditEvent{Actor: "admin-3", Action: "user.password.reset",
		Resource: "user/u-1", Outcome: OutcomeSuccess, IP: "2001:db8::1", Attrs: []slog.Attr{
			slog.Group("request", slog.Any("headers", http.Header{"Cookie": {"sid=abc"}}), slog.String("path", "/reset")),
			slog.Group("new", slog.String("password", "hunter2")),
		}}))
	recs := d.records(t, "audit")
	require.Len(t, recs, 1)
	r := recs[0]
	assert.Equal(t, Redacted, r["request_headers_cookie"])
	assert.Equal(t, "/reset", r["request_path"])
	assert.Equal(t, Redacted, r["new_password"])
	assert.Equal(t, "2001:db8::1", r["ip"])
	for k, v := range r {
		assert.NotEqual(t, "hunter2", v, k)
		assert.NotEqual(t, "sid=abc", v, k)
	}
}
