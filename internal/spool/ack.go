package spool

import (
	"fmt"
)

// Read returns the meta and body of the unacknowledged frame id, read back
// from disk and verified. The slices are new and owned by the caller. It
// returns [ErrNotFound] for an unknown or acknowledged id, and a
// [*CorruptError] (also passed to [Options.OnCorrupt]) when the frame no
// longer verifies; such a frame stays pending until it is acknowledged.
func (s *Spool) Read(id uint64) (meta, body []byte, err error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, nil, ErrClosed
	}
	loc, ok := s.index[id]
	if !ok {
		s.mu.Unlock()
		return nil, nil, ErrNotFound
	}
	// Holding rw keeps the file open; the segment cannot be deleted while
	// id is pending, but Close may run meanwhile.
	loc.seg.rw.RLock()
	s.mu.Unlock()
	if loc.seg.f == nil {
		loc.seg.rw.RUnlock()
		return nil, nil, ErrClosed
	}
	buf := make([]byte, loc.n)
	err = readFullAt(loc.seg.f, buf, loc.off)
	loc.seg.rw.RUnlock()
	if err != nil {
		return nil, nil, fmt.Errorf("spool: read: %w", err)
	}
	meta, body, reason := verifyFrame(buf, id)
	if reason != "" {
		cerr := &CorruptError{File: loc.seg.path, Offset: loc.off, Reason: reason}
		s.report(cerr)
		return nil, nil, cerr
	}
	return meta, body, nil
}

// Ack marks frame id as done by appending its id to the segment's ack file.
// Once every frame of a segment other than the active one is acknowledged,
// the segment and its ack file are deleted. Acking an acknowledged id does
// nothing; acking an id never handed out returns [ErrNotFound]. An error
// after the ack was recorded (while deleting a segment) is returned too.
func (s *Spool) Ack(id uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	loc, ok := s.index[id]
	if !ok {
		if id == 0 || id > s.lastID {
			return ErrNotFound
		}
		return nil
	}
	if err := loc.seg.appendAck(id); err != nil {
		return err
	}
	delete(s.index, id)
	loc.seg.live--
	if loc.seg.live == 0 && loc.seg != s.active {
		return s.removeSegment(loc.seg)
	}
	return nil
}

// removeSegment deletes a segment without pending frames, first saving the
// high-water mark if the segment may hold the highest id handed out.
func (s *Spool) removeSegment(sg *segment) error {
	if sg.maxID > s.hwm {
		if err := writeHighWater(s.opts.Dir, s.lastID, s.opts.Sync); err != nil {
			return err
		}
		s.hwm = s.lastID
	}
	delete(s.segs, sg.seq)
	cerr := sg.close()
	if err := sg.removeFiles(); err != nil {
		return err
	}
	s.size -= sg.size
	return cerr
}
