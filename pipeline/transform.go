package pipeline

import (
	"context"
	"log/slog"

	"github.com/o2kit/o2kit"
)

// Transform edits the fields of every record it sees. Create it with [Set],
// [Rename], [Drop] or [Map]; restrict it to streams with [ForStreams].
//
// Fields are named by key; a name with dots addresses a field inside
// groups ("shipping.country" is the country attribute of the shipping
// group, sent as shipping_country). Keys match exactly as the record gives
// them, before the client normalises them. A Transform never writes into a
// record's Attrs or its groups: it copies them when it changes something.
type Transform struct {
	apply func(attrs []slog.Attr) []slog.Attr
}

var _ o2kit.Processor = (*Transform)(nil)

// Process returns r with its fields edited.
func (t *Transform) Process(_ context.Context, r o2kit.Record) (o2kit.Record, error) {
	r.Attrs = t.apply(r.Attrs)
	return r, nil
}

// Set returns a Transform that gives each record the attributes in attrs:
// a top-level field with the same key is replaced where it stands, and
// missing ones are appended. Attributes with an empty key are ignored.
func Set(attrs ...slog.Attr) *Transform {
	var set []slog.Attr
	for _, a := range attrs {
		if a.Key != "" {
			set = append(set, a)
		}
	}
	return &Transform{apply: func(in []slog.Attr) []slog.Attr {
		out := in
		for _, a := range set {
			replaced := false
			out, replaced = editAttrs(out, fieldPath{a.Key}, func(slog.Attr) (slog.Attr, bool) { return a, true })
			if !replaced {
				out = withAttrs(out, a)
			}
		}
		return out
	}}
}

// Rename returns a Transform that renames the field from (a path) to the
// key to, in place: "user.mail" renamed to "email" becomes user.email.
func Rename(from, to string) *Transform {
	p := parsePath(from)
	return &Transform{apply: func(in []slog.Attr) []slog.Attr {
		out, _ := editAttrs(in, p, func(a slog.Attr) (slog.Attr, bool) {
			return slog.Attr{Key: to, Value: a.Value}, true
		})
		return out
	}}
}

// Drop returns a Transform that removes the named fields.
func Drop(names ...string) *Transform {
	paths := make([]fieldPath, len(names))
	for i, n := range names {
		paths[i] = parsePath(n)
	}
	remove := func(slog.Attr) (slog.Attr, bool) { return slog.Attr{}, false }
	return &Transform{apply: func(in []slog.Attr) []slog.Attr {
		for _, p := range paths {
			in, _ = editAttrs(in, p, remove)
		}
		return in
	}}
}

// Map returns a Transform that replaces the value of the named field with
// f of it. f receives the value as the record holds it (a LogValuer is not
// resolved) and must not modify a group it is given.
func Map(name string, f func(slog.Value) slog.Value) *Transform {
	p := parsePath(name)
	return &Transform{apply: func(in []slog.Attr) []slog.Attr {
		out, _ := editAttrs(in, p, func(a slog.Attr) (slog.Attr, bool) {
			return slog.Attr{Key: a.Key, Value: f(a.Value)}, true
		})
		return out
	}}
}
