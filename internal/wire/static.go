package wire

import (
	"log/slog"
	"math/bits"

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
	norms []string // the keys normalised, as the encoder writes them
	nlens uint64   // lenBit of each of norms
}

// MaxStatic is the most fields a [Static] holds.
const MaxStatic = 64

// NewStatic encodes attrs, in order, with an encoder whose IDKey is
// idKey. Attributes with an empty key are left out. It returns nil when
// no attribute is left, or when there are more than [MaxStatic].
func NewStatic(idKey string, attrs []slog.Attr) *Static {
	s := &Static{lens: lenBit("")}
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
		nk := norm.Key(a.Key)
		s.norms = append(s.norms, nk)
		s.nlens |= lenBit(nk)
	}
	if len(s.keys) == 0 || len(s.keys) > MaxStatic {
		return nil
	}
	return s
}

func lenBit(key string) uint64 { return 1 << min(len(key), 63) }

// maxInline bounds how deep present looks into nested inline groups, as
// the processors that add static fields do.
const maxInline = 8

// present returns the set of the indexes of s.keys that a top-level
// attribute of attrs has, in inline groups (empty key) too. Keys of a
// length no static field has are passed over without a comparison.
func (s *Static) present(attrs []slog.Attr, depth int) (have uint64) {
	for i := range attrs {
		a := &attrs[i]
		if s.lens&lenBit(a.Key) == 0 {
			continue
		}
		if a.Key == "" {
			if a.Value.Kind() == slog.KindGroup && depth < maxInline {
				have |= s.present(a.Value.Group(), depth+1)
			}
			continue
		}
		for j, k := range s.keys {
			if norm.SameKey(k, a.Key) {
				have |= 1 << j
			}
		}
	}
	return have
}

// AppendMissing appends the fields of s whose keys attrs lacks, each
// preceded by a comma.
func (s *Static) AppendMissing(dst []byte, attrs []slog.Attr) []byte {
	dst, _ = s.appendFrags(dst, s.present(attrs, 0))
	return dst
}

// has returns the set of the indexes of s.keys whose normal form is nk, a
// normal key as the encoder wrote it.
func (s *Static) has(nk []byte) (have uint64) {
	if s.nlens&(1<<min(len(nk), 63)) == 0 {
		return 0
	}
	for j, k := range s.norms {
		if string(nk) == k {
			have |= 1 << j
		}
	}
	return have
}

// hasRaw is has for a key not yet normalised.
func (s *Static) hasRaw(key string) (have uint64) {
	if s.lens&lenBit(key) == 0 {
		return 0
	}
	for j, k := range s.keys {
		if norm.SameKey(k, key) {
			have |= 1 << j
		}
	}
	return have
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
// the record has is noted as it is written: a top-level attribute, in
// inline groups too (at most [maxInline] deep), of a key that normalises
// as a static field's does, even a group or one that turns out to write
// nothing, has that field, as [Static.AppendMissing] judges.
func (e *Encoder) AppendRecordStatic(dst []byte, micros int64, id []byte, attrs []slog.Attr, s *Static) []byte {
	e.stat = s
	dst = e.AppendRecord(dst, micros, id, attrs)
	e.stat = nil
	if s == nil {
		return dst
	}
	dst = dst[:len(dst)-2] // "}\n"
	dst, n := s.appendFrags(dst, e.have)
	e.nfields += n
	return append(dst, '}', '\n')
}
