package pipeline

import (
	"strings"
	"sync/atomic"
)

// secretCacheSize is the number of slots of a masker's secret-key cache: a
// power of two, more than the keys of most services' records that end like
// a secret's name ("path" ends like "auth").
const secretCacheSize = 64

// maxCachedKey bounds the length of the keys the cache keeps.
const maxCachedKey = 64

// secretEntry is a key decided on, kept in a slot of a secretCache.
type secretEntry struct {
	key    string
	secret bool
}

// secretCache remembers whether the keys a masker has seen name secrets:
// keys repeat from record to record, and deciding takes a canonical form
// and map look-ups. A slot is filled once and never replaced, so a cache
// warm with a service's keys allocates nothing; a key whose slot another
// key holds is decided anew each time. Safe for concurrent use.
type secretCache struct {
	slots [secretCacheSize]atomic.Pointer[secretEntry]
}

// secretSlot spreads keys over the slots by their length and three of
// their bytes; key is not empty.
func secretSlot(key string) uint32 {
	n := len(key)
	h := (uint32(n) | uint32(key[0])<<8 | uint32(key[n/2])<<16 | uint32(key[n-1])<<24) * 0x9e3779b1
	return h >> (32 - 6) // secretCacheSize is 1<<6
}

// isSecret reports whether key names a secret, from the cache when it
// holds the answer.
func (m *Masker) isSecret(key string) bool {
	if m.secrets.ruledOut(key) {
		return false
	}
	if key == "" || len(key) > maxCachedKey {
		return m.secrets.match(key)
	}
	slot := &m.secretKeys.slots[secretSlot(key)]
	e := slot.Load()
	if e != nil && e.key == key {
		return e.secret
	}
	secret := m.secrets.match(key)
	if e == nil {
		slot.CompareAndSwap(nil, &secretEntry{key: strings.Clone(key), secret: secret})
	}
	return secret
}
