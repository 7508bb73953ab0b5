package spool

import (
	"errors"
	"strconv"
)

var (
	// ErrFull is returned by [Spool.Append] when the frame would take the
	// spool past [Options.MaxBytes]; nothing was written.
	ErrFull = errors.New("spool: full")
	// ErrClosed is returned by every method called after [Spool.Close].
	ErrClosed = errors.New("spool: closed")
	// ErrNotFound is returned by [Spool.Read] for an id that is unknown or
	// already acknowledged, and by [Spool.Ack] for an id never handed out.
	ErrNotFound = errors.New("spool: frame not found")
	// ErrLocked is returned by [Open] when another open spool, in this
	// process or another, holds the directory's lock.
	ErrLocked = errors.New("spool: directory locked by another spool")
	// ErrTooLarge is returned by [Spool.Append] when meta exceeds 1 MiB or the
	// whole frame exceeds 1 GiB; nothing was written.
	ErrTooLarge = errors.New("spool: frame too large")
)

// CorruptError describes a corrupt or torn region of a spool file: a frame
// whose header, lengths or checksum do not verify, or an ack file whose last
// entry is incomplete. [Open] reports each region to [Options.OnCorrupt] and
// goes on; [Spool.Read] returns it as well.
type CorruptError struct {
	// File is the path of the segment or ack file.
	File string
	// Offset is where the corrupt region starts, in bytes from the file start.
	Offset int64
	// Reason says what failed to verify.
	Reason string
}

// Error returns "spool: corrupt frame in <file> at <offset>: <reason>".
func (e *CorruptError) Error() string {
	return "spool: corrupt frame in " + e.File + " at " +
		strconv.FormatInt(e.Offset, 10) + ": " + e.Reason
}
