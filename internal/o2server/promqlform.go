package o2server

import (
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
)

// promParams are the request parameters a PromQL handler reads, by name.
type promParams map[string]string

func (p promParams) get(name string) string { return p[name] }

// promParams reads the parameters as the handlers' axum extractors do. The
// query string is always read first (a bad one is 400); a POST must then
// carry a form body (415 otherwise, 422 when it cannot be read), which is
// used instead of the query string when it has the key field.
func (c *call) promParams(fields, bools []string, key string) (promParams, bool) {
	q, msg := decodeParams(c.r.URL.RawQuery, fields, bools)
	if msg != "" {
		c.typedText(http.StatusBadRequest, "Failed to deserialize query string: "+msg)
		return nil, false
	}
	if c.r.Method != http.MethodPost {
		return q, true
	}
	if !strings.HasPrefix(c.r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		c.typedText(http.StatusUnsupportedMediaType, "Form requests must have `Content-Type: application/x-www-form-urlencoded`")
		return nil, false
	}
	if !c.readBody() {
		return nil, false
	}
	f, msg := decodeParams(string(c.body), fields, bools)
	if msg != "" {
		c.typedText(http.StatusUnprocessableEntity, "Failed to deserialize form body: "+msg)
		return nil, false
	}
	if _, ok := f[key]; ok || key == "" && len(f) > 0 {
		return f, true
	}
	return q, true
}

// decodeParams decodes an urlencoded string into the known fields as
// serde_urlencoded does: unknown keys are ignored, a repeated field is an
// error and boolean fields take only "true" or "false".
func decodeParams(raw string, fields, bools []string) (promParams, string) {
	out := promParams{}
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, v = formDecode(k), formDecode(v)
		if !slices.Contains(fields, k) {
			continue
		}
		if _, dup := out[k]; dup {
			return nil, "duplicate field `" + k + "`"
		}
		if slices.Contains(bools, k) && v != "true" && v != "false" {
			return nil, k + ": provided string was not `true` or `false`"
		}
		out[k] = v
	}
	return out, ""
}

// formDecode percent-decodes leniently as form_urlencoded does: '+' is a
// space, a bad escape is kept as it is and invalid UTF-8 is replaced.
func formDecode(s string) string {
	if !strings.ContainsAny(s, "+%") {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	if !utf8.Valid(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// traceID is the request's trace id: the x-openobserve-trace-id header when
// it holds 32 hex digits, not all zero, else a new one.
func (c *call) traceID() string {
	id := c.r.Header.Get("x-openobserve-trace-id")
	if len(id) == 32 && strings.Trim(id, "0") != "" && strings.IndexFunc(id, func(r rune) bool {
		return !isHex(byte(r)) || r > 0x7f
	}) < 0 {
		return id
	}
	return newTraceID()
}
