package o2kit

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/o2kit/o2kit/internal/wire"
)

// The record queue holds the slog records EmitSlog took, in order, until
// the client's encoder goroutine writes them into their streams' open
// batches. See slogqueue.go for what the caller puts in it.

// chunkLen is the number of records a chunk of the queue holds.
const chunkLen = 128

// queueLimit is the most records queued. More wait for room under Block,
// or are encoded by their callers.
const queueLimit = 2 * chunkLen

// maxFreeChunks bounds the emptied chunks kept for reuse: a full queue's,
// and as many again for the records queued while it is encoded.
const maxFreeChunks = 2 * queueLimit / chunkLen

// queueLatency is the longest a record waits in the queue before the
// encoder goroutine is woken for it. A batch's worth of records wakes it
// at once.
const queueLatency = 20 * time.Millisecond

// queuedRecord is one record in the queue.
type queuedRecord struct {
	st      *stream
	t       time.Time
	attrs   []slog.Attr // head and with, then what the record's LogValuers and errors settled as
	nhead   int         // attrs[:nhead] are head and with
	subs    subs        // where the rest of attrs go in rec
	rec     slog.Record // the record, cloned; without one, hasRec is false
	hasRec  bool
	static  *wire.Static // the fields to follow attrs, for a processed record
	arena   []slog.Attr  // the members of attrs' groups, copied
	enc     []byte       // the whole record, when encoded by the caller
	encoded bool         // enc holds the record
	held    int64        // bytes counted in the budget
}

// maxSubs bounds the attrs of a record (LogValuers and errors) that are
// settled at the call for the record to be queued.
const maxSubs = 4

// subs places the attrs settled for a record's LogValuers and errors.
type subs struct {
	at  [maxSubs]int32 // the position of each among the record's attrs
	n   [maxSubs]uint8 // the attrs it settled as: itself, or an error's text and chain
	len int
}

// chunk is a run of queued records.
type chunk struct {
	recs [chunkLen]queuedRecord
	n    int
	next *chunk
}

// recordQueue holds the queued records in order.
type recordQueue struct {
	mu     sync.Mutex // guards the fields up to wake
	first  *chunk
	last   *chunk
	n      int // records queued
	free   *chunk
	nfree  int
	closed bool
	room   chan struct{} // closed when the queue empties, for callers waiting on a full one

	wake   chan struct{} // capacity 1: wake-ups coalesce
	wakeAt int           // the records queued that wake the encoder goroutine at once: a batch's, at most half the limit
	timer  *time.Timer   // wakes the encoder goroutine queueLatency after a record finds the queue empty

	drainMu sync.Mutex // one drain at a time, so records keep their order
	es      encState   // the drain's; guarded by drainMu
}

func (q *recordQueue) init(idKey string, batchSize int) {
	q.wake = make(chan struct{}, 1)
	q.wakeAt = min(batchSize, queueLimit/2)
	q.timer = time.AfterFunc(time.Hour, q.signal)
	q.timer.Stop()
	q.es.enc.IDKey = idKey
}

// signal wakes the encoder goroutine.
func (q *recordQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// slot returns the next free slot, at the end of the queue. The caller
// holds q.mu.
func (q *recordQueue) slot() *queuedRecord {
	ch := q.last
	if ch == nil || ch.n == chunkLen {
		ch = q.free
		if ch != nil {
			q.free, ch.next = ch.next, nil
			q.nfree--
		} else {
			ch = new(chunk)
		}
		if q.last == nil {
			q.first = ch
		} else {
			q.last.next = ch
		}
		q.last = ch
	}
	ch.n++
	return &ch.recs[ch.n-1]
}

// commit counts the record just put in the queue's last slot, unlocks
// the queue and wakes the encoder goroutine when it is due.
func (q *recordQueue) commit(st *stream) {
	q.n++
	n := q.n
	st.c.accepted.Add(1)
	st.c.queued.Add(1)
	q.mu.Unlock()
	switch n {
	case 1:
		q.timer.Reset(queueLatency)
	case q.wakeAt:
		q.signal()
	}
}

// waitRoom waits until fewer than queueLimit records are queued, the
// queue is closed, timeout passes or ctx ends; it reports whether there
// is room. The caller holds q.mu, which is released while waiting.
func (q *recordQueue) waitRoom(ctx context.Context, timeout time.Duration) bool {
	var timeUp <-chan time.Time
	for q.n >= queueLimit && !q.closed {
		if q.room == nil {
			q.room = make(chan struct{})
		}
		room := q.room
		q.mu.Unlock()
		q.signal()
		if timeUp == nil {
			timer := time.NewTimer(timeout)
			defer timer.Stop()
			timeUp = timer.C
		}
		select {
		case <-room:
		case <-timeUp:
			q.mu.Lock()
			return false
		case <-ctx.Done():
			q.mu.Lock()
			return false
		}
		q.mu.Lock()
	}
	return true
}

// copyGroup copies the members of a group into p.arena, which has room
// for them all, so no group copied before moves.
func (p *queuedRecord) copyGroup(g []slog.Attr) slog.Value {
	start := len(p.arena)
	p.arena = append(p.arena, g...)
	own := p.arena[start:len(p.arena):len(p.arena)]
	for i := range own {
		if own[i].Value.Kind() == slog.KindGroup {
			own[i].Value = p.copyGroup(own[i].Value.Group())
		}
	}
	return slog.GroupValue(own...)
}

// runQueue is the encoder goroutine.
func (c *Client) runQueue() {
	for {
		select {
		case <-c.queue.wake:
			c.drainQueue()
		case <-c.stopFlusher:
			return
		}
	}
}

// drainQueue encodes every queued record into its stream's open batch.
func (c *Client) drainQueue() {
	q := &c.queue
	q.drainMu.Lock()
	defer q.drainMu.Unlock()
	q.mu.Lock()
	first := q.first
	q.first, q.last, q.n = nil, nil, 0
	if q.room != nil {
		close(q.room)
		q.room = nil
	}
	q.mu.Unlock()
	for ch := first; ch != nil; {
		for i := range ch.recs[:ch.n] {
			p := &ch.recs[i]
			c.encodeQueued(&q.es, p)
			p.reset()
		}
		ch.n = 0
		next := ch.next
		q.recycle(ch)
		ch = next
	}
}

// reset empties p for reuse, keeping the memory of its slices up to a
// bound.
func (p *queuedRecord) reset() {
	clear(p.attrs) // keep no values alive
	clear(p.arena)
	p.st, p.static, p.attrs, p.arena, p.enc = nil, nil, p.attrs[:0], p.arena[:0], p.enc[:0]
	if p.hasRec {
		p.rec, p.hasRec = slog.Record{}, false
	}
	p.encoded = false
	if cap(p.attrs) > maxSlogScratch {
		p.attrs = nil
	}
	if cap(p.arena) > maxSlogScratch {
		p.arena = nil
	}
	if cap(p.enc) > maxKeptRecord {
		p.enc = nil
	}
}

// fill copies a record's settled attrs into p; members is the number of
// members of their groups, at every depth.
func (p *queuedRecord) fill(attrs []slog.Attr, members int) {
	p.attrs = append(p.attrs, attrs...)
	if members == 0 {
		return
	}
	p.arena = slices.Grow(p.arena, members)
	for i := range p.attrs {
		if p.attrs[i].Value.Kind() == slog.KindGroup {
			p.attrs[i].Value = p.copyGroup(p.attrs[i].Value.Group())
		}
	}
}

// maxKeptRecord bounds the encoded record a queue slot keeps the memory
// of.
const maxKeptRecord = 4 << 10

// recycle keeps an emptied chunk for reuse, up to maxFreeChunks.
func (q *recordQueue) recycle(ch *chunk) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.nfree < maxFreeChunks {
		ch.next, q.free = q.free, ch
		q.nfree++
	}
}

// encodeQueued moves a queued record into its stream's open batch.
// Failures are the caller's no more: they are counted and reported.
func (c *Client) encodeQueued(es *encState, p *queuedRecord) {
	st := p.st
	rec, err := p.enc, error(nil)
	if !p.encoded {
		rec, err = c.encodeAttrs(es, p)
	}
	c.budget.release(p.held)
	if err == nil {
		err = c.tooLarge(len(rec))
	}
	if err != nil {
		st.c.queued.Add(-1)
		st.c.dropped.Add(1)
		c.errs.Handle(fmt.Errorf("o2kit: stream %q: record dropped: %w", st.name, err))
		return
	}
	c.budget.force(int64(len(rec)))
	c.put(st, rec, p.t.UnixMicro())
}

// encodeAttrs encodes a record queued as attributes and checks it as Emit
// would have.
func (c *Client) encodeAttrs(es *encState, p *queuedRecord) ([]byte, error) {
	var r *slog.Record
	if p.hasRec {
		r = &p.rec
	}
	es.buf = appendSettled(&es.enc, es.buf[:0], p.t.UnixMicro(), c.recordID(es, p.t), p.attrs, p.nhead, &p.subs, r, p.static)
	if err := checkEncoded(es, Logs); err != nil {
		return nil, err
	}
	return es.buf, nil
}

// closeQueue refuses further records and encodes those queued. It runs in
// Shutdown, after the encoder goroutine has stopped and before the open
// batches are sealed.
func (c *Client) closeQueue() {
	q := &c.queue
	q.timer.Stop()
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	c.drainQueue()
}
