package pipeline

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/o2kit/o2kit"
)

// RestoreOptions says how [Restore] re-ingests a backup.
type RestoreOptions struct {
	// Stream is the stream the records go to. Default: the stream they
	// were backed up from.
	Stream string
	// FlushEvery flushes the client after that many records, so that
	// progress counts what the server stored. Default 20000; negative
	// flushes only when the client's buffer is full and at the end.
	FlushEvery int
	// SkipVerify skips reading the whole backup through with [Verify]
	// before anything is sent. Without it a damaged backup is refused
	// whole; with it, the records before the damage are sent.
	SkipVerify bool
	// Progress, if set, is called on Restore's goroutine every thousand
	// records, after each flush and at the end of each file.
	Progress func(Progress)
}

// DefaultFlushEvery is the default of [RestoreOptions.FlushEvery].
const DefaultFlushEvery = 20000

// RestoreReport counts what [Restore] did. The server counts come from
// the client's [o2kit.Stats] for the target stream, so they are exact only
// when nothing else writes to that stream through the client meanwhile.
type RestoreReport struct {
	Stream  string // normalised target stream
	Records int64  // records read from the backup and taken by the client
	Sent    int64  // records the server stored
	// Failed counts records the server refused or the client gave up on:
	// its Failed, PartialFailures, DeadLettered and Lost counters.
	Failed int64
	// Filtered counts records the client's processors dropped on purpose
	// (sampling, de-duplication): a restore is best run through a client
	// without them.
	Filtered int64
	// Overflows counts the times the client's buffer was full; Restore
	// then flushed and emitted the record again, so none was lost.
	Overflows int64
	// Refused counts records the client would not take as they are (more
	// fields than the server takes in one record, more bytes than a
	// batch): Restore goes on with the others and reports them at the end.
	// FirstRefused says which was the first, and why.
	Refused      int64
	FirstRefused string
}

// ErrRestoreIncomplete matches the error of a restore after which the
// server did not store every record of the backup.
var ErrRestoreIncomplete = errors.New("pipeline: restore incomplete")

// Restore re-ingests a backup through c.Emit: every record of every
// manifest in dir, oldest first, with its fields as they were stored and
// its time set to its original _timestamp. A record older than the
// client's ingest window ([o2kit.WithIngestWindow], 5 h by default) is
// re-stamped by the client to the time of sending, with its own time kept
// in the field original_timestamp, because the server discards older
// events. A record that already carries original_timestamp (it was
// re-stamped before it was backed up) keeps that first original time if
// it is re-stamped again: the client writes its original_timestamp ahead
// of the record's own, and the server keeps the last of duplicate keys.
// Only logs streams can be restored.
//
// Records keep the id they were backed up with (the manifest's IDField),
// so duplicates are found by id: a client keeps the id a record already
// carries under its id field (o2kit.WithIDField, default o2kit_id), and a
// client built with o2kit.WithIDField("") passes the field on as it is. A
// client whose id field has another name than the backup's gives each
// record a new id besides the old field.
//
// The client's memory budget is respected: when Emit reports the buffer
// full, Restore flushes and emits the record again. A record the client
// refuses as it is ([o2kit.ErrTooManyFields], [o2kit.ErrRecordTooLarge])
// is counted in the report and passed over. At the end Restore flushes
// and compares the client's counters with the records it emitted; any
// record refused or not stored is an error matching
// [ErrRestoreIncomplete].
func Restore(ctx context.Context, c *o2kit.Client, dir string, opts RestoreOptions) (*RestoreReport, error) {
	if c == nil {
		return nil, errNilClient
	}
	chain, err := ReadManifests(dir)
	if err != nil {
		return nil, err
	}
	if len(chain) == 0 {
		return nil, fmt.Errorf("pipeline: restore: no backup manifest in %s", dir)
	}
	if chain[0].Type != "logs" {
		return nil, fmt.Errorf("pipeline: restore: only logs streams can be restored, %s is %s", chain[0].Stream, chain[0].Type)
	}
	if !opts.SkipVerify {
		if _, err := Verify(dir); err != nil {
			return nil, fmt.Errorf("pipeline: restore: the backup is damaged, nothing sent: %w", err)
		}
	}
	r := newRestorer(c, chain, opts)
	if r.target == "" {
		return nil, fmt.Errorf("pipeline: restore: stream %q normalises to nothing", opts.Stream)
	}
	// Settle what the client already holds, so that the counters below
	// count this restore's records only.
	if err := c.Flush(ctx); err != nil {
		return nil, fmt.Errorf("pipeline: restore: %w", err)
	}
	before := c.Stats().Streams[r.rep.Stream]
	for _, m := range chain {
		for _, f := range m.Files {
			r.file, r.inFile = f.Name, 0
			n, err := readData(dir, m, f, true, func(rec record) error { return r.emit(ctx, rec) })
			r.bytes += n
			if err != nil {
				return r.rep, fmt.Errorf("pipeline: restore of %s: %w", filepath.Join(dir, f.Name), err)
			}
			r.progress()
		}
	}
	if err := c.Flush(ctx); err != nil {
		return r.rep, fmt.Errorf("pipeline: restore: %w", err)
	}
	r.progress()
	return r.rep, r.settle(before, c.Stats().Streams[r.rep.Stream])
}

// settle fills the report's server counts from the counters before and
// after, and reports records that were not stored.
func (r *restorer) settle(before, after o2kit.Counters) error {
	r.rep.Sent = int64(after.Sent - before.Sent)
	r.rep.Failed = int64(after.Failed - before.Failed + after.PartialFailures - before.PartialFailures +
		after.DeadLettered - before.DeadLettered + after.Lost - before.Lost)
	r.rep.Filtered = int64(after.Filtered - before.Filtered)
	if r.rep.Refused > 0 {
		return fmt.Errorf("%w: the client refused %d record(s) of the backup, the first %s; the server stored %d of the %d others in %s",
			ErrRestoreIncomplete, r.rep.Refused, r.rep.FirstRefused, r.rep.Sent, r.rep.Records, r.rep.Stream)
	}
	if r.rep.Sent < r.rep.Records {
		return fmt.Errorf("%w: the server stored %d of %d record(s) in %s; %d failed (see the client's error handler), %d dropped by the client's processors",
			ErrRestoreIncomplete, r.rep.Sent, r.rep.Records, r.rep.Stream, r.rep.Failed, r.rep.Filtered)
	}
	return nil
}
