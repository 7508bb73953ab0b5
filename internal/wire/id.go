package wire

import (
	"crypto/rand"
	"encoding/binary"
	"sync/atomic"
	"time"
)

// IDLen is the length of an id written by [IDs.Append].
const IDLen = 36

// IDs hands out record ids: UUIDv7 strings whose first 48 bits are the
// record's Unix milliseconds and whose 74 random bits are a per-IDs random
// seed plus a counter. Ids are unique within one IDs (until the 62-bit
// counter wraps) and collide across processes only if two random seeds meet,
// which costs no entropy read per record. Safe for concurrent use.
type IDs struct {
	randA uint16 // 12 bits
	seed  uint64 // 62 bits
	n     atomic.Uint64
}

// NewIDs returns an id source seeded from crypto/rand.
func NewIDs() *IDs {
	var b [10]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return &IDs{
		randA: binary.LittleEndian.Uint16(b[:2]) & 0x0fff,
		seed:  binary.LittleEndian.Uint64(b[2:]) & (1<<62 - 1),
	}
}

// Append appends a new id for a record at t to dst.
func (g *IDs) Append(dst []byte, t time.Time) []byte {
	var u [16]byte
	ms := uint64(t.UnixMilli())
	u[0], u[1], u[2] = byte(ms>>40), byte(ms>>32), byte(ms>>24)
	u[3], u[4], u[5] = byte(ms>>16), byte(ms>>8), byte(ms)
	u[6] = 0x70 | byte(g.randA>>8)
	u[7] = byte(g.randA)
	b := (g.seed + g.n.Add(1)) & (1<<62 - 1)
	binary.BigEndian.PutUint64(u[8:], b|0x8000000000000000)
	return appendUUID(dst, &u)
}

// appendUUID writes u in the 8-4-4-4-12 hex form, into a fixed array first
// so that dst grows once.
func appendUUID(dst []byte, u *[16]byte) []byte {
	var out [IDLen]byte
	hex4(out[0:4], u[0], u[1])
	hex4(out[4:8], u[2], u[3])
	out[8] = '-'
	hex4(out[9:13], u[4], u[5])
	out[13] = '-'
	hex4(out[14:18], u[6], u[7])
	out[18] = '-'
	hex4(out[19:23], u[8], u[9])
	out[23] = '-'
	hex4(out[24:28], u[10], u[11])
	hex4(out[28:32], u[12], u[13])
	hex4(out[32:36], u[14], u[15])
	return append(dst, out[:]...)
}

// hex4 writes bytes a and b as four hex digits into o.
func hex4(o []byte, a, b byte) {
	_ = o[3]
	o[0], o[1], o[2], o[3] = hexDigits[a>>4], hexDigits[a&0xf], hexDigits[b>>4], hexDigits[b&0xf]
}
