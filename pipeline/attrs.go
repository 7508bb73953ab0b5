package pipeline

import (
	"log/slog"
	"strings"
)

// path addresses a field: its key, then the keys of the groups inside
// which it sits, outermost first ("shipping.country" is ["shipping",
// "country"]).
type fieldPath []string

func parsePath(name string) fieldPath { return strings.Split(name, ".") }

// editFunc returns the new form of a matched attribute, or keep false to
// remove it.
type editFunc func(a slog.Attr) (out slog.Attr, keep bool)

// edit applies f to every attribute of attrs that p addresses. It never
// writes into attrs or the groups inside it: the first change copies the
// slice, and a changed group gets a new value. changed is false, and
// attrs is returned as is, when nothing matched.
func editAttrs(attrs []slog.Attr, p fieldPath, f editFunc) (out []slog.Attr, changed bool) {
	for i, a := range attrs {
		var na slog.Attr
		keep, ok := true, false
		if a.Key == p[0] {
			na, keep, ok = editOne(a, p, f)
		}
		switch {
		case !ok && changed:
			out = append(out, a)
		case !ok:
		case !changed:
			out = make([]slog.Attr, i, len(attrs))
			copy(out, attrs[:i])
			changed = true
			fallthrough
		default:
			if keep {
				out = append(out, na)
			}
		}
	}
	if !changed {
		return attrs, false
	}
	return out, true
}

// editOne applies f to a, whose key is p[0]; ok is false when p goes on
// into a group that a is not, or that holds no match.
func editOne(a slog.Attr, p fieldPath, f editFunc) (out slog.Attr, keep, ok bool) {
	if len(p) == 1 {
		out, keep = f(a)
		return out, keep, true
	}
	v := a.Value.Resolve()
	if v.Kind() != slog.KindGroup {
		return a, true, false
	}
	inner, changed := editAttrs(v.Group(), p[1:], f)
	if !changed {
		return a, true, false
	}
	return slog.Attr{Key: a.Key, Value: slog.GroupValue(inner...)}, true, true
}

// find returns the value of the first attribute p addresses.
func findAttr(attrs []slog.Attr, p fieldPath) (slog.Value, bool) {
	for _, a := range attrs {
		if a.Key != p[0] {
			continue
		}
		if len(p) == 1 {
			return a.Value, true
		}
		if v := a.Value.Resolve(); v.Kind() == slog.KindGroup {
			if found, ok := findAttr(v.Group(), p[1:]); ok {
				return found, true
			}
		}
	}
	return slog.Value{}, false
}

// has reports whether attrs has a top-level attribute keyed key.
func hasKey(attrs []slog.Attr, key string) bool {
	for _, a := range attrs {
		if a.Key == key {
			return true
		}
	}
	return false
}

// withAttrs returns attrs followed by extra, in a new slice.
func withAttrs(attrs []slog.Attr, extra ...slog.Attr) []slog.Attr {
	out := make([]slog.Attr, 0, len(attrs)+len(extra))
	out = append(out, attrs...)
	return append(out, extra...)
}
