package spool

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzOpen writes arbitrary bytes as a segment file and its ack file: Open
// must not fail or panic, and Pending and Read may return only frames that
// verify, in increasing id order.
func FuzzOpen(f *testing.F) {
	var seg []byte
	for i := range 3 {
		seg = appendFrame(seg, uint64(i+1), testMeta(i), testBody(i, 20*i))
	}
	ack := binary.LittleEndian.AppendUint64(nil, 2)
	f.Add(seg, ack)
	f.Add(seg[:len(seg)-5], ack[:5])
	f.Add(append(seg[:30:30], seg...), []byte(nil))
	f.Add(appendFrame(nil, 1<<63, nil, nil), []byte(nil))
	f.Add(make([]byte, 100), make([]byte, 8))
	f.Fuzz(func(t *testing.T, seg, ack []byte) {
		dir := t.TempDir()
		writeFile(t, segPath(dir, 1), seg)
		writeFile(t, newSegment(dir, 1).ackPath, ack)
		var r reports
		s, err := Open(Options{Dir: dir, OnCorrupt: r.add})
		require.NoError(t, err)
		defer func() { assert.NoError(t, s.Close()) }()

		var last uint64
		for _, e := range s.Pending() {
			require.Greater(t, e.ID, last)
			last = e.ID
			meta, body, err := s.Read(e.ID)
			require.NoError(t, err)
			assert.Equal(t, e.Meta, meta)
			assert.Len(t, body, int(e.Size))
		}
		for _, ce := range r.list() {
			assert.NotEmpty(t, ce.File)
			assert.NotEmpty(t, ce.Reason)
		}
		if s.Len() > 0 {
			assert.Equal(t, int64(len(seg)), s.Size(), "the segment is kept")
		} else {
			assert.Zero(t, s.Size(), "a segment without pending frames is deleted")
		}
		if id, err := s.Append([]byte("m"), []byte("b")); err == nil {
			assert.Greater(t, id, last)
		}
	})
}
