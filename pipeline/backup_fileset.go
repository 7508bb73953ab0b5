package pipeline

import (
	"os"
	"path/filepath"
)

// fileSet rolls the records of one backup run over data files of at most
// per records each.
type fileSet struct {
	dir     string
	seq     int
	c       Compression
	per     int
	open    *dataWriter
	done    []FileEntry
	records int64
}

// add writes one hit to the open file, opening a new one when needed.
func (s *fileSet) add(hit []byte, ts int64) error {
	if s.open == nil {
		w, err := createData(s.dir, dataName(s.seq, len(s.done)+1, s.c), s.c)
		if err != nil {
			return err
		}
		s.open = w
	}
	if err := s.open.add(hit, ts); err != nil {
		return err
	}
	s.records++
	if s.open.entry.Records >= int64(s.per) {
		return s.close()
	}
	return nil
}

// close finishes the open file, if any.
func (s *fileSet) close() error {
	if s.open == nil {
		return nil
	}
	w := s.open
	s.open = nil
	e, err := w.close()
	if err != nil {
		return err
	}
	s.done = append(s.done, e)
	return nil
}

// current names the file being written, or the last one written.
func (s *fileSet) current() string {
	if s.open != nil {
		return s.open.entry.Name
	}
	if len(s.done) > 0 {
		return s.done[len(s.done)-1].Name
	}
	return ""
}

// bytes counts the compressed bytes written so far (the compressor may
// hold some more).
func (s *fileSet) bytes() int64 {
	var n int64
	for _, e := range s.done {
		n += e.Bytes
	}
	if s.open != nil {
		n += s.open.sink.n + int64(s.open.bw.Buffered())
	}
	return n
}

// remove deletes every file of the run, after a failure.
func (s *fileSet) remove() {
	if s.open != nil {
		s.open.abort()
		s.open = nil
	}
	for _, e := range s.done {
		os.Remove(filepath.Join(s.dir, e.Name))
	}
	s.done = nil
}
