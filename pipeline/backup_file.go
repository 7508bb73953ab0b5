package pipeline

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Compression is how the data files of a backup are compressed.
type Compression string

// The compressions a backup can use.
const (
	Gzip Compression = "gzip" // files end in .ndjson.gz and open with zcat (default)
	Zstd Compression = "zstd" // files end in .ndjson.zst; faster and smaller
)

func (c Compression) ext() string {
	if c == Zstd {
		return ".zst"
	}
	return ".gz"
}

// maxLine bounds one NDJSON line read back from a data file.
const maxLine = 16 << 20

// hashSink counts and hashes the compressed bytes on their way to the file.
type hashSink struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (s *hashSink) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	s.h.Write(p[:n])
	s.n += int64(n)
	return n, err
}

// dataWriter writes one compressed NDJSON data file and describes it.
type dataWriter struct {
	f     *os.File
	sink  *hashSink
	bw    *bufio.Writer
	zw    io.WriteCloser
	entry FileEntry
}

func createData(dir, name string, c Compression) (*dataWriter, error) {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	w := &dataWriter{f: f, sink: &hashSink{w: f, h: sha256.New()}, entry: FileEntry{Name: name}}
	w.bw = bufio.NewWriterSize(w.sink, 256<<10)
	if c == Zstd {
		w.zw, err = zstd.NewWriter(w.bw, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedFastest))
	} else {
		w.zw, err = gzip.NewWriterLevel(w.bw, gzip.BestSpeed)
	}
	if err != nil {
		w.abort()
		return nil, err
	}
	return w, nil
}

// add writes one record, a JSON object, and notes its timestamp.
func (w *dataWriter) add(line []byte, ts int64) error {
	if w.entry.Records == 0 || ts < w.entry.First {
		w.entry.First = ts
	}
	if w.entry.Records == 0 || ts > w.entry.Last {
		w.entry.Last = ts
	}
	w.entry.Records++
	if _, err := w.zw.Write(line); err != nil {
		return err
	}
	_, err := w.zw.Write([]byte{'\n'})
	return err
}

// close finishes the file, makes it durable and returns its entry.
func (w *dataWriter) close() (FileEntry, error) {
	err := w.zw.Close()
	if err == nil {
		err = w.bw.Flush()
	}
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(w.f.Name())
		return FileEntry{}, fmt.Errorf("pipeline: writing %s: %w", w.entry.Name, err)
	}
	w.entry.Bytes = w.sink.n
	w.entry.SHA256 = hex.EncodeToString(w.sink.h.Sum(nil))
	return w.entry, nil
}

// abort closes and removes an unfinished file.
func (w *dataWriter) abort() {
	if w.zw != nil {
		w.zw.Close()
	}
	w.f.Close()
	os.Remove(w.f.Name())
}

// dataReader reads the lines of one data file, hashing and counting the
// compressed bytes as it goes.
type dataReader struct {
	f     *os.File
	tee   io.Reader
	sink  *hashSink
	zr    io.Reader
	zstd  *zstd.Decoder
	lines *bufio.Scanner
	line  int // number of the last line returned, from 1
}

func openData(path string, c Compression) (*dataReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r := &dataReader{f: f, sink: &hashSink{w: io.Discard, h: sha256.New()}}
	r.tee = io.TeeReader(bufio.NewReaderSize(f, 256<<10), r.sink)
	if c == Zstd {
		r.zstd, err = zstd.NewReader(r.tee, zstd.WithDecoderConcurrency(1))
		r.zr = r.zstd
	} else {
		r.zr, err = gzip.NewReader(r.tee)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("line 1: %w", err)
	}
	r.lines = bufio.NewScanner(r.zr)
	r.lines.Buffer(make([]byte, 0, 64<<10), maxLine)
	r.lines.Split(splitLines)
	return r, nil
}

// errCutShort is a data file whose last line has no newline.
var errCutShort = errors.New("the last line does not end in a newline: the file is cut short")

// splitLines is bufio.ScanLines, except that a last line without its
// newline is an error: every line a backup writes ends in one.
func splitLines(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return 0, nil, errCutShort
	}
	return 0, nil, nil
}

// next returns the next line, valid until the next call, or io.EOF.
func (r *dataReader) next() ([]byte, error) {
	if r.lines.Scan() {
		r.line++
		return r.lines.Bytes(), nil
	}
	if err := r.lines.Err(); err != nil {
		r.line++
		return nil, err
	}
	return nil, io.EOF
}

// finish reads what is left of the file (bytes after the compressed
// stream) and returns the size and checksum of the whole file.
func (r *dataReader) finish() (int64, string, error) {
	_, err := io.Copy(io.Discard, r.tee)
	return r.sink.n, hex.EncodeToString(r.sink.h.Sum(nil)), err
}

func (r *dataReader) close() {
	if r.zstd != nil {
		r.zstd.Close()
	}
	r.f.Close()
}
