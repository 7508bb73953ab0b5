package spool

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestVerifyFrame(t *testing.T) {
	frame := appendFrame(nil, 7, []byte("meta"), []byte("body"))
	meta, body, reason := verifyFrame(frame, 7)
	assert.Empty(t, reason)
	assert.Equal(t, []byte("meta"), meta)
	assert.Equal(t, []byte("body"), body)
	assert.Equal(t, len(meta), cap(meta), "appending to meta cannot overwrite body")

	for name, tc := range map[string]struct {
		frame []byte
		id    uint64
		want  string
	}{
		"short":       {frame[:headerLen-1], 7, "short frame"},
		"other id":    {frame, 8, "unexpected id"},
		"truncated":   {frame[:len(frame)-1], 7, "unexpected length"},
		"bad magic":   {append([]byte("XXXX"), frame[4:]...), 7, "bad magic"},
		"bad version": {append([]byte(frameMagic+"\x02"), frame[5:]...), 7, "unknown version"},
		"reserved":    {append([]byte(frameMagic+"\x01\x00\x01"), frame[7:]...), 7, "reserved bytes set"},
		"zero id":     {appendFrame(nil, 0, nil, nil), 0, "zero id"},
		"checksum":    {append(append([]byte(nil), frame[:len(frame)-1]...), 'X'), 7, "checksum mismatch"},
	} {
		_, _, reason := verifyFrame(tc.frame, tc.id)
		assert.Equal(t, tc.want, reason, name)
	}
}

func TestCheckLens(t *testing.T) {
	assert.Empty(t, checkLens(maxMetaLen, maxFrameLen-headerLen-maxMetaLen))
	assert.Equal(t, "meta length exceeds 1 MiB", checkLens(maxMetaLen+1, 0))
	assert.Equal(t, "frame length exceeds 1 GiB", checkLens(0, maxFrameLen-headerLen+1))
	assert.Equal(t, "frame length exceeds 1 GiB", checkLens(0, 1<<32-1))
}
