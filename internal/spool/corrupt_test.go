package spool

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// threeFrames writes frames 0, 1 and 2 (bodies of 40 bytes) to a new spool
// and returns the bytes of its only segment and the offsets of the frames.
func threeFrames(t *testing.T) (seg []byte, offs []int64) {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir})
	require.NoError(t, err)
	appendN(t, s, 3, 40)
	require.NoError(t, s.Close())
	seg, err = os.ReadFile(segPath(dir, 1))
	require.NoError(t, err)
	frame := int64(headerLen + len(testMeta(0)) + 40)
	return seg, []int64{0, frame, 2 * frame}
}

// openSegment opens a spool whose only segment holds seg, and returns it
// with the pending ids and what was reported.
func openSegment(t *testing.T, seg []byte) (*Spool, []uint64, []*CorruptError) {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, segPath(dir, 1), seg)
	var r reports
	s := openT(t, Options{Dir: dir, OnCorrupt: r.add})
	return s, pendingIDs(s), r.list()
}

// requireReadable checks that frames ids (written by threeFrames) read back.
func requireReadable(t *testing.T, s *Spool, ids ...uint64) {
	t.Helper()
	for _, id := range ids {
		meta, body, err := s.Read(id)
		require.NoError(t, err, id)
		assert.Equal(t, testMeta(int(id-1)), meta)
		assert.Equal(t, testBody(int(id-1), 40), body)
	}
}

func TestTornTail(t *testing.T) {
	seg, offs := threeFrames(t)
	for cut := offs[2] + 1; cut < int64(len(seg)); cut++ {
		s, ids, reps := openSegment(t, seg[:cut])
		require.Equal(t, []uint64{1, 2}, ids, "cut at %d", cut)
		require.Len(t, reps, 1, "cut at %d", cut)
		assert.Equal(t, offs[2], reps[0].Offset)
		assert.Equal(t, filepath.Base(segPath("", 1)), filepath.Base(reps[0].File))
		requireReadable(t, s, 1, 2)
	}
}

func TestBitFlips(t *testing.T) {
	seg, offs := threeFrames(t)
	for pos := offs[1]; pos < offs[2]; pos++ {
		bad := append([]byte(nil), seg...)
		bad[pos] ^= 1 << (pos % 8)
		s, ids, reps := openSegment(t, bad)
		require.Equal(t, []uint64{1, 3}, ids, "flip at %d", pos)
		require.Len(t, reps, 1, "flip at %d", pos)
		assert.Equal(t, offs[1], reps[0].Offset, "flip at %d: %s", pos, reps[0].Reason)
		requireReadable(t, s, 1, 3)
	}
}

func TestGarbageTail(t *testing.T) {
	seg, _ := threeFrames(t)
	rng := rand.New(rand.NewPCG(1, 2))
	garbage := make([]byte, 1000)
	for i := range garbage {
		garbage[i] = byte(rng.Uint32())
	}
	for name, tail := range map[string][]byte{
		"garbage": garbage,
		"zeros":   make([]byte, 4096),
		"magic":   []byte(frameMagic + "\x01\x00\x00\x00"),
	} {
		s, ids, reps := openSegment(t, append(append([]byte(nil), seg...), tail...))
		require.Equal(t, []uint64{1, 2, 3}, ids, name)
		require.Len(t, reps, 1, name)
		assert.Equal(t, int64(len(seg)), reps[0].Offset, name)
		requireReadable(t, s, 1, 2, 3)
		id, err := s.Append(nil, nil)
		require.NoError(t, err)
		assert.Equal(t, uint64(4), id, name)
	}
}

func TestGarbageBetweenFrames(t *testing.T) {
	seg, offs := threeFrames(t)
	bad := append([]byte(nil), seg[:offs[1]]...)
	bad = append(bad, "garbage before the second frame"...)
	bad = append(bad, seg[offs[1]:]...)
	s, ids, reps := openSegment(t, bad)
	require.Equal(t, []uint64{1, 2, 3}, ids)
	require.Len(t, reps, 1)
	assert.Equal(t, offs[1], reps[0].Offset)
	requireReadable(t, s, 1, 2, 3)
}

func TestOutOfOrderFrame(t *testing.T) {
	seg, offs := threeFrames(t)
	// The first frame again after the third: valid checksum, stale id.
	bad := append(append([]byte(nil), seg...), seg[:offs[1]]...)
	_, ids, reps := openSegment(t, bad)
	require.Equal(t, []uint64{1, 2, 3}, ids)
	require.Len(t, reps, 1)
	assert.Equal(t, "id not above the previous frame's", reps[0].Reason)
}

func TestTornAck(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir})
	require.NoError(t, err)
	ids := appendN(t, s, 4, 10)
	require.NoError(t, s.Ack(ids[0]))
	require.NoError(t, s.Ack(ids[1]))
	require.NoError(t, s.Close())

	ack := newSegment(dir, 1).ackPath
	f, err := os.OpenFile(ack, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.Write([]byte{3, 0, 0})
	require.NoError(t, err)
	require.NoError(t, f.Close())

	var r reports
	s, err = Open(Options{Dir: dir, OnCorrupt: r.add})
	require.NoError(t, err)
	assert.Equal(t, []uint64{3, 4}, pendingIDs(s))
	require.Len(t, r.list(), 1)
	assert.Equal(t, &CorruptError{File: ack, Offset: 16, Reason: "torn ack entry"}, r.list()[0])
	require.NoError(t, s.Ack(ids[2]))
	require.NoError(t, s.Close())

	s = openT(t, Options{Dir: dir, OnCorrupt: r.add})
	assert.Equal(t, []uint64{4}, pendingIDs(s), "acks after the cut stay aligned")
	assert.Len(t, r.list(), 1)
}

func TestBadHighWater(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, highWaterName), []byte("not a high-water mark"))
	var r reports
	s := openT(t, Options{Dir: dir, OnCorrupt: r.add})
	require.Len(t, r.list(), 1)
	assert.Equal(t, "bad high-water mark", r.list()[0].Reason)
	id, err := s.Append(nil, nil)
	require.NoError(t, err)
	assert.Equal(t, uint64(1), id)
}

func TestReadCorruptOnDisk(t *testing.T) {
	dir := t.TempDir()
	var r reports
	s := openT(t, Options{Dir: dir, OnCorrupt: r.add})
	ids := appendN(t, s, 3, 40)
	frame := int64(headerLen + len(testMeta(0)) + 40)

	f, err := os.OpenFile(segPath(dir, 1), os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteAt([]byte{0xff}, frame+headerLen+20)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	_, _, err = s.Read(ids[1])
	var ce *CorruptError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, CorruptError{File: segPath(dir, 1), Offset: frame, Reason: "checksum mismatch"}, *ce)
	assert.Equal(t, []*CorruptError{ce}, r.list(), "reported too")
	requireReadable(t, s, ids[0], ids[2])
	require.NoError(t, s.Ack(ids[1]), "a corrupt frame is dropped by acknowledging it")
}

func TestLargeGarbageBetweenFrames(t *testing.T) {
	seg, offs := threeFrames(t)
	// 65535 puts the next magic across the scanner's first two chunks.
	for _, n := range []int{scanBufLen - 1, 200_000} {
		bad := append([]byte(nil), seg[:offs[1]]...)
		bad = append(bad, make([]byte, n)...)
		bad = append(bad, seg[offs[1]:]...)
		s, ids, reps := openSegment(t, bad)
		require.Equal(t, []uint64{1, 2, 3}, ids, n)
		require.Len(t, reps, 1, n)
		assert.Equal(t, offs[1], reps[0].Offset, n)
		requireReadable(t, s, 1, 2, 3)
	}
}
