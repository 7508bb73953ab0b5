package o2kit

import (
	"net/http"
	"sync"
	"time"
)

// StreamType is the kind of stream a record goes to, which decides the
// ingestion endpoint.
type StreamType uint8

const (
	// Logs streams take records through /api/{org}/{stream}/_multi.
	Logs StreamType = iota
	// Metrics records are samples for /api/{org}/ingest/metrics/_json: each
	// needs a __name__ (its stream) and a numeric value, may have __type__
	// and labels, and carries no record id.
	Metrics
	// Traces batches are OTLP/protobuf ExportTraceServiceRequest bodies for
	// /api/{org}/v1/traces, the stream named by the stream-name header.
	// They are queued whole by [Client.EmitOTLP], one body a batch; Emit
	// and EmitAs do not take them.
	Traces
)

// batch is a run of encoded records for one stream, sent in one request.
type batch struct {
	st      *stream
	body    []byte // NDJSON; nil while the batch is only on disk
	records int
	held    int64 // bytes of body counted in the budget
	oldest  int64 // earliest record time, µs
	opened  time.Time
	epoch   uint64
	spoolID uint64 // 0 when not in the spool
}

// stream holds one stream's open batch and counters.
type stream struct {
	name string // normalised
	typ  StreamType
	path string      // ingestion path below the endpoint
	head http.Header // extra request headers; shared, read-only
	c    counters

	mu   sync.Mutex // guards open and hint
	open *batch
	hint int // capacity to give a new batch's body: the last sealed size plus an eighth
}

// add appends an encoded record to the open batch, sealing and queueing
// the previous batch when rec would not fit and the new one when it reaches
// the record count. It reports false when the client has begun shutting
// down. Both the check and the queueing happen under the stream's lock, so
// once Shutdown has taken each lock in turn to seal the open batches, every
// record taken before is queued and none can be taken after.
func (c *Client) add(st *stream, rec []byte, micros int64) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if c.closed.Load() {
		return false
	}
	st.c.accepted.Add(1)
	st.c.queued.Add(1)
	c.addLocked(st, rec, micros)
	return true
}

// put is add for a record the record queue took, and counted, before:
// Shutdown encodes the queue's records before it seals the open batches.
func (c *Client) put(st *stream, rec []byte, micros int64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	c.addLocked(st, rec, micros)
}

// addLocked appends rec to st's open batch. The caller holds st.mu.
func (c *Client) addLocked(st *stream, rec []byte, micros int64) {
	b := st.open
	if b != nil && len(b.body)+len(rec) > c.cfg.batchBytes {
		c.seal(st, b)
		b = nil
	}
	if b == nil {
		b = c.newBatch(st)
		c.wakeFlusher()
	}
	b.body = append(b.body, rec...)
	b.held += int64(len(rec))
	b.records++
	if b.records == 1 || micros < b.oldest {
		b.oldest = micros
	}
	if b.records >= c.cfg.batchSize {
		c.seal(st, b)
		b = nil
	}
	st.open = b
}

// seal queues a full batch and remembers its size for the next one. The
// caller holds st.mu.
func (c *Client) seal(st *stream, b *batch) {
	st.hint = min(len(b.body)+len(b.body)/8, c.cfg.batchBytes+c.cfg.batchBytes/8)
	c.enqueue(b)
}

// newBatch opens a batch with room for about as much as the stream's last
// one held, so its body rarely grows. The caller holds st.mu.
func (c *Client) newBatch(st *stream) *batch {
	b := c.batches.Get().(*batch)
	b.st, b.opened = st, time.Now()
	if cap(b.body) < st.hint {
		b.body = c.spareBody(st.hint)
	}
	return b
}

// spareBody returns an empty body of at least n bytes' capacity, recycled
// when one is at hand.
func (c *Client) spareBody(n int) []byte {
	for range 2 {
		select {
		case body := <-c.spare:
			if cap(body) >= n {
				return body[:0]
			}
		default:
			return make([]byte, 0, n)
		}
	}
	return make([]byte, 0, n)
}

// recycle keeps a body that its batch no longer needs for a later batch,
// up to a bound; the rest is left to the garbage collector.
func (c *Client) recycle(body []byte) {
	if cap(body) == 0 || cap(body) > 2*c.cfg.batchBytes {
		return
	}
	select {
	case c.spare <- body[:0]:
	default:
	}
}

// release frees a batch that is settled (or given up on) and marks it done
// for Flush, in that order, so that a Flush that returns finds its memory
// already released.
func (c *Client) release(b *batch) {
	epoch := b.epoch
	c.freeBatch(b)
	c.track.done(epoch)
}

// freeBatch returns a settled batch's memory to the pools.
func (c *Client) freeBatch(b *batch) {
	c.budget.release(b.held)
	body := b.body
	*b = batch{}
	if cap(body) > 0 && cap(body) <= 2*c.cfg.batchBytes {
		b.body = body[:0]
	}
	c.batches.Put(b)
}

// sealOpen seals the stream's open batch if it was opened before cutoff
// (any, when cutoff is zero) and returns it, plus when the remaining open
// batch falls due.
func (st *stream) sealOpen(cutoff time.Time) *batch {
	st.mu.Lock()
	defer st.mu.Unlock()
	b := st.open
	if b == nil || (!cutoff.IsZero() && b.opened.After(cutoff)) {
		return nil
	}
	st.open = nil
	return b
}

// openSince reports when the stream's open batch was opened.
func (st *stream) openSince() (time.Time, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.open == nil {
		return time.Time{}, false
	}
	return st.open.opened, true
}

// sealAll seals every open batch and queues it.
func (c *Client) sealAll() {
	for _, st := range c.streamList() {
		if b := st.sealOpen(time.Time{}); b != nil {
			c.enqueue(b)
		}
	}
}

func (c *Client) wakeFlusher() {
	select {
	case c.flushWake <- struct{}{}:
	default:
	}
}

// runFlusher seals batches that have been open for a flush interval. It
// sleeps until the oldest open batch falls due, or until a batch opens.
func (c *Client) runFlusher() {
	timer := time.NewTimer(c.cfg.flushInterval)
	defer timer.Stop()
	for {
		select {
		case <-c.stopFlusher:
			return
		case <-c.flushWake:
		case <-timer.C:
		}
		now := time.Now()
		next := c.cfg.flushInterval
		for _, st := range c.streamList() {
			if b := st.sealOpen(now.Add(-c.cfg.flushInterval)); b != nil {
				c.enqueue(b)
				continue
			}
			if since, ok := st.openSince(); ok {
				next = min(next, since.Add(c.cfg.flushInterval).Sub(now))
			}
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(max(next, time.Millisecond))
	}
}

// tracker counts unsettled batches by the flush epoch they were sealed in,
// so Flush can wait for exactly the batches sealed before it.
type tracker struct {
	mu      sync.Mutex // guards all fields
	epoch   uint64
	open    map[uint64]int
	settled chan struct{} // closed and replaced whenever a batch settles
}

func newTracker() *tracker {
	return &tracker{open: map[uint64]int{}, settled: make(chan struct{})}
}

func (t *tracker) add() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.open[t.epoch]++
	return t.epoch
}

func (t *tracker) done(epoch uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.open[epoch]--; t.open[epoch] <= 0 {
		delete(t.open, epoch)
	}
	close(t.settled)
	t.settled = make(chan struct{})
}

// advance closes the current epoch and returns it.
func (t *tracker) advance() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.epoch++
	return t.epoch - 1
}

// pending reports the batches of epochs up to e not yet settled, and a
// channel closed at the next settlement.
func (t *tracker) pending(e uint64) (int, <-chan struct{}) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for epoch, k := range t.open {
		if epoch <= e {
			n += k
		}
	}
	return n, t.settled
}
