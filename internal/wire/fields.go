package wire

import "unsafe"

// fieldCache remembers, for top-level keys that are normal and not
// reserved, the opening of their field as the encoder writes it:
// `,"key":`. It finds a key by the address and length of its bytes, not by
// its content, so a hit costs two comparisons and one fixed-size copy; the
// keys a program logs are mostly string constants or strings it keeps,
// whose bytes stay where they are. A key may take one of two slots, so two
// keys that hash alike do not evict each other, and the 64 pairs leave
// three keys sharing one unlikely for the dozen or so keys of a record. A
// slot holds its key's bytes alive, and strings are immutable, so the same
// address and length mean the same key. Keys that miss go through the
// [keyCache] and take a slot over.
type fieldCache [128]fieldSlot

// maxCachedField is the longest key a fieldSlot holds: its opening, with
// the comma, the quotes and the colon, fills the slot's 32 bytes.
const maxCachedField = 28

type fieldSlot struct {
	p    *byte // unsafe.StringData of the key; nil for an empty slot
	n    int   // the key's length
	open [32]byte
}

// set returns the two slots a key at p of n bytes may hold.
func (c *fieldCache) set(p *byte, n int) (*fieldSlot, *fieldSlot) {
	const golden = 0x9e3779b97f4a7c15
	h := (uint64(uintptr(unsafe.Pointer(p))) ^ uint64(n)) * golden >> 57
	return &c[h], &c[h^1]
}

// find returns k's slot, or nil.
func (c *fieldCache) find(k string) *fieldSlot {
	p := unsafe.StringData(k)
	s, t := c.set(p, len(k))
	if s.p == p && s.n == len(k) {
		return s
	}
	if t.p == p && t.n == len(k) {
		return t
	}
	return nil
}

// appendTo appends the slot's opening.
func (s *fieldSlot) appendTo(dst []byte) []byte {
	if cap(dst)-len(dst) < len(s.open) {
		dst = append(dst, s.open[:]...)[:len(dst)]
	}
	m := len(dst)
	*(*[32]byte)(dst[m : m+32]) = s.open
	return dst[:m+s.n+4]
}

// remember gives a slot of k's set to k, whose opening open is: the first
// when it is empty, else the second. The first slot's key stays: were the
// older of the two evicted instead, three keys of one set logged in turn
// would each evict the next and none would ever be found.
func (c *fieldCache) remember(k string, open []byte) {
	if len(k) == 0 || len(k) > maxCachedField || len(open) != len(k)+4 {
		return
	}
	p := unsafe.StringData(k)
	s, t := c.set(p, len(k))
	if s.p != nil {
		s = t
	}
	s.p, s.n = p, len(k)
	copy(s.open[:], open)
}
