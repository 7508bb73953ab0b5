package pipeline

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"

	"github.com/o2kit/o2kit"
)

// Masker replaces personal data in records. Create it with [MaskPII].
type Masker struct {
	sc         piiScanner
	mode       strategyMode
	hash       *hasher
	secrets    secretKeys
	exempt     keySet // keys whose values are not scanned
	secretKeys *secretCache
	counts     [kindEnd]atomic.Int64
	maxDepth   int
}

var (
	_ o2kit.Processor     = (*Masker)(nil)
	_ o2kit.StatsReporter = (*Masker)(nil)
)

// MaskPII returns a processor that masks personal data in every record:
// string values (inside groups too, the text of error values, and the
// strings in string slices, maps of strings and of any, and slices of any,
// which the client flattens into fields) are scanned for the kinds of
// [WithKinds] (default all), and the values of fields and map keys named as
// secrets ([WithSecretKeys]) are masked whole, whatever their type.
// [WithStrategy] sets how (default [Redact]).
//
// Look-alikes are left alone: a number is taken for a mobile, an ID or a
// card only when it stands alone (not inside a word or joined by '-' or
// '.' to one, as in ORD-13812345678) and passes its check: a mobile prefix,
// an ID's check digit and birth date, a card's Luhn digit and issuer
// prefix. An IP address already anonymised (an IPv4 address ending in .0,
// an IPv6 address with all but its first 48 bits zero, as behavior's
// AnonymizeIP writes them) names a network, not a person, and is kept.
// The values of fields named by [WithExemptKeys] are not scanned.
// Values of kind Any of other types (structs, for example) are not
// scanned, only masked whole when their key names a secret.
//
// A record with nothing to mask passes without allocation.
func MaskPII(opts ...Option) *Masker {
	cfg := newConfig(opts)
	m := &Masker{
		sc:         piiScanner{kinds: kindsOf(cfg.kinds)},
		mode:       cfg.strategy.mode,
		secrets:    newSecretKeys(cfg.secretKeys),
		exempt:     newKeySet(cfg.exemptKeys),
		secretKeys: new(secretCache),
		maxDepth:   64,
	}
	if m.mode == hashMode {
		m.hash = newHasher(cfg.strategy.key)
	}
	return m
}

// Process returns r with its personal data masked.
func (m *Masker) Process(_ context.Context, r o2kit.Record) (o2kit.Record, error) {
	if out, changed := m.attrs(r.Attrs, 0); changed {
		r.Attrs = out
	}
	return r, nil
}

// MaskString returns s with the personal data it holds masked. Field names
// play no part: only the text is scanned.
func (m *Masker) MaskString(s string) string {
	out, _ := m.text(s)
	return out
}

// ProcessorStats returns the number of values masked, by kind:
// "mask:email", "mask:phone"... and "mask:secret" for fields named as
// secrets.
func (m *Masker) ProcessorStats() map[string]int64 {
	out := make(map[string]int64, kindEnd)
	for k := KindEmail; k < kindEnd; k++ {
		out["mask:"+k.String()] = m.counts[k].Load()
	}
	return out
}

// attrs masks a list of attributes, copying it on the first change.
func (m *Masker) attrs(attrs []slog.Attr, depth int) ([]slog.Attr, bool) {
	var out []slog.Attr
	for i := range attrs {
		v, changed := m.value(&attrs[i], depth)
		if !changed {
			continue
		}
		if out == nil {
			out = make([]slog.Attr, len(attrs))
			copy(out, attrs)
		}
		out[i].Value = v
	}
	return out, out != nil
}

// value returns the masked value of a, or changed false (and no value)
// when a has nothing to mask. Keys never change.
func (m *Masker) value(a *slog.Attr, depth int) (masked slog.Value, changed bool) {
	kind := a.Value.Kind()
	if kind != slog.KindGroup && !m.secrets.ruledOut(a.Key) && m.isSecret(a.Key) {
		m.counts[KindSecret].Add(1)
		return slog.StringValue(m.secret(a.Value)), true
	}
	if len(m.exempt) != 0 && m.exempt.has(a.Key) {
		return slog.Value{}, false
	}
	switch kind {
	case slog.KindString:
		s := a.Value.String()
		if start := firstTrigger(s); start < len(s) {
			if s, ok := m.textFrom(s, start); ok {
				return slog.StringValue(s), true
			}
		}
	case slog.KindGroup: // a group named as a secret has its members checked one by one
		if depth >= m.maxDepth {
			return slog.Value{}, false
		}
		if inner, ok := m.attrs(a.Value.Group(), depth+1); ok {
			return slog.GroupValue(inner...), true
		}
	case slog.KindLogValuer:
		return m.value(&slog.Attr{Key: a.Key, Value: a.Value.Resolve()}, depth+1)
	case slog.KindAny:
		if x, ok := m.anyValue(a.Value.Any(), depth); ok {
			return slog.AnyValue(x), true
		}
	}
	return slog.Value{}, false
}

// text masks s; ok is false, and nothing allocated, when s holds nothing
// to mask.
func (m *Masker) text(s string) (string, bool) { return m.textFrom(s, 0) }

// textFrom is text for s in which no byte before start may start a match.
func (m *Masker) textFrom(s string, start int) (string, bool) {
	found, ok := m.sc.first(s, start)
	if !ok {
		return s, false
	}
	var out strings.Builder
	out.Grow(len(s) + 16)
	last := 0
	for ok {
		out.WriteString(s[last:found.start])
		var scratch [96]byte // holds any replacement but a long partial mask
		out.Write(m.replace(scratch[:0], found.kind, s[found.start:found.end]))
		m.counts[found.kind].Add(1)
		last = found.end
		found, ok = m.sc.next(s, last)
	}
	out.WriteString(s[last:])
	return out.String(), true
}

// replace appends the masked form of v, a match of kind.
func (m *Masker) replace(dst []byte, kind Kind, v string) []byte {
	switch m.mode {
	case partialMode:
		return appendPartial(dst, kind, v)
	case hashMode:
		var scratch [64]byte
		return m.hash.append(dst, kind, appendCanonical(scratch[:0], kind, v))
	}
	dst = append(dst, '[')
	dst = append(dst, kind.String()...)
	return append(dst, ']')
}

// secret returns the masked form of the value of a field named as a secret.
func (m *Masker) secret(v slog.Value) string {
	if m.mode != hashMode {
		return "[secret]"
	}
	s := v.Resolve().String()
	return string(m.hash.append(nil, KindSecret, []byte(s)))
}
