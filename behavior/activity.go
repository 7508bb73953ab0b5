package behavior

import (
	"hash/maphash"
	"sync"
	"time"

	"github.com/axiomhq/hyperloglog"
)

// activityBuckets is how many sketches the active-users window is cut into;
// the window slides by one bucket at a time.
const activityBuckets = 10

// activity counts distinct active users over a sliding window with one
// HyperLogLog sketch per bucket, so memory stays bounded (at most 16 KiB a
// sketch) however many users there are. Estimates are within about 1%.
type activity struct {
	width int64 // bucket width, ns
	seed  maphash.Seed

	mu      sync.Mutex
	sketch  [activityBuckets]*hyperloglog.Sketch // guarded by mu
	current int64                                // guarded by mu; index of the newest bucket
}

func newActivity(window time.Duration, now time.Time) *activity {
	a := &activity{width: max(int64(window)/activityBuckets, 1), seed: maphash.MakeSeed()}
	for i := range a.sketch {
		a.sketch[i] = hyperloglog.New14()
	}
	a.current = now.UnixNano() / a.width
	return a
}

// add counts key as active now.
func (a *activity) add(key string, now time.Time) {
	if key == "" {
		return
	}
	h := maphash.String(a.seed, key)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.advance(now)
	a.sketch[slot(a.current)].InsertHash(h)
}

// advance moves the window to now, clearing the buckets it leaves behind.
func (a *activity) advance(now time.Time) {
	idx := now.UnixNano() / a.width
	if idx <= a.current {
		return
	}
	for i := a.current + 1; i <= idx && i <= a.current+activityBuckets; i++ {
		a.sketch[slot(i)].Reset()
	}
	a.current = idx
}

// slot returns the sketch of bucket i, which is negative before 1970.
func slot(i int64) int {
	return int((i%activityBuckets + activityBuckets) % activityBuckets)
}

// estimate returns the distinct keys seen in the window ending now.
func (a *activity) estimate(now time.Time) uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.advance(now)
	sum := hyperloglog.New14()
	for _, s := range a.sketch {
		_ = sum.Merge(s) // same precision: cannot fail
	}
	return sum.Estimate()
}
