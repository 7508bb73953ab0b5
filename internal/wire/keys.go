package wire

import "github.com/o2kit/o2kit/internal/norm"

// keyCache remembers keys that are already normal and not reserved, so the
// keys a program logs again and again are checked once per Encoder. It is
// small and direct-mapped: a slot holds one key's bytes (no pointer, so it
// keeps nothing alive) and a newer key simply takes the slot over.
type keyCache [64]keySlot

// keySlot holds a key of up to 23 bytes; longer keys are not cached.
type keySlot struct {
	n uint8
	b [23]byte
}

func (c *keyCache) slot(k string) *keySlot {
	h := uint(len(k))*31 + uint(k[0])*7 + uint(k[len(k)/2])*3 + uint(k[len(k)-1])
	return &c[h%uint(len(c))]
}

// known reports whether k, which is not empty, is a remembered key.
func (c *keyCache) known(k string) bool {
	s := c.slot(k)
	return int(s.n) == len(k) && string(s.b[:s.n]) == k
}

// remember records k, a normal key that is not reserved.
func (c *keyCache) remember(k string) {
	if len(k) > len(keySlot{}.b) {
		return
	}
	s := c.slot(k)
	s.n = uint8(copy(s.b[:], k))
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
