package spool

import (
	"encoding/binary"
	"hash/crc32"
)

// Frame layout; see the package documentation for the full description.
const (
	frameMagic   = "O2SP"
	frameVersion = 1

	headerLen = 28 // magic 4, version 1, reserved 3, id 8, meta length 4, body length 4, crc 4
	crcOffset = 24 // the header bytes before the checksum, all covered by it

	// maxFrameLen bounds a whole frame (header, meta and body). Keeping it at
	// 1 GiB keeps every frame within one write(2) call: the os package splits
	// larger writes.
	maxFrameLen = 1 << 30
	// maxMetaLen bounds the meta part, which [Spool.Pending] keeps in memory.
	maxMetaLen = 1 << 20
)

// castagnoli is the CRC-32C table shared by every frame check.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// header is the decoded fixed part of a frame.
type header struct {
	id      uint64
	metaLen uint32
	bodyLen uint32
	crc     uint32
}

// frameLen returns the length of the whole frame described by h.
func (h header) frameLen() int64 {
	return headerLen + int64(h.metaLen) + int64(h.bodyLen)
}

// checkLens reports why a frame with these part lengths is refused, or "".
func checkLens(metaLen, bodyLen int64) string {
	switch {
	case metaLen > maxMetaLen:
		return "meta length exceeds 1 MiB"
	case headerLen+metaLen+bodyLen > maxFrameLen:
		return "frame length exceeds 1 GiB"
	}
	return ""
}

// appendFrame appends the encoded frame for id, meta and body to dst and
// returns the extended slice. The caller has checked the lengths.
func appendFrame(dst []byte, id uint64, meta, body []byte) []byte {
	start := len(dst)
	dst = append(dst, frameMagic...)
	dst = append(dst, frameVersion, 0, 0, 0)
	dst = binary.LittleEndian.AppendUint64(dst, id)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(meta)))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(body)))
	crc := crc32.Update(0, castagnoli, dst[start:])
	crc = crc32.Update(crc, castagnoli, meta)
	crc = crc32.Update(crc, castagnoli, body)
	dst = binary.LittleEndian.AppendUint32(dst, crc)
	dst = append(dst, meta...)
	return append(dst, body...)
}

// parseHeader decodes the fixed header in b (at least headerLen bytes) and
// reports why it is not a plausible frame header, or "" when it is. The
// checksum is not verified here: it also covers meta and body.
func parseHeader(b []byte) (header, string) {
	var h header
	switch {
	case string(b[0:4]) != frameMagic:
		return h, "bad magic"
	case b[4] != frameVersion:
		return h, "unknown version"
	case b[5] != 0 || b[6] != 0 || b[7] != 0:
		return h, "reserved bytes set"
	}
	h.id = binary.LittleEndian.Uint64(b[8:16])
	h.metaLen = binary.LittleEndian.Uint32(b[16:20])
	h.bodyLen = binary.LittleEndian.Uint32(b[20:24])
	h.crc = binary.LittleEndian.Uint32(b[24:28])
	if h.id == 0 {
		return h, "zero id"
	}
	return h, checkLens(int64(h.metaLen), int64(h.bodyLen))
}

// verifyFrame checks a whole frame held in b against its id, lengths and
// checksum, and returns its meta and body (sub-slices of b) or a reason.
func verifyFrame(b []byte, id uint64) (meta, body []byte, reason string) {
	if len(b) < headerLen {
		return nil, nil, "short frame"
	}
	h, reason := parseHeader(b)
	switch {
	case reason != "":
		return nil, nil, reason
	case h.id != id:
		return nil, nil, "unexpected id"
	case h.frameLen() != int64(len(b)):
		return nil, nil, "unexpected length"
	}
	crc := crc32.Update(0, castagnoli, b[:crcOffset])
	crc = crc32.Update(crc, castagnoli, b[headerLen:])
	if crc != h.crc {
		return nil, nil, "checksum mismatch"
	}
	metaEnd := headerLen + int(h.metaLen)
	return b[headerLen:metaEnd:metaEnd], b[metaEnd:], ""
}
