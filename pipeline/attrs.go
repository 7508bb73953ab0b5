package pipeline

import (
	"log/slog"
	"math/bits"
	"strings"

	"github.com/o2kit/o2kit/internal/norm"
	"github.com/o2kit/o2kit/internal/wire"
)

// path addresses a field: its key, then the keys of the groups inside
// which it sits, outermost first ("shipping.country" is ["shipping",
// "country"]).
type fieldPath []string

func parsePath(name string) fieldPath { return strings.Split(name, ".") }

// A group with an empty key is inlined, as slog defines: its attributes
// count as the group's neighbours. The helpers below look into such groups
// (to maxInline levels), so that a processor finds a field wherever a
// record built it, and [Enrich] may add its fields as one inline group
// without copying the record's attributes.

// maxInline bounds how deep the helpers look into nested inline groups.
const maxInline = wire.MaxInline

// inlined returns the attributes of a when it is an inline group.
func inlined(a *slog.Attr) ([]slog.Attr, bool) {
	if a.Key != "" || a.Value.Kind() != slog.KindGroup {
		return nil, false
	}
	return a.Value.Group(), true
}

// editFunc returns the new form of a matched attribute, or keep false to
// remove it.
type editFunc func(a slog.Attr) (out slog.Attr, keep bool)

// edit applies f to every attribute of attrs that p addresses. It never
// writes into attrs or the groups inside it: the first change copies the
// slice, and a changed group gets a new value. changed is false, and
// attrs is returned as is, when nothing matched.
func editAttrs(attrs []slog.Attr, p fieldPath, f editFunc) (out []slog.Attr, changed bool) {
	return editDepth(attrs, p, f, 0)
}

func editDepth(attrs []slog.Attr, p fieldPath, f editFunc, depth int) (out []slog.Attr, changed bool) {
	for i, a := range attrs {
		var na slog.Attr
		keep, ok := true, false
		if a.Key == p[0] && a.Key != "" {
			na, keep, ok = editOne(a, p, f)
		} else if inner, isInline := inlined(&a); isInline && depth < maxInline {
			if edited, ok2 := editDepth(inner, p, f, depth+1); ok2 {
				na, ok = slog.Attr{Value: slog.GroupValue(edited...)}, true
			}
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
	inner, changed := editDepth(v.Group(), p[1:], f, 0)
	if !changed {
		return a, true, false
	}
	return slog.Attr{Key: a.Key, Value: slog.GroupValue(inner...)}, true, true
}

// findAttr returns the value of the first attribute p addresses.
func findAttr(attrs []slog.Attr, p fieldPath) (slog.Value, bool) {
	return findDepth(attrs, p, 0)
}

func findDepth(attrs []slog.Attr, p fieldPath, depth int) (slog.Value, bool) {
	for i := range attrs {
		a := &attrs[i]
		if inner, ok := inlined(a); ok && depth < maxInline {
			if v, found := findDepth(inner, p, depth+1); found {
				return v, true
			}
			continue
		}
		if a.Key != p[0] {
			continue
		}
		if len(p) == 1 {
			return a.Value, true
		}
		if v := a.Value.Resolve(); v.Kind() == slog.KindGroup {
			if found, ok := findDepth(v.Group(), p[1:], 0); ok {
				return found, true
			}
		}
	}
	return slog.Value{}, false
}

// hasKey reports whether attrs has a top-level attribute keyed key as
// OpenObserve stores keys ("Service" is "service"), in inline groups too.
func hasKey(attrs []slog.Attr, key string) bool {
	return hasKeyDepth(attrs, key, 0)
}

func hasKeyDepth(attrs []slog.Attr, key string, depth int) bool {
	for i := range attrs {
		a := &attrs[i]
		if a.Key != "" && norm.SameKey(a.Key, key) {
			return true
		}
		if inner, ok := inlined(a); ok && depth < maxInline && hasKeyDepth(inner, key, depth+1) {
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

// appendMissing returns attrs followed by the attributes of extra whose
// key attrs lacks (see [wire.Present]); attrs itself when there are none.
// It does not copy attrs: the result holds it as an inline group (see
// [Enrich]).
func appendMissing(attrs, extra []slog.Attr) []slog.Attr {
	if len(extra) > 64 {
		return appendMissingSlow(attrs, extra)
	}
	var buf [8]string
	keys := buf[:0]
	for j := range extra {
		keys = append(keys, extra[j].Key)
	}
	have := wire.Present(keys, wire.KeyLengths(keys...)|wire.KeyLengths(""), attrs) // bit j: extra[j] is not added
	for j := range extra {
		if extra[j].Key == "" {
			have |= 1 << j
		}
	}
	return withMissing(attrs, extra, have)
}

// withMissing returns attrs followed by the attributes of extra not in
// the set have (bit j for extra[j]); attrs itself when there are none.
func withMissing(attrs, extra []slog.Attr, have uint64) []slog.Attr {
	missing := len(extra) - bits.OnesCount64(have)
	if missing == 0 {
		return attrs
	}
	out := make([]slog.Attr, 1, 1+missing)
	out[0] = slog.Attr{Value: slog.GroupValue(attrs...)}
	for j := range extra {
		if have&(1<<j) == 0 {
			out = append(out, extra[j])
		}
	}
	return out
}

// appendMissingSlow is appendMissing for more than 64 extra attributes.
func appendMissingSlow(attrs, extra []slog.Attr) []slog.Attr {
	var add []slog.Attr
	for _, a := range extra {
		if a.Key != "" && !hasKey(attrs, a.Key) {
			add = append(add, a)
		}
	}
	if len(add) == 0 {
		return attrs
	}
	return append([]slog.Attr{{Value: slog.GroupValue(attrs...)}}, add...)
}
