package spool

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// DefaultSegmentBytes is the size past which the active segment is rotated
// when [Options.SegmentBytes] is zero.
const DefaultSegmentBytes = 16 << 20

// lockName is the file in the spool directory that carries the lock.
const lockName = "LOCK"

// Options configures [Open]. Only Dir is required.
type Options struct {
	// Dir is the spool directory, created with mode 0o700 if missing.
	Dir string
	// MaxBytes caps the bytes of all segment files together: Append returns
	// [ErrFull] when a frame would take the total past it. 0 means no cap;
	// negative values are rejected by Open.
	MaxBytes int64
	// SegmentBytes is the size past which the active segment is rotated.
	// 0 means [DefaultSegmentBytes]; negative values are rejected by Open.
	SegmentBytes int64
	// Sync makes Append call fsync after each frame, so that frames survive
	// power loss. Without it a frame, written with a single write(2), survives
	// the death of the process (SIGKILL) but not of the machine.
	// Acknowledgements are never synced: losing one means a frame is sent
	// twice, not lost.
	Sync bool
	// OnCorrupt is called with a [*CorruptError] for each corrupt or torn
	// region found by Open or Read. It must not call the [Spool]. nil ignores
	// them.
	OnCorrupt func(error)
}

// Entry describes a frame found by [Open] and not yet acknowledged.
type Entry struct {
	// ID identifies the frame for [Spool.Read] and [Spool.Ack].
	ID uint64
	// Meta is the meta part given to [Spool.Append]; the slice is a copy.
	Meta []byte
	// Size is the length of the frame's body in bytes.
	Size int64
}

// location says where an unacknowledged frame lies.
type location struct {
	seg *segment
	off int64
	n   int64 // the whole frame's length
}

// Spool is a durable queue of frames in a directory; see the package
// documentation. All methods are safe for concurrent use.
type Spool struct {
	opts Options
	lock *os.File // holds the directory lock until Close

	appendMu sync.Mutex // serialises Append and Close; guards buf
	buf      []byte     // frame being written, reused across Appends

	mu      sync.Mutex // guards the fields below and the segments' own
	closed  bool
	segs    map[uint64]*segment // open segments by sequence number
	active  *segment            // segment Append writes to; nil until needed
	nextSeq uint64              // sequence number of the next new segment
	index   map[uint64]location // unacknowledged frames by id
	pending []Entry             // frames found by Open, oldest first; acked ones dropped lazily
	size    int64               // bytes of all segment files
	lastID  uint64              // highest id handed out
	hwm     uint64              // id stored in the high-water file
}

// Open opens the spool in opts.Dir, creating the directory if needed, and
// locks it: a second Open of the same directory fails with [ErrLocked] until
// [Spool.Close]. It verifies every frame on disk, reports corrupt regions to
// [Options.OnCorrupt] and skips them; the frames not yet acknowledged are
// listed by [Spool.Pending]. Open fails only on invalid options and I/O
// errors, never because of what the files contain.
func Open(opts Options) (*Spool, error) {
	switch {
	case opts.Dir == "":
		return nil, errors.New("spool: Options.Dir is empty")
	case opts.MaxBytes < 0:
		return nil, fmt.Errorf("spool: Options.MaxBytes is negative (%d)", opts.MaxBytes)
	case opts.SegmentBytes < 0:
		return nil, fmt.Errorf("spool: Options.SegmentBytes is negative (%d)", opts.SegmentBytes)
	case opts.SegmentBytes == 0:
		opts.SegmentBytes = DefaultSegmentBytes
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	lock, err := lockDir(filepath.Join(opts.Dir, lockName))
	if err != nil {
		return nil, err
	}
	s := &Spool{
		opts:    opts,
		lock:    lock,
		segs:    map[uint64]*segment{},
		index:   map[uint64]location{},
		nextSeq: 1,
	}
	if err := s.load(); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	return s, nil
}

// load reads the high-water mark and every segment, then deletes the
// segments without unacknowledged frames.
func (s *Spool) load() error {
	hwm, err := readHighWater(s.opts.Dir, s.report)
	if err != nil {
		return err
	}
	s.hwm, s.lastID = hwm, hwm
	segs, orphans, err := listSegments(s.opts.Dir)
	if err != nil {
		return err
	}
	for _, seq := range orphans {
		if err := newSegment(s.opts.Dir, seq).removeFiles(); err != nil {
			return err
		}
	}
	sc := newScanner()
	var lastFrame uint64
	for _, seq := range segs {
		s.nextSeq = seq + 1
		if lastFrame, err = s.loadSegment(sc, newSegment(s.opts.Dir, seq), lastFrame); err != nil {
			return err
		}
	}
	s.lastID = max(s.lastID, lastFrame)
	for _, seq := range segs {
		if sg := s.segs[seq]; sg.live == 0 {
			if err := s.removeSegment(sg); err != nil {
				return err
			}
		}
	}
	return nil
}

// loadSegment opens sg, scans its frames (whose ids must be above lastFrame)
// and indexes those not acknowledged. It returns the highest frame id seen.
func (s *Spool) loadSegment(sc *scanner, sg *segment, lastFrame uint64) (uint64, error) {
	f, err := os.Open(sg.path)
	if err != nil {
		return lastFrame, fmt.Errorf("spool: %w", err)
	}
	sg.f = f
	s.segs[sg.seq] = sg
	fi, err := f.Stat()
	if err != nil {
		return lastFrame, fmt.Errorf("spool: %w", err)
	}
	sg.size = fi.Size()
	s.size += sg.size
	acked, err := sg.loadAcks(s.report)
	if err != nil {
		return lastFrame, err
	}
	visit := func(fr scannedFrame) {
		sg.maxID = fr.h.id
		if acked[fr.h.id] {
			return
		}
		sg.live++
		s.index[fr.h.id] = location{seg: sg, off: fr.off, n: fr.h.frameLen()}
		s.pending = append(s.pending, Entry{ID: fr.h.id, Meta: fr.meta, Size: int64(fr.h.bodyLen)})
	}
	report := func(off int64, reason string) {
		s.report(&CorruptError{File: sg.path, Offset: off, Reason: reason})
	}
	lastFrame, err = sc.scan(f, sg.size, lastFrame, visit, report)
	if err != nil {
		return lastFrame, fmt.Errorf("spool: read %s: %w", sg.path, err)
	}
	return lastFrame, nil
}

// report passes err to Options.OnCorrupt, if set.
func (s *Spool) report(err error) {
	if s.opts.OnCorrupt != nil {
		s.opts.OnCorrupt(err)
	}
}

// Pending returns the frames found by [Open] that are not yet acknowledged,
// oldest first. Frames appended since Open are not included: their ids are
// known to the caller. It returns nil after [Spool.Close].
func (s *Spool) Pending() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	keep := s.pending[:0]
	out := make([]Entry, 0, len(s.pending))
	for _, e := range s.pending {
		if _, ok := s.index[e.ID]; ok {
			keep = append(keep, e)
			out = append(out, Entry{ID: e.ID, Meta: bytes.Clone(e.Meta), Size: e.Size})
		}
	}
	clear(s.pending[len(keep):])
	s.pending = keep
	return out
}

// Size returns the bytes currently in segment files, the total that
// [Options.MaxBytes] caps, including corrupt regions not yet deleted.
func (s *Spool) Size() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.size
}

// Len returns the number of frames not yet acknowledged.
func (s *Spool) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.index)
}

// Close waits for calls in flight, closes every file and releases the
// directory lock. Later calls return [ErrClosed]; Close itself is
// idempotent.
func (s *Spool) Close() error {
	s.appendMu.Lock()
	defer s.appendMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	for _, sg := range s.segs {
		errs = append(errs, sg.close())
	}
	s.segs, s.active, s.index, s.pending = nil, nil, nil, nil
	if err := s.lock.Close(); err != nil {
		errs = append(errs, fmt.Errorf("spool: unlock: %w", err))
	}
	return errors.Join(errs...)
}
