package pipeline

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// Backup format identifiers, written in every [Manifest].
const (
	// ManifestFormat names the format of a backup manifest.
	ManifestFormat = "o2kit-backup"
	// ManifestVersion is the manifest version this package writes. Reading
	// a manifest of a later version fails rather than guess its meaning.
	ManifestVersion = 1
)

// Manifest describes one backup run: what was read from which server
// stream over which time range, and the data files it wrote with their
// record counts, sizes and SHA-256 checksums. A backup directory holds a
// chain of manifests: the first is a full backup (Sequence 1), each later
// one an incremental backup whose Start is the End of the one before and
// whose Previous names it by file name and checksum.
//
// The manifest is written last, after every data file is on disk, so a
// directory never holds a manifest for files that are not complete.
type Manifest struct {
	Format   string       `json:"format"`
	Version  int          `json:"version"`
	Sequence int          `json:"sequence"`
	Previous *ManifestRef `json:"previous,omitempty"`

	Org    string `json:"org"`
	Stream string `json:"stream"` // normalised, as the server stores it
	Type   string `json:"type"`   // logs, metrics or traces

	// Start and End bound the records' _timestamp: Start <= t < End.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`

	// IDField is the field that orders records with equal timestamps and
	// lets a restore be de-duplicated; empty when the stream has none.
	IDField     string      `json:"id_field,omitempty"`
	Compression Compression `json:"compression"`

	Records int64       `json:"records"` // sum of the files' records
	Bytes   int64       `json:"bytes"`   // sum of the files' bytes
	Files   []FileEntry `json:"files"`
	Created time.Time   `json:"created"`
}

// ManifestRef names the manifest an incremental backup continues from.
type ManifestRef struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"` // of the manifest file's bytes, hex
}

// FileEntry describes one compressed NDJSON data file of a backup: one hit
// per line, as the server returned it, in _timestamp order.
type FileEntry struct {
	Name    string `json:"name"`    // file name inside the backup directory
	Records int64  `json:"records"` // lines
	Bytes   int64  `json:"bytes"`   // compressed size
	SHA256  string `json:"sha256"`  // of the compressed bytes, hex
	// First and Last are the smallest and largest _timestamp in the file,
	// in microseconds.
	First int64 `json:"first_timestamp"`
	Last  int64 `json:"last_timestamp"`
}

// ErrBadManifest matches every error about a manifest that cannot be
// used: unreadable JSON, a wrong format or version, inconsistent fields.
var ErrBadManifest = errors.New("pipeline: bad backup manifest")

// ParseManifest decodes and checks a manifest: its format and version,
// its time range, its file names (plain names, no directories), checksums
// and that the totals are the sums of its files. Errors match
// [ErrBadManifest].
func ParseManifest(data []byte) (*Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadManifest, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrBadManifest)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrBadManifest, err)
	}
	return &m, nil
}

// check reports the first inconsistency in m.
func (m *Manifest) check() error {
	switch {
	case m.Format != ManifestFormat:
		return fmt.Errorf("format %q, want %q", m.Format, ManifestFormat)
	case m.Version < 1 || m.Version > ManifestVersion:
		return fmt.Errorf("version %d, this package reads up to %d", m.Version, ManifestVersion)
	case m.Sequence < 1:
		return fmt.Errorf("sequence %d, want 1 or more", m.Sequence)
	case (m.Sequence == 1) != (m.Previous == nil):
		return errors.New("only the first backup of a chain (sequence 1) has no previous manifest")
	case m.Stream == "":
		return errors.New("no stream")
	case !m.Start.Before(m.End):
		return fmt.Errorf("start %s is not before end %s", m.Start.Format(time.RFC3339Nano), m.End.Format(time.RFC3339Nano))
	case m.Compression != Gzip && m.Compression != Zstd:
		return fmt.Errorf("unknown compression %q", m.Compression)
	}
	if m.Previous != nil && (!localName(m.Previous.Name) || !isSHA256(m.Previous.SHA256)) {
		return fmt.Errorf("previous manifest %q: bad name or checksum", m.Previous.Name)
	}
	return m.checkFiles()
}

func (m *Manifest) checkFiles() error {
	var records, bytes int64
	seen := map[string]bool{}
	for _, f := range m.Files {
		if err := f.check(m); err != nil {
			return fmt.Errorf("file %q: %s", f.Name, err)
		}
		if seen[f.Name] {
			return fmt.Errorf("file %q listed twice", f.Name)
		}
		seen[f.Name] = true
		records += f.Records
		bytes += f.Bytes
	}
	if records != m.Records || bytes != m.Bytes {
		return fmt.Errorf("totals %d record(s), %d byte(s) differ from the files' %d, %d", m.Records, m.Bytes, records, bytes)
	}
	return nil
}

func (f *FileEntry) check(m *Manifest) error {
	switch {
	case !localName(f.Name):
		return errors.New("not a plain file name")
	case !isSHA256(f.SHA256):
		return errors.New("checksum is not 64 hex digits")
	case f.Records < 1 || f.Bytes < 1:
		return fmt.Errorf("%d record(s), %d byte(s): an empty file is never written", f.Records, f.Bytes)
	case f.First > f.Last:
		return errors.New("first timestamp after last")
	case f.First < m.Start.UnixMicro() || f.Last >= m.End.UnixMicro():
		return errors.New("timestamps outside the manifest's range")
	}
	return nil
}

// localName reports a plain file name: no directory part, no "..".
func localName(name string) bool {
	return name != "" && filepath.IsLocal(name) && filepath.Base(name) == name && !strings.ContainsAny(name, `/\`)
}

func isSHA256(s string) bool {
	if len(s) != 64 || strings.ToLower(s) != s {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// manifestName is the file name of the manifest with the given sequence.
func manifestName(seq int) string { return fmt.Sprintf("manifest-%06d.json", seq) }

// dataName is the name of a backup's n-th data file (from 1).
func dataName(seq, n int, c Compression) string {
	return fmt.Sprintf("%06d-%04d.ndjson%s", seq, n, c.ext())
}
