package timeseries

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConcurrentAppendSelect runs writers, readers and DropIdle at once;
// under -race it checks the locking, and at the end that no sample of a
// live series was lost.
func TestConcurrentAppendSelect(t *testing.T) {
	const writers, series, ticks = 4, 8, 200
	st := newStore(t, WithCapacity(ticks))
	var writing, reading sync.WaitGroup
	for w := range writers {
		writing.Go(func() {
			for tick := range int64(ticks) {
				for i := range series {
					ls := Labels{{"s", fmt.Sprint(i)}, {"w", fmt.Sprint(w)}}
					assert.NoError(t, st.Append("m", ls, tick, float64(tick)))
				}
			}
		})
	}
	stop := make(chan struct{})
	for range 2 {
		reading.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				for _, s := range st.Select("m", 0, ticks, Equal("s", "3")) {
					assertSorted(t, s.Samples)
				}
				st.Eval(Rate, "m", ticks, time.Hour)
				st.DropIdle(-1) // drops nothing: every timestamp is >= 0
				_ = st.Len()
			}
		})
	}
	writing.Wait()
	close(stop)
	reading.Wait()
	require.Equal(t, writers*series, st.Len())
	for _, s := range st.Select("m", 0, ticks) {
		assert.Len(t, s.Samples, ticks, "series %v", s.Labels)
	}
}

// TestConcurrentCreateSameSeries has many goroutines create one series at
// once: exactly one series must result.
func TestConcurrentCreateSameSeries(t *testing.T) {
	st := newStore(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			_ = st.Append("m", Labels{{"a", "1"}}, int64(i), 1)
		})
	}
	wg.Wait()
	assert.Equal(t, 1, st.Len())
}

func assertSorted(t *testing.T, s []Sample) {
	for i := 1; i < len(s); i++ {
		if s[i-1].T >= s[i].T {
			t.Errorf("samples out of order at %d: %v", i, s[i-1:i+1])
			return
		}
	}
}
