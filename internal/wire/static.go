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
	dst, _ = s.appendMissing(dst, attrs)
	return dst
}

// appendMissing is AppendMissing that also returns the number of fields
// appended.
func (s *Static) appendMissing(dst []byte, attrs []slog.Attr) ([]byte, int) {
	have := s.present(attrs, 0)
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
// s that attrs lacks, before the closing brace; s may be nil.
func (e *Encoder) AppendRecordStatic(dst []byte, micros int64, id []byte, attrs []slog.Attr, s *Static) []byte {
	dst = e.AppendRecord(dst, micros, id, attrs)
	if s == nil {
		return dst
	}
	dst = dst[:len(dst)-2] // "}\n"
	dst, n := s.appendMissing(dst, attrs)
	e.nfields += n
	return append(dst, '}', '\n')
}
