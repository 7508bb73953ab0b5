package pipeline

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
)

// Errors a [VerifyError] wraps, to classify it with errors.Is.
var (
	ErrChecksum = errors.New("pipeline: checksum mismatch")
	ErrSize     = errors.New("pipeline: size mismatch")
	ErrCount    = errors.New("pipeline: record count mismatch")
	ErrRecord   = errors.New("pipeline: bad record")
)

// VerifyError is a problem with one data file of a backup. Line is the
// line (from 1) where reading failed, or 0 when the problem is the whole
// file: a checksum, size or count that differs from the manifest.
type VerifyError struct {
	File string // path of the data file
	Line int
	Err  error
}

// Error returns the file, the line when known, and what is wrong.
func (e *VerifyError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("pipeline: %s: line %d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("pipeline: %s: %v", e.File, e.Err)
}

// Unwrap returns the cause, such as [ErrChecksum] or [ErrCount].
func (e *VerifyError) Unwrap() error { return e.Err }

// VerifyReport is what [Verify] found.
type VerifyReport struct {
	Manifests []*Manifest // the chain, oldest first
	Files     []FileCheck
	Records   int64 // records read and parsed in all files
	Bytes     int64 // compressed bytes read
}

// FileCheck is the outcome for one data file.
type FileCheck struct {
	Path    string
	Records int64 // lines read before the end or the first problem
	Err     error // nil when the file matches its manifest entry
}

// Verify checks a backup directory against its manifests: the chain links
// (see [ReadManifests]), then every data file, each read through: its
// SHA-256 checksum and size, its record count, and every line, which must
// be a JSON object with an integer _timestamp inside the manifest's range,
// in order. It returns the report and, if anything is wrong, an error
// joining one [*VerifyError] per bad file (or the chain's error, with no
// report).
func Verify(dir string) (*VerifyReport, error) {
	chain, err := ReadManifests(dir)
	if err != nil {
		return nil, err
	}
	if len(chain) == 0 {
		return nil, fmt.Errorf("pipeline: verify: no backup manifest in %s", dir)
	}
	rep := &VerifyReport{Manifests: chain}
	var errs []error
	for _, m := range chain {
		for _, f := range m.Files {
			fc := FileCheck{Path: filepath.Join(dir, f.Name)}
			var n int64
			n, fc.Err = readData(dir, m, f, false, func(record) error { return nil })
			fc.Records = f.Records
			if fc.Err != nil {
				errs = append(errs, fc.Err)
				fc.Records = 0
			}
			rep.Records += fc.Records
			rep.Bytes += n
			rep.Files = append(rep.Files, fc)
		}
	}
	return rep, errors.Join(errs...)
}

// readData reads one data file of m through, giving each record (with its
// attributes when attrs is set) to fn after checking its timestamp is in
// order and inside the entry's range, and at the end checks the file's
// count, size and checksum against f. It returns the compressed bytes
// read; errors are *VerifyError.
func readData(dir string, m *Manifest, f FileEntry, attrs bool, fn func(record) error) (int64, error) {
	path := filepath.Join(dir, f.Name)
	r, err := openData(path, m.Compression)
	if err != nil {
		return 0, &VerifyError{File: path, Err: err}
	}
	defer r.close()
	prev := f.First
	var buf []slog.Attr
	var keys keyCache
	if attrs {
		keys = keyCache{}
	}
	for {
		line, err := r.next()
		if err == io.EOF {
			break
		}
		var rec record
		if err == nil {
			rec, err = parseRecord(line, keys, buf)
			if err == nil {
				buf = rec.attrs
				err = checkStamp(rec.ts, &prev, f)
			}
		}
		if err != nil {
			return r.sink.n, badLine(r, path, f, err)
		}
		if err := fn(rec); err != nil {
			return r.sink.n, err
		}
	}
	n, digest, err := r.finish()
	switch {
	case err != nil:
		return n, &VerifyError{File: path, Err: err}
	case int64(r.line) != f.Records:
		return n, &VerifyError{File: path, Err: fmt.Errorf("%w: %d line(s), the manifest says %d", ErrCount, r.line, f.Records)}
	case n != f.Bytes:
		return n, &VerifyError{File: path, Err: fmt.Errorf("%w: %d byte(s), the manifest says %d", ErrSize, n, f.Bytes)}
	case digest != f.SHA256:
		return n, &VerifyError{File: path, Err: fmt.Errorf("%w: sha256 %s, the manifest says %s", ErrChecksum, digest, f.SHA256)}
	}
	return n, nil
}

// badLine reports a line that could not be read or parsed, and the
// checksum mismatch that usually explains it.
func badLine(r *dataReader, path string, f FileEntry, err error) error {
	line := r.line
	n, digest, _ := r.finish()
	if digest != f.SHA256 {
		err = fmt.Errorf("%w (%d byte(s), sha256 %s; the manifest says %d, %s); %w: %w",
			ErrChecksum, n, digest, f.Bytes, f.SHA256, ErrRecord, err)
	} else {
		err = fmt.Errorf("%w: %w", ErrRecord, err)
	}
	return &VerifyError{File: path, Line: line, Err: err}
}

// checkStamp checks one record's timestamp against the file's range and
// the record before.
func checkStamp(ts int64, prev *int64, f FileEntry) error {
	if ts < *prev || ts > f.Last {
		return fmt.Errorf("_timestamp %d out of order or outside the file's range [%d, %d]", ts, f.First, f.Last)
	}
	*prev = ts
	return nil
}
