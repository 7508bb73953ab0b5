package spool

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoundTrip(t *testing.T) {
	s := openT(t, Options{Dir: t.TempDir()})
	ids := appendN(t, s, 5, 100)
	for i, id := range ids {
		if i > 0 {
			assert.Greater(t, id, ids[i-1])
		}
		meta, body, err := s.Read(id)
		require.NoError(t, err)
		assert.Equal(t, testMeta(i), meta)
		assert.Equal(t, testBody(i, 100), body)
	}
	assert.Equal(t, 5, s.Len())
	assert.Empty(t, s.Pending(), "frames appended since Open are not pending")

	require.NoError(t, s.Ack(ids[1]))
	require.NoError(t, s.Ack(ids[1]), "Ack is idempotent")
	_, _, err := s.Read(ids[1])
	require.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, 4, s.Len())

	id, err := s.Append(nil, nil)
	require.NoError(t, err)
	meta, body, err := s.Read(id)
	require.NoError(t, err)
	assert.Empty(t, meta)
	assert.Empty(t, body)
}

func TestUnknownIDs(t *testing.T) {
	s := openT(t, Options{Dir: t.TempDir()})
	appendN(t, s, 2, 10)
	for _, id := range []uint64{0, 3, 1 << 40} {
		_, _, err := s.Read(id)
		require.ErrorIs(t, err, ErrNotFound, id)
		require.ErrorIs(t, s.Ack(id), ErrNotFound, id)
	}
}

func TestReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir})
	require.NoError(t, err)
	ids := appendN(t, s, 6, 50)
	require.NoError(t, s.Ack(ids[0]))
	require.NoError(t, s.Ack(ids[3]))
	require.NoError(t, s.Close())

	s = openT(t, Options{Dir: dir})
	pending := s.Pending()
	require.Len(t, pending, 4)
	for k, i := range []int{1, 2, 4, 5} {
		assert.Equal(t, Entry{ID: ids[i], Meta: testMeta(i), Size: 50}, pending[k])
		_, body, err := s.Read(ids[i])
		require.NoError(t, err)
		assert.Equal(t, testBody(i, 50), body)
	}
	assert.Equal(t, 4, s.Len())

	id, err := s.Append([]byte("m"), []byte("b"))
	require.NoError(t, err)
	assert.Greater(t, id, ids[5], "ids keep increasing across reopen")
	assert.Equal(t, []uint64{ids[1], ids[2], ids[4], ids[5]}, pendingIDs(s))

	require.NoError(t, s.Ack(ids[2]))
	assert.Equal(t, []uint64{ids[1], ids[4], ids[5]}, pendingIDs(s), "acked frames leave Pending")
}

func TestRotationAndDeletion(t *testing.T) {
	dir := t.TempDir()
	const body = 300 // frames of 28+7+300 bytes: three per segment
	s, err := Open(Options{Dir: dir, SegmentBytes: 1100})
	require.NoError(t, err)
	ids := appendN(t, s, 10, body)
	assert.Len(t, files(t, dir, ".seg"), 4)
	frame := int64(headerLen + len(testMeta(0)) + body)
	assert.Equal(t, 10*frame, s.Size())

	for _, id := range ids[:2] {
		require.NoError(t, s.Ack(id))
	}
	assert.Len(t, files(t, dir, ".seg"), 4, "segment 1 still has a pending frame")
	require.NoError(t, s.Ack(ids[2]))
	assert.Equal(t, []string{
		"00000000000000000002.seg", "00000000000000000003.seg", "00000000000000000004.seg",
	}, files(t, dir, ".seg"))
	assert.Empty(t, files(t, dir, ".ack"), "the deleted segment's ack file goes with it")
	assert.Equal(t, 7*frame, s.Size())

	for _, id := range ids[3:] {
		require.NoError(t, s.Ack(id))
	}
	assert.Equal(t, []string{"00000000000000000004.seg"}, files(t, dir, ".seg"),
		"the active segment stays")
	assert.Equal(t, frame, s.Size())
	assert.Zero(t, s.Len())
	require.NoError(t, s.Close())

	s = openT(t, Options{Dir: dir, SegmentBytes: 1100})
	assert.Empty(t, files(t, dir, ".seg"), "Open deletes fully acknowledged segments")
	assert.Zero(t, s.Size())
	id, err := s.Append(nil, nil)
	require.NoError(t, err)
	assert.Equal(t, ids[9]+1, id, "the high-water mark keeps ids increasing")
	assert.Equal(t, []string{"00000000000000000005.seg"}, files(t, dir, ".seg"))
}

func TestHighWaterAfterEveryDeletion(t *testing.T) {
	dir := t.TempDir()
	var last uint64
	for range 3 {
		s, err := Open(Options{Dir: dir, SegmentBytes: 1})
		require.NoError(t, err)
		for _, id := range appendN(t, s, 3, 10) {
			assert.Greater(t, id, last)
			last = id
			require.NoError(t, s.Ack(id))
		}
		require.NoError(t, s.Close())
	}
	assert.Equal(t, uint64(9), last)
}

func TestMaxBytes(t *testing.T) {
	dir := t.TempDir()
	frame := int64(headerLen + len(testMeta(0)) + 100)
	s := openT(t, Options{Dir: dir, MaxBytes: 3 * frame})
	ids := appendN(t, s, 3, 100)
	assert.Equal(t, 3*frame, s.Size())

	_, err := s.Append(testMeta(3), testBody(3, 100))
	require.ErrorIs(t, err, ErrFull)
	assert.Equal(t, 3*frame, s.Size())
	fi, err := os.Stat(segPath(dir, 1))
	require.NoError(t, err)
	assert.Equal(t, 3*frame, fi.Size(), "nothing written")

	_, err = s.Append(nil, make([]byte, 4*frame))
	require.ErrorIs(t, err, ErrFull)

	require.NoError(t, s.Ack(ids[0]))
	_, err = s.Append(testMeta(3), testBody(3, 100))
	require.ErrorIs(t, err, ErrFull, "the active segment still holds pending frames")

	require.NoError(t, s.Ack(ids[1]))
	require.NoError(t, s.Ack(ids[2]))
	id, err := s.Append(testMeta(3), testBody(3, 100))
	require.NoError(t, err, "a fully acknowledged active segment makes room")
	assert.Equal(t, frame, s.Size())
	_, body, err := s.Read(id)
	require.NoError(t, err)
	assert.Equal(t, testBody(3, 100), body)
}

func TestMaxBytesFreedBySegmentDeletion(t *testing.T) {
	frame := int64(headerLen + len(testMeta(0)) + 100)
	s := openT(t, Options{Dir: t.TempDir(), MaxBytes: 4 * frame, SegmentBytes: 2 * frame})
	ids := appendN(t, s, 4, 100)
	_, err := s.Append(nil, testBody(0, 100))
	require.ErrorIs(t, err, ErrFull)
	require.NoError(t, s.Ack(ids[0]))
	require.NoError(t, s.Ack(ids[1]))
	assert.Equal(t, 2*frame, s.Size())
	_, err = s.Append(nil, testBody(0, 100))
	require.NoError(t, err)
}

func TestTooLarge(t *testing.T) {
	s := openT(t, Options{Dir: t.TempDir()})
	_, err := s.Append(make([]byte, maxMetaLen+1), nil)
	require.ErrorIs(t, err, ErrTooLarge)
	assert.Zero(t, s.Size())
}

func TestLocked(t *testing.T) {
	if !lockSupported {
		t.Skip("no directory lock on " + runtime.GOOS)
	}
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir})
	require.NoError(t, err)
	_, err = Open(Options{Dir: dir})
	require.ErrorIs(t, err, ErrLocked)
	require.NoError(t, s.Close())

	s, err = Open(Options{Dir: dir})
	require.NoError(t, err, "Close releases the lock")
	require.NoError(t, s.Close())
}

func TestClosed(t *testing.T) {
	s, err := Open(Options{Dir: t.TempDir()})
	require.NoError(t, err)
	ids := appendN(t, s, 1, 10)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close is idempotent")

	_, err = s.Append(nil, nil)
	require.ErrorIs(t, err, ErrClosed)
	_, _, err = s.Read(ids[0])
	require.ErrorIs(t, err, ErrClosed)
	require.ErrorIs(t, s.Ack(ids[0]), ErrClosed)
	assert.Nil(t, s.Pending())
}

func TestOptions(t *testing.T) {
	for name, opts := range map[string]Options{
		"no dir":                {},
		"negative MaxBytes":     {Dir: t.TempDir(), MaxBytes: -1},
		"negative SegmentBytes": {Dir: t.TempDir(), SegmentBytes: -1},
	} {
		_, err := Open(opts)
		assert.ErrorContains(t, err, "spool: ", name)
	}

	dir := filepath.Join(t.TempDir(), "a", "spool")
	openT(t, Options{Dir: dir})
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	if runtime.GOOS != "windows" {
		assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
	}
}

func TestForeignFilesIgnored(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "00000000000000000007.seg"), 0o700))
	writeFile(t, filepath.Join(dir, "notes.txt"), []byte("hello"))
	writeFile(t, filepath.Join(dir, "1.seg"), []byte("short name"))
	writeFile(t, filepath.Join(dir, "00000000000000000003.ack"), []byte("orphan ack"))
	var r reports
	s := openT(t, Options{Dir: dir, OnCorrupt: r.add})
	assert.Empty(t, r.list())
	assert.Empty(t, s.Pending())
	assert.NoFileExists(t, filepath.Join(dir, "00000000000000000003.ack"), "orphan ack files are removed")
	assert.FileExists(t, filepath.Join(dir, "notes.txt"))
}

func TestCorruptErrorMessage(t *testing.T) {
	err := &CorruptError{File: "/d/1.seg", Offset: 42, Reason: "checksum mismatch"}
	assert.Equal(t, "spool: corrupt frame in /d/1.seg at 42: checksum mismatch", err.Error())
}

func TestLargeFramesAndSync(t *testing.T) {
	dir := t.TempDir()
	const body = 3*scanBufLen + 123 // hashed in several chunks by Open
	s, err := Open(Options{Dir: dir, Sync: true, SegmentBytes: 2 * body})
	require.NoError(t, err)
	ids := appendN(t, s, 4, body)
	require.NoError(t, s.Ack(ids[0]))
	require.NoError(t, s.Ack(ids[1]))
	require.NoError(t, s.Close())

	var r reports
	s = openT(t, Options{Dir: dir, Sync: true, OnCorrupt: r.add})
	assert.Empty(t, r.list())
	assert.Equal(t, ids[2:], pendingIDs(s))
	for i, id := range ids[2:] {
		_, b, err := s.Read(id)
		require.NoError(t, err)
		assert.Equal(t, testBody(i+2, body), b)
	}
}
