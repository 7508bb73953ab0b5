package spool

import (
	"bytes"
	"hash/crc32"
	"io"
)

// scanBufLen is the chunk size used to hash bodies and search for headers.
const scanBufLen = 64 << 10

// scannedFrame is a valid frame found by [scanner.scan].
type scannedFrame struct {
	off  int64
	h    header
	meta []byte
}

// scanner walks the frames of one segment file, skipping corrupt regions.
type scanner struct {
	r    io.ReaderAt
	size int64
	hdr  [headerLen]byte
	buf  []byte
}

func newScanner() *scanner {
	return &scanner{buf: make([]byte, scanBufLen)}
}

// scan calls visit for every valid frame of r (size bytes long) whose id is
// above lastID and above the frame before it, and report once for each
// corrupt or torn region, with the region's first offset and the reason its
// first frame was refused. After a bad frame it resynchronises on the next
// offset where a valid frame starts. It returns the highest id visited (or
// lastID) and fails only on I/O errors.
func (sc *scanner) scan(r io.ReaderAt, size int64, lastID uint64,
	visit func(scannedFrame), report func(off int64, reason string)) (uint64, error) {
	sc.r, sc.size = r, size
	defer func() { sc.r = nil }()
	badOff, badReason := int64(-1), ""
	for off := int64(0); off < size; {
		f, reason, err := sc.frameAt(off, lastID)
		if err != nil {
			return lastID, err
		}
		if reason == "" {
			if badOff >= 0 {
				report(badOff, badReason)
				badOff = -1
			}
			visit(f)
			lastID = f.h.id
			off += f.h.frameLen()
			continue
		}
		if badOff < 0 {
			badOff, badReason = off, reason
		}
		if off, err = sc.findMagic(off + 1); err != nil {
			return lastID, err
		}
	}
	if badOff >= 0 {
		report(badOff, badReason)
	}
	return lastID, nil
}

// frameAt reads and verifies the frame at off, returning a reason when it is
// not a valid frame with an id above lastID.
func (sc *scanner) frameAt(off int64, lastID uint64) (scannedFrame, string, error) {
	f := scannedFrame{off: off}
	if sc.size-off < headerLen {
		return f, "truncated header", nil
	}
	if err := readFullAt(sc.r, sc.hdr[:], off); err != nil {
		return f, "", err
	}
	h, reason := parseHeader(sc.hdr[:])
	if reason != "" {
		return f, reason, nil
	}
	if h.frameLen() > sc.size-off {
		return f, "frame extends past end of file", nil
	}
	f.h = h
	f.meta = make([]byte, h.metaLen)
	if err := readFullAt(sc.r, f.meta, off+headerLen); err != nil {
		return f, "", err
	}
	crc := crc32.Update(0, castagnoli, sc.hdr[:crcOffset])
	crc = crc32.Update(crc, castagnoli, f.meta)
	crc, err := sc.hashRange(crc, off+headerLen+int64(h.metaLen), int64(h.bodyLen))
	switch {
	case err != nil:
		return f, "", err
	case crc != h.crc:
		return f, "checksum mismatch", nil
	case h.id <= lastID:
		return f, "id not above the previous frame's", nil
	}
	return f, "", nil
}

// hashRange extends crc with n bytes of the file starting at off.
func (sc *scanner) hashRange(crc uint32, off, n int64) (uint32, error) {
	for n > 0 {
		chunk := sc.buf[:min(n, int64(len(sc.buf)))]
		if err := readFullAt(sc.r, chunk, off); err != nil {
			return crc, err
		}
		crc = crc32.Update(crc, castagnoli, chunk)
		off += int64(len(chunk))
		n -= int64(len(chunk))
	}
	return crc, nil
}

// findMagic returns the first offset at or after from where the frame magic
// starts, or the file size when there is none.
func (sc *scanner) findMagic(from int64) (int64, error) {
	for sc.size-from >= int64(len(frameMagic)) {
		chunk := sc.buf[:min(sc.size-from, int64(len(sc.buf)))]
		if err := readFullAt(sc.r, chunk, from); err != nil {
			return from, err
		}
		if i := bytes.Index(chunk, []byte(frameMagic)); i >= 0 {
			return from + int64(i), nil
		}
		// Keep the last bytes: the magic may straddle two chunks.
		from += int64(len(chunk) - len(frameMagic) + 1)
	}
	return sc.size, nil
}

// readFullAt fills p from r at off; a short read is an error.
func readFullAt(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}
