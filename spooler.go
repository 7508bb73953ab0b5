package o2kit

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/o2kit/o2kit/internal/spool"
	"github.com/o2kit/o2kit/internal/wire"
)

// openSpool opens the spool directory and queues what an earlier run left
// there, ahead of anything new.
func (c *Client) openSpool() error {
	sp, err := spool.Open(spool.Options{
		Dir:      c.cfg.spoolDir,
		MaxBytes: c.cfg.spoolMax,
		OnCorrupt: func(err error) {
			c.errs.Handle(fmt.Errorf("o2kit: spool: skipped a damaged region: %w", err))
		},
	})
	if err != nil {
		return &ConfigError{Setting: "spool", Value: c.cfg.spoolDir, Reason: err.Error(), Err: err}
	}
	c.spool = sp
	c.dead.path = filepath.Join(c.cfg.spoolDir, "dead-letter.ndjson")
	for _, e := range sp.Pending() {
		m, err := decodeMeta(e.Meta)
		if err != nil {
			c.errs.Handle(fmt.Errorf("o2kit: spool: frame %d: %w", e.ID, err))
			_ = sp.Ack(e.ID)
			continue
		}
		st := c.stream(m.typ, m.stream)
		if st == nil {
			_ = sp.Ack(e.ID)
			continue
		}
		b := c.batches.Get().(*batch)
		b.st, b.records, b.oldest, b.spoolID = st, m.records, m.oldest, e.ID
		b.epoch = c.track.add()
		st.c.replayed.Add(uint64(m.records))
		st.c.queued.Add(int64(m.records))
		c.sendQ.push(b)
	}
	return nil
}

// runSpooler writes sealed batches to the spool, then hands them to the
// senders. It drains its queue even after Shutdown's deadline: writing to
// local disk is what keeps those records.
func (c *Client) runSpooler() {
	for {
		b, ok := c.spoolQ.pop(context.Background())
		if !ok {
			return
		}
		c.persist(b)
	}
}

func (c *Client) persist(b *batch) {
	id, err := c.spool.Append(encodeMeta(b), b.body)
	switch {
	case errors.Is(err, spool.ErrFull):
		b.st.c.dropped.Add(uint64(b.records))
		b.st.c.queued.Add(-int64(b.records))
		c.errs.Handle(fmt.Errorf("o2kit: spool full (%d bytes): %d record(s) for stream %q dropped", c.spool.Size(), b.records, b.st.name))
		c.release(b)
		return
	case err != nil:
		// Without the disk the batch can still go from memory.
		c.errs.Handle(fmt.Errorf("o2kit: spool: %w", err))
		c.sendQ.push(b)
		return
	}
	b.spoolID = id
	b.st.c.spooled.Add(uint64(b.records))
	if c.budget.used.Load() > c.budget.max/2 {
		// Memory is filling up: this batch waits on disk, leaving the
		// rest of the budget to the open batches.
		c.budget.release(b.held)
		c.recycle(b.body)
		b.held, b.body = 0, nil
	}
	c.sendQ.push(b)
}

// body returns a batch's records, from memory or read back from the
// spool; loaded says the bytes were read and counted in the budget.
func (c *Client) body(b *batch) (body []byte, loaded bool, err error) {
	if b.body != nil {
		return b.body, false, nil
	}
	_, body, err = c.spool.Read(b.spoolID)
	if err != nil {
		return nil, false, err
	}
	c.budget.force(int64(len(body)))
	return body, true, nil
}

// retryLater puts a spooled batch back at the head of the queue. Records of
// it that were settled (after a 413 split) are counted now, and the rest
// replaces the batch in the spool.
func (c *Client) retryLater(b *batch, t tally) {
	if t.restN < b.records {
		done := t
		done.rest, done.restN = nil, 0
		c.count(b.st, done)
		b.st.c.queued.Add(-int64(b.records - t.restN))
		id, err := c.spool.Append(encodeMeta(&batch{st: b.st, records: t.restN, oldest: b.oldest}), t.rest)
		if err != nil {
			c.errs.Handle(fmt.Errorf("o2kit: spool: %w", err))
		} else {
			_ = c.spool.Ack(b.spoolID)
			b.spoolID = id
		}
		c.budget.release(b.held)
		c.recycle(b.body)
		b.held, b.body, b.records = 0, nil, t.restN
	}
	c.sendQ.pushFront(b)
}

func (c *Client) count(st *stream, t tally) {
	st.c.sent.Add(uint64(t.sent))
	st.c.partial.Add(uint64(t.partial))
	st.c.failed.Add(uint64(t.failed))
	st.c.deadLettered.Add(uint64(t.dead))
}

// meta is the header kept with each spooled batch.
type meta struct {
	typ     StreamType
	records int
	oldest  int64
	stream  string
}

const metaVersion = 1

func encodeMeta(b *batch) []byte {
	m := make([]byte, 0, 14+len(b.st.name))
	m = append(m, metaVersion, byte(b.st.typ))
	m = binary.LittleEndian.AppendUint32(m, uint32(b.records))
	m = binary.LittleEndian.AppendUint64(m, uint64(b.oldest))
	return append(m, b.st.name...)
}

func decodeMeta(m []byte) (meta, error) {
	if len(m) < 14 || m[0] != metaVersion || StreamType(m[1]) > Traces {
		return meta{}, errors.New("unknown batch header")
	}
	return meta{
		typ:     StreamType(m[1]),
		records: int(binary.LittleEndian.Uint32(m[2:])),
		oldest:  int64(binary.LittleEndian.Uint64(m[6:])),
		stream:  string(m[14:]),
	}, nil
}

// deadLetters appends records the server refused for good to a file in the
// spool directory, one JSON object per line.
type deadLetters struct {
	path string
	mu   sync.Mutex // guards f
	f    *os.File
}

func (d *deadLetters) write(stream string, records []byte) error {
	if d.path == "" {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.f == nil {
		f, err := os.OpenFile(d.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return err
		}
		d.f = f
	}
	var line []byte
	for len(records) > 0 {
		i := 0
		for i < len(records) && records[i] != '\n' {
			i++
		}
		line = append(line, `{"stream":`...)
		line = wire.AppendString(line, stream)
		line = append(line, `,"record":`...)
		line = append(line, records[:i]...)
		line = append(line, '}', '\n')
		records = records[min(i+1, len(records)):]
	}
	_, err := d.f.Write(line)
	return err
}

func (d *deadLetters) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.f != nil {
		_ = d.f.Close()
		d.f = nil
	}
}

func (c *Client) deadLetter(stream string, record []byte) {
	if err := c.dead.write(stream, record); err != nil {
		c.errs.Handle(fmt.Errorf("o2kit: dead-letter file: %w", err))
	}
	rec := record
	if len(rec) > maxErrorBody {
		rec = rec[:maxErrorBody]
	}
	c.errs.Handle(&DeadLetterError{Stream: stream, Record: append([]byte(nil), rec...), Size: len(record)})
}

// breaker pauses all senders after deliveries that got no answer, so a
// server that is down is probed with growing waits instead of a tight loop.
type breaker struct {
	mu       sync.Mutex // guards failures and until
	failures int
	until    time.Time
}

const (
	breakerBase = time.Second
	breakerMax  = 30 * time.Second
)

func (b *breaker) fail() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures++
	d := breakerMax
	if b.failures < 6 {
		d = min(breakerBase<<(b.failures-1), breakerMax)
	}
	// Half fixed, half jitter: replicas that lost the server together do
	// not come back together.
	b.until = time.Now().Add(d/2 + rand.N(d/2+1))
}

func (b *breaker) succeed() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures, b.until = 0, time.Time{}
}

// wait returns when the pause is over, or false if ctx ends first.
func (b *breaker) wait(ctx context.Context) bool {
	b.mu.Lock()
	d := time.Until(b.until)
	b.mu.Unlock()
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
