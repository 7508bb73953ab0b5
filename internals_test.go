package o2kit

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBudget(t *testing.T) {
	b := newBudget(100)
	assert.True(t, b.reserve(60))
	assert.False(t, b.reserve(50), "over the cap")
	assert.Equal(t, int64(60), b.used.Load(), "a refused reservation leaves nothing behind")
	b.force(50)
	assert.Equal(t, int64(110), b.high.Load())
	b.release(110)
	assert.Zero(t, b.used.Load())

	synctest.Test(t, func(t *testing.T) {
		b := newBudget(100)
		require.True(t, b.reserve(100))
		got := make(chan bool)
		go func() { got <- b.wait(context.Background(), 30, time.Minute) }()
		synctest.Wait()
		b.release(40)
		assert.True(t, <-got)
		assert.False(t, b.wait(context.Background(), 100, time.Second), "times out")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		assert.False(t, b.wait(ctx, 100, time.Hour), "ends with its context")
	})
}

func TestQueue(t *testing.T) {
	q := newQueue()
	a, b, c := &batch{records: 1}, &batch{records: 2}, &batch{records: 3}
	q.push(a)
	q.push(b)
	got, ok := q.pop(context.Background())
	require.True(t, ok)
	assert.Same(t, a, got)
	q.pushFront(a)
	q.push(c)
	assert.Equal(t, 3, q.len())
	for _, want := range []*batch{a, b, c} {
		got, ok := q.pop(context.Background())
		require.True(t, ok)
		assert.Same(t, want, got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, ok = q.pop(ctx)
	assert.False(t, ok)
	q.push(a)
	q.close()
	_, ok = q.pop(context.Background())
	assert.True(t, ok, "a closed queue still hands out what it holds")
	_, ok = q.pop(context.Background())
	assert.False(t, ok)
	q.push(b)
	assert.Equal(t, []*batch{b}, q.drain())
	assert.Zero(t, q.len())
}

func TestQueueWakesEveryConsumer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue()
		got := make(chan *batch, 3)
		for range 3 {
			go func() {
				b, _ := q.pop(context.Background())
				got <- b
			}()
		}
		synctest.Wait()
		for i := range 3 {
			q.push(&batch{records: i})
		}
		seen := map[int]bool{}
		for range 3 {
			seen[(<-got).records] = true
		}
		assert.Len(t, seen, 3)
	})
}

func TestTracker(t *testing.T) {
	tr := newTracker()
	e0 := tr.add()
	tr.add()
	closed := tr.advance()
	assert.Equal(t, e0, closed)
	later := tr.add()
	n, _ := tr.pending(closed)
	assert.Equal(t, 2, n)
	tr.done(e0)
	tr.done(e0)
	n, _ = tr.pending(closed)
	assert.Zero(t, n, "a batch sealed after the flush is not waited for")
	n, _ = tr.pending(later)
	assert.Equal(t, 1, n)
}

func TestBreakerBacksOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b breaker
		assert.True(t, b.wait(context.Background()))
		var waits []time.Duration
		for range 8 {
			b.fail()
			start := time.Now()
			require.True(t, b.wait(context.Background()))
			waits = append(waits, time.Since(start))
		}
		for i, w := range waits {
			ceiling := min(breakerBase<<i, breakerMax)
			assert.GreaterOrEqual(t, w, ceiling/2, "wait %d", i)
			assert.LessOrEqual(t, w, ceiling, "wait %d", i)
		}
		b.succeed()
		start := time.Now()
		assert.True(t, b.wait(context.Background()))
		assert.Zero(t, time.Since(start))
		b.fail()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		assert.False(t, b.wait(ctx))
	})
}

func TestMetaRoundTrip(t *testing.T) {
	st := &stream{name: "checkout_logs", typ: Metrics}
	m, err := decodeMeta(encodeMeta(&batch{st: st, records: 42, oldest: -7}))
	require.NoError(t, err)
	assert.Equal(t, meta{typ: Metrics, records: 42, oldest: -7, stream: "checkout_logs"}, m)
	for _, bad := range [][]byte{nil, {9, 0}, append([]byte{metaVersion, 5}, make([]byte, 12)...)} {
		_, err := decodeMeta(bad)
		assert.Error(t, err)
	}
}
