package spool

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// reports collects what Open and Read pass to Options.OnCorrupt.
type reports struct {
	mu   sync.Mutex
	errs []*CorruptError
}

func (r *reports) add(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ce *CorruptError
	if !errors.As(err, &ce) {
		ce = &CorruptError{Reason: "not a *CorruptError: " + err.Error()}
	}
	r.errs = append(r.errs, ce)
}

func (r *reports) list() []*CorruptError {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*CorruptError(nil), r.errs...)
}

// openT opens a spool that is closed when the test ends.
func openT(t testing.TB, opts Options) *Spool {
	t.Helper()
	s, err := Open(opts)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return s
}

// testMeta and testBody are the deterministic parts of the i-th test frame.
func testMeta(i int) []byte { return fmt.Appendf(nil, "frame-%d", i) }

func testBody(i, n int) []byte {
	b := make([]byte, n)
	for j := range b {
		b[j] = byte(i*31 + j*7)
	}
	return b
}

// appendN appends frames 0..n-1 with bodies of size bodyLen and returns ids.
func appendN(t testing.TB, s *Spool, n, bodyLen int) []uint64 {
	t.Helper()
	ids := make([]uint64, n)
	for i := range n {
		id, err := s.Append(testMeta(i), testBody(i, bodyLen))
		require.NoError(t, err)
		ids[i] = id
	}
	return ids
}

// pendingIDs returns the ids of s.Pending().
func pendingIDs(s *Spool) []uint64 {
	var ids []uint64
	for _, e := range s.Pending() {
		ids = append(ids, e.ID)
	}
	return ids
}

// files returns the names in dir with the extension ext, sorted.
func files(t testing.TB, dir, ext string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*"+ext))
	require.NoError(t, err)
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}

// segPath is the path of segment seq in dir.
func segPath(dir string, seq uint64) string { return newSegment(dir, seq).path }

// writeFile replaces path's content.
func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, b, 0o600))
}
