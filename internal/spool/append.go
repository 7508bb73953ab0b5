package spool

import (
	"errors"
	"fmt"
	"math"
	"os"
)

// maxKeptBuf bounds the frame buffer kept between Appends, so that one huge
// frame does not pin its memory for the spool's life.
const maxKeptBuf = 4 << 20

// Append writes one frame made of meta (a small header owned by the caller,
// at most 1 MiB) and body to the active segment with a single write(2), and
// returns its id. Ids increase strictly over the spool's whole life,
// including across [Spool.Close] and [Open]. When Append returns, the frame
// survives the process being killed; with [Options.Sync] it also survives
// power loss. Append does not keep meta or body.
//
// It returns [ErrTooLarge] for an oversized frame and [ErrFull] when the
// frame would take [Spool.Size] past [Options.MaxBytes]; in both cases
// nothing was written. After [Spool.Close] it returns [ErrClosed].
func (s *Spool) Append(meta, body []byte) (uint64, error) {
	if reason := checkLens(int64(len(meta)), int64(len(body))); reason != "" {
		return 0, fmt.Errorf("%w: %s", ErrTooLarge, reason)
	}
	n := int64(headerLen + len(meta) + len(body))
	s.appendMu.Lock()
	defer s.appendMu.Unlock()
	sg, off, id, err := s.reserve(n)
	if err != nil {
		return 0, err
	}
	// Only this goroutine writes to sg, and only Close (which waits for
	// appendMu) or a rotation under appendMu closes it.
	s.buf = appendFrame(s.buf[:0], id, meta, body)
	_, err = sg.f.WriteAt(s.buf, off)
	if err == nil && s.opts.Sync {
		err = sg.f.Sync()
	}
	if cap(s.buf) > maxKeptBuf {
		s.buf = nil
	}
	return id, s.commit(sg, id, off, n, err)
}

// reserve rotates the active segment if needed, checks MaxBytes, and
// reserves n bytes at the end of the active segment and the next id.
func (s *Spool) reserve(n int64) (*segment, int64, uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, 0, 0, ErrClosed
	}
	if a := s.active; a != nil && a.size > 0 {
		overSegment := a.size+n > s.opts.SegmentBytes
		// A fully acknowledged active segment is dead weight: drop it
		// rather than refuse the frame.
		overMax := s.opts.MaxBytes > 0 && s.size+n > s.opts.MaxBytes && a.live == 0
		if overSegment || overMax {
			if err := s.retire(); err != nil {
				return nil, 0, 0, err
			}
		}
	}
	if s.opts.MaxBytes > 0 && s.size+n > s.opts.MaxBytes {
		return nil, 0, 0, ErrFull
	}
	if s.lastID == math.MaxUint64 {
		return nil, 0, 0, errors.New("spool: ids exhausted")
	}
	if s.active == nil {
		if err := s.createSegment(); err != nil {
			return nil, 0, 0, err
		}
	}
	sg := s.active
	off := sg.size
	sg.size += n
	s.size += n
	s.lastID++
	return sg, off, s.lastID, nil
}

// commit indexes a written frame, or undoes the reservation after a failed
// write. A segment that cannot be cut back is retired, so that later frames
// do not follow a torn one.
func (s *Spool) commit(sg *segment, id uint64, off, n int64, werr error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if werr == nil {
		sg.live++
		sg.maxID = id
		s.index[id] = location{seg: sg, off: off, n: n}
		return nil
	}
	werr = fmt.Errorf("spool: append: %w", werr)
	if err := sg.f.Truncate(off); err != nil {
		return errors.Join(werr, s.retire())
	}
	sg.size -= n
	s.size -= n
	return werr
}

// createSegment creates a new, empty active segment.
func (s *Spool) createSegment() error {
	sg := newSegment(s.opts.Dir, s.nextSeq)
	s.nextSeq++
	f, err := os.OpenFile(sg.path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	sg.f = f
	s.segs[sg.seq] = sg
	s.active = sg
	if s.opts.Sync {
		return syncDir(s.opts.Dir)
	}
	return nil
}

// retire ends the active segment, deleting it if no frame in it is pending.
func (s *Spool) retire() error {
	sg := s.active
	s.active = nil
	if sg.live == 0 {
		return s.removeSegment(sg)
	}
	return nil
}
