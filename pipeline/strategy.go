package pipeline

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync"
)

// Strategy is how [MaskPII] replaces what it finds. Create one with
// [Redact], [Partial] or [Hash].
type Strategy struct {
	mode strategyMode
	key  []byte
}

type strategyMode uint8

const (
	redactMode strategyMode = iota
	partialMode
	hashMode
)

// Redact replaces a value with its kind in brackets: "[email]", "[phone]".
func Redact() Strategy { return Strategy{mode: redactMode} }

// Partial keeps enough of a value to recognise it and masks the rest with
// '*': "j***@example.com", "138****5678", "************1111",
// "192.168.*.*". Fields named as secrets are redacted in full.
func Partial() Strategy { return Strategy{mode: partialMode} }

// Hash replaces a value with its kind and a keyed hash, "email:1f0c…" (16
// hex digits of HMAC-SHA256 under key), so that records about the same
// person still join while the value itself cannot be read back or guessed
// without the key. Values are hashed in a canonical form: e-mail addresses
// lowered, numbers without their separators. An empty key is replaced by a
// random one, so hashes then join only within the process.
func Hash(key []byte) Strategy {
	return Strategy{mode: hashMode, key: append([]byte(nil), key...)}
}

// hashLen is the number of hex digits kept of a keyed hash.
const hashLen = 16

// hasher computes keyed hashes; its pool keeps the HMAC states.
type hasher struct {
	pool sync.Pool // hash.Hash
}

func newHasher(key []byte) *hasher {
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key) // never fails on supported platforms
	}
	h := &hasher{}
	h.pool.New = func() any { return hmac.New(sha256.New, key) }
	return h
}

// append appends kind, ':' and the hash of value to dst.
func (h *hasher) append(dst []byte, kind Kind, value []byte) []byte {
	m := h.pool.Get().(hash.Hash)
	m.Reset()
	m.Write(value)
	var sum [sha256.Size]byte
	m.Sum(sum[:0])
	h.pool.Put(m)
	dst = append(dst, kind.String()...)
	dst = append(dst, ':')
	return hex.AppendEncode(dst, sum[:hashLen/2])
}
