package behavior

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/netip"
	"slices"

	"github.com/o2kit/o2kit/internal/wire"
)

// RedactedIP replaces an IP address given as a property value under
// [IPNone].
const RedactedIP = "[ip]"

// maxScrubDepth matches the client's limit on nested groups: deeper
// attributes are not sent, so they need no scrubbing.
const maxScrubDepth = 64

// scrubber takes out of an event's keys and values what may not leave the
// process: e-mail addresses unless [WithEmails] allows them, and IP
// addresses given as values, by the [IPMode]. It sees strings, groups,
// LogValuers (resolved once, here) and values of kind Any (through their
// JSON form, as the client encodes them).
type scrubber struct {
	emails bool   // redact e-mail addresses
	ip     IPMode // what becomes of an IP address given as a value
}

// off reports whether there is nothing to scrub.
func (s scrubber) off() bool { return !s.emails && s.ip == IPRaw }

// attrs scrubs attrs in place; they belong to the tracker. A group is
// copied only when something in it changes, since its slice is the
// caller's.
func (s scrubber) attrs(attrs []slog.Attr) {
	for i := range attrs {
		attrs[i].Key = s.key(attrs[i].Key)
		attrs[i].Value, _ = s.value(attrs[i].Value, 0)
	}
}

func (s scrubber) key(k string) string {
	if !s.emails {
		return k
	}
	return RedactEmails(k)
}

// text scrubs one string; it returns s itself when nothing changes.
func (s scrubber) text(x string) string {
	if s.emails {
		x = RedactEmails(x)
	}
	if s.ip == IPRaw || !looksLikeIP(x) {
		return x
	}
	a, err := netip.ParseAddr(x)
	switch {
	case err != nil:
		return x
	case s.ip == IPNone:
		return RedactedIP
	case AnonymizeIP(a) == a:
		return x // already anonymised, such as the visitor's own field
	}
	return AnonymizeIP(a).String()
}

// value returns v scrubbed and whether it changed; v itself when not.
func (s scrubber) value(v slog.Value, depth int) (slog.Value, bool) {
	if depth >= maxScrubDepth {
		return v, false
	}
	switch v.Kind() {
	case slog.KindString:
		if r := s.text(v.String()); r != v.String() {
			return slog.StringValue(r), true
		}
	case slog.KindGroup:
		return s.group(v, depth)
	case slog.KindLogValuer:
		r, _ := s.value(v.Resolve(), depth)
		return r, true
	case slog.KindAny:
		return s.any(v, depth)
	}
	return v, false
}

func (s scrubber) group(v slog.Value, depth int) (slog.Value, bool) {
	g := v.Group()
	var out []slog.Attr
	for i, a := range g {
		k := s.key(a.Key)
		nv, changed := s.value(a.Value, depth+1)
		if !changed && k == a.Key {
			continue
		}
		if out == nil {
			out = slices.Clone(g)
		}
		out[i] = slog.Attr{Key: k, Value: nv}
	}
	if out == nil {
		return v, false
	}
	return slog.GroupValue(out...), true
}

// any scrubs a value of kind Any as the client would send it: an error as
// its text, anything else as its JSON form, decoded and scrubbed only when
// it may hold something to take out.
func (s scrubber) any(v slog.Value, depth int) (slog.Value, bool) {
	x := v.Any()
	if err, ok := x.(error); ok {
		if _, marshals := x.(json.Marshaler); !marshals {
			text := wire.ErrorText(err)
			if r := s.text(text); r != text {
				return slog.StringValue(r), true
			}
			return v, false
		}
	}
	raw, err := wire.Marshal(x)
	if err != nil || !(s.emails && mayHoldEmail(string(raw)) || s.ip != IPRaw && holdsIPText(raw)) {
		return v, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep integers exact
	var tree any
	if dec.Decode(&tree) != nil {
		return v, false
	}
	tree, changed := s.tree(tree, depth)
	if !changed {
		return v, false
	}
	return slog.AnyValue(tree), true
}

// tree scrubs a decoded JSON value in place.
func (s scrubber) tree(x any, depth int) (any, bool) {
	if depth >= maxScrubDepth {
		return x, false
	}
	changed := false
	switch v := x.(type) {
	case string:
		r := s.text(v)
		return r, r != v
	case []any:
		for i := range v {
			var c bool
			v[i], c = s.tree(v[i], depth+1)
			changed = changed || c
		}
	case map[string]any:
		for k, e := range v {
			nk := s.key(k)
			ne, c := s.tree(e, depth+1)
			if nk != k {
				delete(v, k)
				c = true
			}
			v[nk] = ne
			changed = changed || c
		}
	}
	return x, changed
}

// looksLikeIP reports whether s may be an IP address: short, of hex
// digits, dots and colons (and a zone after '%'), with a dot or a colon.
// It keeps the parser off ordinary strings.
func looksLikeIP[T string | []byte](s T) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	sep := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.' || c == ':':
			sep = true
		case c == '%':
			return sep && i > 1
		case !(c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f'):
			return false
		}
	}
	return sep
}

// holdsIPText reports whether a JSON text has a string literal that
// looks like an IP address.
func holdsIPText(raw []byte) bool {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '"' {
			continue
		}
		j := i + 1
		for j < len(raw) && raw[j] != '"' {
			if raw[j] == '\\' {
				j++
			}
			j++
		}
		if looksLikeIP(raw[i+1 : min(j, len(raw))]) {
			return true
		}
		i = j
	}
	return false
}
