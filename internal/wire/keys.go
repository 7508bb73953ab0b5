package wire

import "github.com/o2kit/o2kit/internal/norm"

// keyCache remembers keys that are already normal and not reserved, so the
// keys a program logs again and again are checked once per Encoder. It is
// small and direct-mapped: a slot holds one key's bytes as words (no
// pointer, so it keeps nothing alive) and a newer key simply takes the slot
// over. Keys longer than maxCachedKey are not cached.
type keyCache [64]keySlot

const maxCachedKey = 24

// keySlot holds a key of n bytes as the three words of [keyWords].
type keySlot struct {
	a, b, c uint64
	n       int
}

// keyWords packs a key of 1 to maxCachedKey bytes into three words that,
// with its length, determine it: the first and last eight bytes (four for
// shorter keys, overlapping when they meet) and bytes 8 to 15. Comparing
// words costs no call and no loop.
func keyWords(k string) (a, b, c uint64) {
	n := len(k)
	switch {
	case n >= 16:
		return load8(k[:8]), load8(k[n-8:]), load8(k[8:16])
	case n >= 8:
		return load8(k[:8]), load8(k[n-8:]), 0
	case n >= 4:
		return uint64(load4(k[:4])) | uint64(load4(k[n-4:]))<<32, 0, 0
	}
	for i := range n {
		a |= uint64(k[i]) << (8 * i)
	}
	return a, 0, 0
}

func load8(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func load4(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

func (c *keyCache) slot(a, b uint64, n int) *keySlot {
	const golden = 0x9e3779b97f4a7c15
	h := (a ^ b*golden ^ uint64(n)) * golden
	return &c[h>>58]
}

// known reports whether k, which is not empty, is a remembered key.
func (c *keyCache) known(k string) bool {
	if len(k) > maxCachedKey {
		return false
	}
	a, b, w := keyWords(k)
	s := c.slot(a, b, len(k))
	return s.n == len(k) && s.a == a && s.b == b && s.c == w
}

// remember records k, a normal key that is not reserved.
func (c *keyCache) remember(k string) {
	if len(k) > maxCachedKey {
		return
	}
	a, b, w := keyWords(k)
	*c.slot(a, b, len(k)) = keySlot{a: a, b: b, c: w, n: len(k)}
}

// appendKey appends the normalised key k after the group prefix, and
// reports false, with dst cut back to mark, when the whole key is
// reserved. mark is where the attr began and the key starts at mark+2.
func (e *Encoder) appendKey(dst []byte, mark int, k string) ([]byte, bool) {
	known := e.keys.known(k)
	if known && len(e.pfx) == 0 {
		return append(dst, k...), true
	}
	dst = append(dst, e.pfx...)
	start := len(dst)
	if known {
		dst = append(dst, k...)
	} else {
		dst = norm.AppendKey(dst, k)
	}
	if e.reserved(dst[mark+2:]) {
		return dst[:mark], false
	}
	if !known && string(dst[start:]) == k && k != TimestampKey && k != e.IDKey {
		e.keys.remember(k)
	}
	return dst, true
}
