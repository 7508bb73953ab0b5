package o2kit

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// budget caps the bytes of records held in memory: open batches, queued
// batches with their bodies in memory, and bodies in flight.
type budget struct {
	max  int64
	used atomic.Int64
	high atomic.Int64

	waiters atomic.Int32
	mu      sync.Mutex    // guards freed
	freed   chan struct{} // closed and replaced when bytes are released and someone waits
}

func newBudget(max int64) *budget {
	return &budget{max: max, freed: make(chan struct{})}
}

// reserve takes n bytes if they fit under the cap.
func (b *budget) reserve(n int64) bool {
	if b.used.Add(n) > b.max {
		// Undo without waking waiters: nothing was freed, and a waiter
		// that woke itself here would spin.
		b.used.Add(-n)
		return false
	}
	b.mark()
	return true
}

// force takes n bytes whether or not they fit, for a body read back from
// the spool to be sent: it is bounded by the number of senders.
func (b *budget) force(n int64) {
	b.used.Add(n)
	b.mark()
}

func (b *budget) mark() {
	u := b.used.Load()
	for {
		h := b.high.Load()
		if u <= h || b.high.CompareAndSwap(h, u) {
			return
		}
	}
}

func (b *budget) release(n int64) {
	if n == 0 {
		return
	}
	b.used.Add(-n)
	if b.waiters.Load() > 0 {
		b.mu.Lock()
		close(b.freed)
		b.freed = make(chan struct{})
		b.mu.Unlock()
	}
}

// wait reserves n bytes, waiting up to timeout or until ctx ends for them
// to be released.
func (b *budget) wait(ctx context.Context, n int64, timeout time.Duration) bool {
	if b.reserve(n) {
		return true
	}
	b.waiters.Add(1)
	defer b.waiters.Add(-1)
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		b.mu.Lock()
		freed := b.freed
		b.mu.Unlock()
		if b.reserve(n) {
			return true
		}
		select {
		case <-freed:
		case <-timer.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}
