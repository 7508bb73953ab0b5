package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

const (
	segExt   = ".seg"
	ackExt   = ".ack"
	seqWidth = 20 // digits in a segment's file name: every uint64 fits
	ackLen   = 8  // bytes per ack file entry
)

// segment is one segment file and its ack file.
type segment struct {
	seq     uint64
	path    string
	ackPath string

	// Guarded by Spool.mu.
	size  int64    // bytes in the segment file, including any reserved by Append
	live  int      // frames not yet acknowledged
	maxID uint64   // highest frame id written to the segment
	ack   *os.File // append handle of the ack file, opened by the first Ack

	// rw is held shared by Read while it uses f, and exclusively to close f.
	rw sync.RWMutex
	f  *os.File // guarded by rw; nil once closed
}

func newSegment(dir string, seq uint64) *segment {
	base := filepath.Join(dir, fmt.Sprintf("%0*d", seqWidth, seq))
	return &segment{seq: seq, path: base + segExt, ackPath: base + ackExt}
}

// listSegments returns the sequence numbers of the segment files in dir, in
// order, and those of ack files without a segment file.
func listSegments(dir string) (segs, orphanAcks []uint64, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("spool: %w", err)
	}
	acks := map[uint64]bool{}
	for _, e := range entries {
		seq, ext, ok := parseName(e.Name())
		switch {
		case !ok || !e.Type().IsRegular():
		case ext == segExt:
			segs = append(segs, seq)
		default:
			acks[seq] = true
		}
	}
	slices.Sort(segs)
	for seq := range acks {
		if _, found := slices.BinarySearch(segs, seq); !found {
			orphanAcks = append(orphanAcks, seq)
		}
	}
	return segs, orphanAcks, nil
}

// parseName recognises the segment and ack file names made by newSegment.
func parseName(name string) (seq uint64, ext string, ok bool) {
	ext = filepath.Ext(name)
	digits := strings.TrimSuffix(name, ext)
	if (ext != segExt && ext != ackExt) || len(digits) != seqWidth {
		return 0, "", false
	}
	seq, err := strconv.ParseUint(digits, 10, 64)
	return seq, ext, err == nil
}

// loadAcks returns the ids listed in the segment's ack file (none when it
// does not exist). A torn last entry is reported and cut off, so that later
// entries stay aligned.
func (sg *segment) loadAcks(report func(error)) (map[uint64]bool, error) {
	b, err := os.ReadFile(sg.ackPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	if torn := len(b) % ackLen; torn != 0 {
		b = b[:len(b)-torn]
		report(&CorruptError{File: sg.ackPath, Offset: int64(len(b)), Reason: "torn ack entry"})
		if err := os.Truncate(sg.ackPath, int64(len(b))); err != nil {
			return nil, fmt.Errorf("spool: %w", err)
		}
	}
	acked := make(map[uint64]bool, len(b)/ackLen)
	for ; len(b) > 0; b = b[ackLen:] {
		acked[binary.LittleEndian.Uint64(b)] = true
	}
	return acked, nil
}

// appendAck records id in the ack file with one write.
func (sg *segment) appendAck(id uint64) error {
	if sg.ack == nil {
		f, err := os.OpenFile(sg.ackPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("spool: ack: %w", err)
		}
		sg.ack = f
	}
	var b [ackLen]byte
	binary.LittleEndian.PutUint64(b[:], id)
	if _, err := sg.ack.Write(b[:]); err != nil {
		return fmt.Errorf("spool: ack: %w", err)
	}
	return nil
}

// close closes both files, waiting for reads in flight.
func (sg *segment) close() error {
	var errs []error
	if sg.ack != nil {
		errs = append(errs, sg.ack.Close())
		sg.ack = nil
	}
	sg.rw.Lock()
	if sg.f != nil {
		errs = append(errs, sg.f.Close())
		sg.f = nil
	}
	sg.rw.Unlock()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("spool: close segment: %w", err)
	}
	return nil
}

// removeFiles deletes the segment file, then its ack file: a crash between
// the two leaves an orphan ack file, never acknowledged frames without acks.
func (sg *segment) removeFiles() error {
	for _, p := range []string{sg.path, sg.ackPath} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("spool: %w", err)
		}
	}
	return nil
}
