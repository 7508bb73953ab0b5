package logging

import (
	"bytes"
	"encoding"
	"encoding/json"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/wire"
)

// Redacted replaces the value of an attribute that holds a secret.
const Redacted = "[REDACTED]"

// Redact returns attrs with the value of every attribute whose key names a
// secret replaced by [Redacted]: password, passwd, pwd, secret, token,
// api_key, apikey, authorization, cookie, set-cookie, credential,
// private_key, card_number, cvv, pin, otp and the like, in any case and
// spelling OpenObserve normalises alike (X-Api-Key, apiKey, client_secret).
// A key is judged as OpenObserve stores it, joined to its groups' names,
// so a group "api" holding "key" is api_key and redacted; a group named
// like a secret is redacted whole. Maps and structs, such as an
// http.Header or a user record, are read as the JSON objects they are
// stored as, so their fields are judged alike. LogValuers are resolved
// first. attrs is not modified.
func Redact(attrs []slog.Attr) []slog.Attr { return redact(attrs, "", 0) }

func redact(attrs []slog.Attr, prefix string, depth int) []slog.Attr {
	out := make([]slog.Attr, 0, len(attrs))
	for _, a := range attrs {
		path := joinKey(prefix, o2kit.FieldName(a.Key))
		if isSecret(path) {
			out = append(out, slog.String(a.Key, Redacted))
			continue
		}
		v := a.Value.Resolve()
		if g, ok := asGroup(v); ok {
			if depth >= maxDepth {
				out = append(out, slog.String(a.Key, Redacted)) // too deep to judge
				continue
			}
			v = slog.GroupValue(redact(g, path, depth+1)...)
		}
		out = append(out, slog.Attr{Key: a.Key, Value: v})
	}
	return out
}

func joinKey(prefix, key string) string {
	switch {
	case prefix == "":
		return key
	case key == "":
		return prefix
	}
	return prefix + "_" + key
}

// asGroup returns the attrs of a group, or of a map or struct value read
// as the JSON object the encoder would write for it (keys in order), so
// that its fields are judged too. Errors and text marshalers, which are
// stored as text, are left alone.
func asGroup(v slog.Value) ([]slog.Attr, bool) {
	if v.Kind() == slog.KindGroup {
		return v.Group(), true
	}
	if v.Kind() != slog.KindAny || !objectLike(v.Any()) {
		return nil, false
	}
	obj, ok := asObject(v.Any())
	if !ok {
		return nil, false
	}
	attrs := make([]slog.Attr, 0, len(obj))
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		attrs = append(attrs, slog.Any(k, obj[k]))
	}
	return attrs, true
}

// objectLike reports whether x would be written as a JSON object.
func objectLike(x any) bool {
	switch x.(type) {
	case error, encoding.TextMarshaler, nil:
		return false
	}
	t := reflect.TypeOf(x)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Map || t.Kind() == reflect.Struct
}

// asObject marshals x and reads it back as an object, numbers kept as
// written; a MarshalJSON that fails or panics gives false.
func asObject(x any) (map[string]any, bool) {
	raw, err := wire.Marshal(x)
	if err != nil {
		return nil, false
	}
	var obj map[string]any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	return obj, d.Decode(&obj) == nil && obj != nil
}

// secretWords mark a key as a secret when they are a whole '_'-separated
// part, or run of parts, of it: "pin" in "card_pin", not in "shipping".
var secretWords = []string{
	"api_key", "access_key", "private_key", "card_number", "card_no", "credit_card", "session_key",
	"pan", "pin", "pwd", "otp", "cvv", "cvc", "signature", "passphrase", "credential", "credentials",
}

// secretParts mark a key as a secret wherever they occur in it, such as
// "accesstoken", "db_password" or "setcookie".
var secretParts = []string{
	"password", "passwd", "secret", "token", "apikey", "authorization", "cookie",
	"privatekey", "cardnumber", "creditcard", "bearer",
}

// isSecret reports whether the normalised key names a secret.
func isSecret(key string) bool {
	k := "_" + key + "_"
	for _, w := range secretWords {
		if strings.Contains(k, "_"+w+"_") {
			return true
		}
	}
	for _, p := range secretParts {
		if strings.Contains(k, p) {
			return true
		}
	}
	return false
}
