package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/o2kit/o2kit"
)

// BackupOptions says what [Backup] reads and where it writes.
type BackupOptions struct {
	// Stream is the stream to back up, by its raw or normalised name.
	// Required.
	Stream string
	// Type is the stream type: "logs" (default), "metrics" or "traces".
	Type string
	// Start and End bound the records' _timestamp: Start <= t < End, to the
	// microsecond. Start is required for the first backup of a directory;
	// for an incremental backup it must be zero or the previous End. A zero
	// End means now. Records that arrive later with a time before End (the
	// server accepts events up to its ingest window old, 5 h by default)
	// are not in this backup nor in the next one: end a backup at least
	// that long ago when that matters.
	Start, End time.Time
	// Dir is the backup directory, created if needed. Required.
	Dir string
	// PageSize is the most records one search returns. Default 10000.
	// OpenObserve sets no upper limit on a search's size (1000 is only
	// its default), but a page is held in memory whole.
	PageSize int
	// FileRecords is the most records in one data file. Default 100000.
	FileRecords int
	// Compression of the data files. Default [Gzip].
	Compression Compression
	// IDField orders records with equal timestamps between pages and is
	// what a restore is de-duplicated by. Default "o2kit_id"; a stream
	// without the field is paged by _timestamp alone.
	IDField string
	// Progress, if set, is called on Backup's goroutine after each page
	// and once the last file is complete.
	Progress func(Progress)
}

// Progress reports how far a backup, a verification or a restore has got.
type Progress struct {
	File    string // data file being written or read
	Records int64  // records done so far
	Total   int64  // records expected in all; 0 when not known
	Bytes   int64  // compressed bytes written or read so far
}

// Default sizes of [BackupOptions].
const (
	DefaultPageSize    = 10000
	DefaultFileRecords = 100000
)

func (o BackupOptions) withDefaults() (BackupOptions, error) {
	if o.Stream == "" || o2kit.StreamName(o.Stream) == "" {
		return o, errors.New("pipeline: backup: no stream")
	}
	if o.Dir == "" {
		return o, errors.New("pipeline: backup: no directory")
	}
	if o.Type == "" {
		o.Type = "logs"
	}
	if o.Type != "logs" && o.Type != "metrics" && o.Type != "traces" {
		return o, fmt.Errorf("pipeline: backup: unknown stream type %q", o.Type)
	}
	o.PageSize = cmpOr(o.PageSize, DefaultPageSize)
	o.FileRecords = cmpOr(o.FileRecords, DefaultFileRecords)
	if o.PageSize < 1 || o.FileRecords < 1 {
		return o, fmt.Errorf("pipeline: backup: page size %d and file records %d must be positive", o.PageSize, o.FileRecords)
	}
	o.Compression = cmpOr(o.Compression, Gzip)
	if o.Compression != Gzip && o.Compression != Zstd {
		return o, fmt.Errorf("pipeline: backup: unknown compression %q", o.Compression)
	}
	o.IDField = cmpOr(o.IDField, o2kit.DefaultIDField)
	if o.End.IsZero() {
		o.End = time.Now()
	}
	o.End = o.End.Truncate(time.Microsecond).UTC()
	o.Start = o.Start.Truncate(time.Microsecond).UTC()
	return o, nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Backup pages a stream out of OpenObserve through [o2kit.Client.Search]
// into compressed NDJSON files in opts.Dir, one search hit per line, and
// writes a [Manifest] describing them last. A directory that already
// holds backups gets an incremental one continuing the chain from the last
// manifest's End. On error, the files of this run are removed and no
// manifest is written.
//
// Records are read in _timestamp order, then by opts.IDField, a page at a
// time, each page starting just after the last record read: past its
// timestamp and id (keyset paging), or, for records without an id, past
// the records already read at its timestamp. Records arriving during a
// backup therefore neither shift pages nor are read twice, as they would
// with offset paging. When the stream's max_query_range setting makes the
// server shorten the time range (it says so in the answer), the range is
// read in windows that short.
func Backup(ctx context.Context, c *o2kit.Client, opts BackupOptions) (*Manifest, error) {
	if c == nil {
		return nil, errNilClient
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("pipeline: backup: %w", err)
	}
	m, err := nextManifest(c, &o)
	if err != nil {
		return nil, err
	}
	files := &fileSet{dir: o.Dir, seq: m.Sequence, c: o.Compression, per: o.FileRecords}
	p := &pager{c: c, table: m.Stream, typ: o.Type, idField: o.IDField, size: o.PageSize}
	total, err := p.count(ctx, m.Start.UnixMicro(), m.End.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("pipeline: backup: %w", err)
	}
	progress := func() {
		if o.Progress != nil {
			o.Progress(Progress{File: files.current(), Records: files.records, Total: total, Bytes: files.bytes()})
		}
	}
	err = p.run(ctx, m.Start.UnixMicro(), m.End.UnixMicro(), files.add, progress)
	if err == nil {
		err = files.close()
	}
	if err == nil {
		progress()
	}
	if err != nil {
		files.remove()
		return nil, fmt.Errorf("pipeline: backup of %s: %w", m.Stream, err)
	}
	m.IDField, m.Files, m.Created = p.idField, files.done, time.Now().UTC()
	for _, f := range m.Files {
		m.Records += f.Records
		m.Bytes += f.Bytes
	}
	if err := writeManifest(o.Dir, m); err != nil {
		files.remove()
		return nil, fmt.Errorf("pipeline: backup: %w", err)
	}
	return m, nil
}

// nextManifest starts the manifest of this run, continuing the chain in
// o.Dir if there is one.
func nextManifest(c *o2kit.Client, o *BackupOptions) (*Manifest, error) {
	chain, err := ReadManifests(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("pipeline: backup: %w", err)
	}
	m := &Manifest{
		Format: ManifestFormat, Version: ManifestVersion, Sequence: len(chain) + 1,
		Org: c.Org(), Stream: o2kit.StreamName(o.Stream), Type: o.Type, Compression: o.Compression,
		Files: []FileEntry{},
	}
	if len(chain) > 0 {
		last := chain[len(chain)-1]
		if last.Org != m.Org || last.Stream != m.Stream || last.Type != m.Type {
			return nil, fmt.Errorf("pipeline: backup: %s holds backups of %s/%s/%s, not %s/%s/%s",
				o.Dir, last.Org, last.Type, last.Stream, m.Org, m.Type, m.Stream)
		}
		if !o.Start.IsZero() && !o.Start.Equal(last.End) {
			return nil, fmt.Errorf("pipeline: backup: an incremental backup starts where the last ended (%s), not at %s",
				last.End.Format(time.RFC3339Nano), o.Start.Format(time.RFC3339Nano))
		}
		o.Start = last.End
		if m.Previous, err = manifestRef(o.Dir, chain); err != nil {
			return nil, fmt.Errorf("pipeline: backup: %w", err)
		}
	}
	if o.Start.IsZero() {
		return nil, errors.New("pipeline: backup: the first backup of a directory needs a start time")
	}
	if !o.Start.Before(o.End) {
		return nil, fmt.Errorf("pipeline: backup: start %s is not before end %s",
			o.Start.Format(time.RFC3339Nano), o.End.Format(time.RFC3339Nano))
	}
	m.Start, m.End = o.Start, o.End
	return m, nil
}
