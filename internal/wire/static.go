package wire

import (
	"log/slog"
	"math/bits"
	"unsafe"

	"github.com/o2kit/o2kit/internal/norm"
)

// Static holds fields that every record gets unless it has a top-level
// field of the same key: each encoded once, as the encoder would write
// it, so a record pays for appending bytes instead of encoding values.
// Build it with [NewStatic]; it is read-only afterwards and safe to share.
type Static struct {
	keys  []string // raw keys; a record's field matches one stored under the same normal key
	frags [][]byte // each field as the encoder writes it, from ','
	nfrag []int    // the fields each frag holds: a group holds several
	lens  uint64   // bit n: a key has n bytes (n < 63); bit 0: look into inline groups
}

// MaxStatic is the most fields a [Static] holds.
const MaxStatic = 64

// NewStatic encodes attrs, in order, with an encoder whose IDKey is
// idKey. Attributes with an empty key are left out. It returns nil when
// no attribute is left, or when there are more than [MaxStatic].
func NewStatic(idKey string, attrs []slog.Attr) *Static {
	s := &Static{lens: KeyLengths("")}
	e := Encoder{IDKey: idKey}
	for i := range attrs {
		a := attrs[i]
		if a.Key == "" {
			continue
		}
		e.pfx, e.nfields = e.pfx[:0], 0
		s.keys = append(s.keys, a.Key)
		s.frags = append(s.frags, e.attr(nil, &a, 0))
		s.nfrag = append(s.nfrag, e.nfields)
		s.lens |= lenBit(a.Key)
	}
	if len(s.keys) == 0 || len(s.keys) > MaxStatic {
		return nil
	}
	return s
}

func lenBit(key string) uint64 { return 1 << min(len(key), 63) }

// KeyLengths returns the set of the lengths of keys, as [Present] takes
// it: bit n for a key of n bytes, keys of 63 bytes and more sharing the
// last. Bit 0, an empty key, is what makes Present look into inline
// groups.
func KeyLengths(keys ...string) (set uint64) {
	for _, k := range keys {
		set |= lenBit(k)
	}
	return set
}

// MaxInline bounds how deep [Present] looks into nested inline groups,
// as the processors that add static fields do.
const MaxInline = 8

// Present returns the set of the indexes of keys (at most 64) that a
// top-level attribute of attrs has, in inline groups (empty key, at most
// MaxInline deep) too, matched by the key OpenObserve stores
// ([norm.SameKey]). lens is [KeyLengths] of keys and "": attributes whose
// key has a length none of keys has are passed over without a comparison.
func Present(keys []string, lens uint64, attrs []slog.Attr) uint64 {
	return present(keys, lens, attrs, 0)
}

func present(keys []string, lens uint64, attrs []slog.Attr, depth int) (set uint64) {
	for i := range attrs {
		a := &attrs[i]
		if lens&lenBit(a.Key) == 0 {
			continue
		}
		if a.Key == "" {
			if a.Value.Kind() == slog.KindGroup && depth < MaxInline {
				set |= present(keys, lens, a.Value.Group(), depth+1)
			}
			continue
		}
		set |= sameKeys(keys, a.Key)
	}
	return set
}

// sameKeys returns the set of the indexes of keys stored under the same
// normal key as key.
func sameKeys(keys []string, key string) (have uint64) {
	for j, k := range keys {
		if norm.SameKey(k, key) {
			have |= 1 << j
		}
	}
	return have
}

// AppendMissing appends the fields of s whose keys attrs lacks, each
// preceded by a comma.
func (s *Static) AppendMissing(dst []byte, attrs []slog.Attr) []byte {
	dst, _ = s.appendFrags(dst, Present(s.keys, s.lens, attrs))
	return dst
}

// appendFrags appends the fields of s not in the set have, and returns
// the number of fields appended.
func (s *Static) appendFrags(dst []byte, have uint64) ([]byte, int) {
	if bits.OnesCount64(have) == len(s.keys) {
		return dst, 0
	}
	n := 0
	for j, f := range s.frags {
		if have&(1<<j) == 0 {
			dst = append(dst, f...)
			n += s.nfrag[j]
		}
	}
	return dst, n
}

// AppendRecordStatic is [Encoder.AppendRecord] followed by the fields of
// s that attrs lacks, before the closing brace; s may be nil. Which fields
// attrs has is judged as [Static.AppendMissing] judges it, with the help
// of the encoder's field cache: the record's keys were just written, so
// most are found there by address, with what they stand for in s.
func (e *Encoder) AppendRecordStatic(dst []byte, micros int64, id []byte, attrs []slog.Attr, s *Static) []byte {
	dst = e.AppendRecord(dst, micros, id, attrs)
	if s == nil {
		return dst
	}
	dst = dst[:len(dst)-2] // "}\n"
	dst, n := s.appendFrags(dst, e.present(s, attrs, 0))
	e.nfields += n
	return append(dst, '}', '\n')
}

// present is [Present] for the keys of s, remembering in the encoder
// which fields of s a key stands for. It walks attrs as present does; one
// walk for both, taking the lookup as a func value, made a record with
// static fields about 3.5% slower to encode.
func (e *Encoder) present(s *Static, attrs []slog.Attr, depth int) (set uint64) {
	for i := range attrs {
		a := &attrs[i]
		if s.lens&lenBit(a.Key) == 0 {
			continue
		}
		if a.Key == "" {
			if a.Value.Kind() == slog.KindGroup && depth < MaxInline {
				set |= e.present(s, a.Value.Group(), depth+1)
			}
			continue
		}
		set |= e.statKeys.has(s, a.Key)
	}
	return set
}

// staticKeys remembers, for the keys a program's records have, which
// fields of a Static each stands for. Like [fieldCache] it finds a key by
// the address and length of its bytes; it is direct-mapped, a newer key
// taking a slot over.
type staticKeys [32]staticKey

type staticKey struct {
	p    *byte // unsafe.StringData of the key; nil for an empty slot
	n    int
	stat *Static
	has  uint64
}

// has returns sameKeys(s.keys, k), from the cache when it holds the
// answer.
func (c *staticKeys) has(s *Static, k string) uint64 {
	const golden = 0x9e3779b97f4a7c15
	p := unsafe.StringData(k)
	slot := &c[(uint64(uintptr(unsafe.Pointer(p)))^uint64(len(k)))*golden>>59]
	if slot.p == p && slot.n == len(k) && slot.stat == s {
		return slot.has
	}
	*slot = staticKey{p: p, n: len(k), stat: s, has: sameKeys(s.keys, k)}
	return slot.has
}
