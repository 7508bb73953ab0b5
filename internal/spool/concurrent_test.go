package spool

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// frameIndex recovers i from testMeta(i).
func frameIndex(t testing.TB, meta []byte) int {
	i, err := strconv.Atoi(strings.TrimPrefix(string(meta), "frame-"))
	require.NoError(t, err)
	return i
}

func testBodyLen(i int) int { return 100 + i*37%2000 }

func TestConcurrentAppendReadAck(t *testing.T) {
	// At most cap(ids)+senders+1 frames are pending, each pinning at most
	// one 16 KiB segment: MaxBytes is never reached.
	const frames, senders, maxBytes = 2000, 4, 4 << 20
	dir := t.TempDir()
	s := openT(t, Options{Dir: dir, SegmentBytes: 16 << 10, MaxBytes: maxBytes})
	ids := make(chan uint64, 64)
	var work, observers sync.WaitGroup
	work.Go(func() {
		defer close(ids)
		for i := range frames {
			id, err := s.Append(testMeta(i), testBody(i, testBodyLen(i)))
			if !assert.NoError(t, err) {
				return
			}
			ids <- id
		}
	})
	for range senders {
		work.Go(func() {
			for id := range ids {
				meta, body, err := s.Read(id)
				if !assert.NoError(t, err) {
					continue
				}
				i := frameIndex(t, meta)
				assert.Equal(t, testBody(i, testBodyLen(i)), body)
				assert.NoError(t, s.Ack(id))
				assert.NoError(t, s.Ack(id))
				_, _, err = s.Read(id)
				assert.ErrorIs(t, err, ErrNotFound)
			}
		})
	}
	done := make(chan struct{})
	observers.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			assert.LessOrEqual(t, s.Size(), int64(maxBytes))
			assert.GreaterOrEqual(t, s.Len(), 0)
			assert.Empty(t, s.Pending())
		}
	})
	work.Wait()
	close(done)
	observers.Wait()
	assert.Zero(t, s.Len())
	assert.LessOrEqual(t, len(files(t, dir, ".seg")), 1, "only the active segment remains")
}

func TestCloseDuringUse(t *testing.T) {
	s, err := Open(Options{Dir: t.TempDir(), SegmentBytes: 4 << 10})
	require.NoError(t, err)
	ids := appendN(t, s, 50, 500)
	var wg sync.WaitGroup
	allowed := func(err error) bool { return err == nil || errors.Is(err, ErrClosed) }
	wg.Go(func() {
		for i := range 200 {
			_, err := s.Append(testMeta(i), testBody(i, 500))
			assert.True(t, allowed(err), err)
		}
	})
	for k := range 3 {
		wg.Go(func() {
			for _, id := range ids[k*10:] {
				_, _, err := s.Read(id)
				assert.True(t, allowed(err) || errors.Is(err, ErrNotFound), err)
				assert.True(t, allowed(s.Ack(id)))
			}
		})
	}
	require.NoError(t, s.Close())
	wg.Wait()
}
