package o2kit

import (
	"context"
	"sync"
)

// queue is a FIFO of sealed batches with several consumers. Producers never
// block: the byte budget, not the queue, bounds what it holds.
type queue struct {
	mu     sync.Mutex // guards items, head and closed
	items  []*batch
	head   int
	closed bool
	ready  chan struct{} // capacity 1: wake-ups coalesce
}

func newQueue() *queue { return &queue{ready: make(chan struct{}, 1)} }

func (q *queue) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

func (q *queue) push(b *batch) {
	q.mu.Lock()
	q.items = append(q.items, b)
	q.mu.Unlock()
	q.signal()
}

// pushFront puts a batch back at the head, to be tried again first.
func (q *queue) pushFront(b *batch) {
	q.mu.Lock()
	if q.head > 0 {
		q.head--
		q.items[q.head] = b
	} else {
		q.items = append([]*batch{b}, q.items...)
	}
	q.mu.Unlock()
	q.signal()
}

// pop returns the next batch, waiting for one. It returns false when ctx
// ends, or when the queue is closed and empty.
func (q *queue) pop(ctx context.Context) (*batch, bool) {
	for {
		q.mu.Lock()
		if q.head < len(q.items) {
			b := q.items[q.head]
			q.items[q.head] = nil
			q.head++
			if q.head == len(q.items) {
				q.items, q.head = q.items[:0], 0
			}
			more := q.head < len(q.items)
			q.mu.Unlock()
			if more {
				q.signal() // pass the wake-up on to another consumer
			}
			return b, true
		}
		closed := q.closed
		q.mu.Unlock()
		if closed {
			q.signal() // let the other consumers see it too
			return nil, false
		}
		select {
		case <-q.ready:
		case <-ctx.Done():
			return nil, false
		}
	}
}

func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items) - q.head
}

// close makes pop return false once the queue is empty.
func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
}

// drain removes and returns what is left.
func (q *queue) drain() []*batch {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := append([]*batch(nil), q.items[q.head:]...)
	clear(q.items)
	q.items, q.head = q.items[:0], 0
	return out
}
