package metrics

import (
	"slices"
	"strings"
	"sync/atomic"
	"unicode/utf8"
)

// entry is one series of a vector. hash, values and s never change after
// the entry is published; fp and changed belong to the collector, which holds
// the vector's mutex while it touches them.
type entry[S any] struct {
	hash    uint64
	values  []string
	s       *S
	fp      uint64 // fingerprint of the series at the last expiry check
	changed int64  // when the check first saw that fingerprint, in ns
}

// table is an open-addressing hash table with lock-free lookups: readers
// load the slots with atomic loads and see either nil or a published
// entry. It is written only under the vector's mutex, and grown or
// rebuilt by publishing a new table, so lookups never wait.
type table[S any] struct {
	slots []atomic.Pointer[entry[S]]
	mask  uint64
	n     int // entries stored; written under the vector's mutex
}

func newTable[S any](size int) *table[S] {
	n := 8
	for n < size*2 {
		n <<= 1
	}
	return &table[S]{slots: make([]atomic.Pointer[entry[S]], n), mask: uint64(n - 1)}
}

// get returns the series for values, or nil.
func (t *table[S]) get(h uint64, values []string) *S {
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		e := t.slots[i].Load()
		if e == nil {
			return nil
		}
		if e.hash == h && slices.Equal(e.values, values) {
			return e.s
		}
	}
}

// put stores e; the caller holds the mutex and has made room.
func (t *table[S]) put(e *entry[S]) {
	i := e.hash & t.mask
	for t.slots[i].Load() != nil {
		i = (i + 1) & t.mask
	}
	t.slots[i].Store(e)
	t.n++
}

// full reports whether one more entry would push the load past one half.
func (t *table[S]) full() bool { return (t.n+1)*2 > len(t.slots) }

// each calls f for every entry.
func (t *table[S]) each(f func(e *entry[S])) {
	for i := range t.slots {
		if e := t.slots[i].Load(); e != nil {
			f(e)
		}
	}
}

// rebuilt returns a table holding the entries of t that keep accepts,
// sized for at least min entries.
func (t *table[S]) rebuilt(min int, keep func(e *entry[S]) bool) *table[S] {
	nt := newTable[S](max(min, t.n))
	t.each(func(e *entry[S]) {
		if keep(e) {
			nt.put(e)
		}
	})
	return nt
}

// hashValues is FNV-1a over the values, each followed by 0xff (a byte that
// valid UTF-8 never holds), so ("a", "bc") and ("ab", "c") differ.
func hashValues(values []string) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for _, v := range values {
		for i := 0; i < len(v); i++ {
			h ^= uint64(v[i])
			h *= prime
		}
		h ^= 0xff
		h *= prime
	}
	return h
}

// cloneValues copies values into one string, so a series does not keep
// its caller's (possibly large) buffers alive.
func cloneValues(values []string) []string {
	out := make([]string, len(values))
	all := strings.Join(values, "")
	for i, v := range values {
		out[i], all = all[:len(v)], all[len(v):]
	}
	return out
}

func validValues(values []string) bool {
	for _, v := range values {
		if !utf8.ValidString(v) {
			return false
		}
	}
	return true
}
