package o2kit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/o2kit/o2kit/internal/wire"
)

// The emit path: everything Emit does on the caller's goroutine, from the
// processors to the record's bytes in its stream's open batch.

func (c *Client) emit(ctx context.Context, typ StreamType, r Record) error {
	es := c.encoders.Get().(*encState)
	err := c.emitWith(ctx, es, typ, r)
	if cap(es.buf) <= 64<<10 {
		c.encoders.Put(es)
	}
	return err
}

// emitWith is emit with the encoder state es.
func (c *Client) emitWith(ctx context.Context, es *encState, typ StreamType, r Record) error {
	ps, static := c.processors(typ)
	if len(ps) > 0 {
		var keep bool
		var err error
		if r, keep, err = c.process(ctx, ps, typ, r); !keep {
			return err
		}
	}
	return c.encode(ctx, es, typ, r, static)
}

// processors returns the processors a record of type typ goes through,
// and the static fields the client appends in place of the last ones.
func (c *Client) processors(typ StreamType) ([]Processor, *wire.Static) {
	if typ == Logs && c.static != nil {
		return c.logHead, c.static
	}
	return c.cfg.processors, nil
}

// encode encodes r with es and moves it into its stream's open batch.
// The fields of static that r lacks are appended.
func (c *Client) encode(ctx context.Context, es *encState, typ StreamType, r Record, static *wire.Static) error {
	st, micros, id, err := c.admit(es, typ, r.Stream, r.Time)
	if err != nil {
		return err
	}
	es.buf = es.enc.AppendRecordStatic(es.buf[:0], micros, id, r.Attrs, static)
	return c.finish(ctx, es, st, micros)
}

// admit finds the stream of a record about to be encoded and checks that
// it may be taken, sparing the encoding when it may not: it returns the
// record's time (t, or now when t is zero) in µs and the id to write.
func (c *Client) admit(es *encState, typ StreamType, name string, t time.Time) (st *stream, micros int64, id []byte, err error) {
	if st, err = c.admitStream(es, typ, name); err != nil {
		return nil, 0, nil, err
	}
	if t.IsZero() {
		t = c.cfg.now()
	}
	if typ == Logs {
		id = c.recordID(es, t)
	}
	return st, t.UnixMicro(), id, nil
}

// recordID writes the id of a log record of time t into es.id and returns
// it, or nil when records carry no id.
func (c *Client) recordID(es *encState, t time.Time) []byte {
	if c.cfg.idKey == "" {
		return nil
	}
	return c.ids.Append(es.id[:0], t)
}

// tooLarge returns why an encoded record of n bytes cannot be taken: it
// would not fit in a batch. It returns nil when it would.
func (c *Client) tooLarge(n int) error {
	if n <= c.cfg.batchBytes {
		return nil
	}
	return fmt.Errorf("%w: %d bytes, limit %d", ErrRecordTooLarge, n, c.cfg.batchBytes)
}

// hold reserves n bytes of the budget, waiting for them under Block.
func (c *Client) hold(ctx context.Context, n int64) bool {
	return c.budget.reserve(n) || c.cfg.overflow.block && c.budget.wait(ctx, n, c.cfg.overflow.timeout)
}

// admitStream finds the stream of a record and checks that it may be
// taken.
func (c *Client) admitStream(es *encState, typ StreamType, name string) (*stream, error) {
	st := es.stream(c, typ, name)
	if st == nil {
		return nil, ErrNoStream
	}
	if c.closed.Load() {
		st.c.dropped.Add(1)
		return nil, ErrClosed
	}
	if !c.cfg.overflow.block && c.budget.used.Load() >= c.budget.max {
		// Full: no record fits.
		st.c.dropped.Add(1)
		return nil, ErrOverflow
	}
	return st, nil
}

// finish checks the record es.buf holds, gives it the own id it brought,
// and moves it into st's open batch.
func (c *Client) finish(ctx context.Context, es *encState, st *stream, micros int64) error {
	if err := c.check(es, st); err != nil {
		return err
	}
	return c.take(ctx, st, es.buf, micros)
}

// check is checkEncoded for a record of st, counting it as dropped when
// it fails.
func (c *Client) check(es *encState, st *stream) error {
	err := checkEncoded(es, st.typ)
	if err != nil {
		st.c.dropped.Add(1)
	}
	return err
}

// checkEncoded checks the record of type typ that es.buf holds, and gives
// it the own id it brought.
func checkEncoded(es *encState, typ StreamType) error {
	if typ == Metrics {
		// The metrics endpoint refuses a whole batch for one bad sample.
		if err := wire.CheckSample(es.buf); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidSample, err)
		}
	}
	if es.enc.Fields() > maxColumns && wire.Columns(es.buf, maxColumns) > maxColumns {
		// The server would drop the whole batch holding this record.
		return fmt.Errorf("%w: more than %d fields with a value", ErrTooManyFields, maxColumns)
	}
	if own, ok := es.enc.OwnID(); ok {
		// The record brought its id (see wire.Encoder.AppendRecord).
		// Keeping it lets the server de-duplicate a record restored twice,
		// or restored into a stream that still holds it.
		es.buf, _ = es.enc.ReplaceID(es.buf, own)
	}
	return nil
}

// maxColumns is the most fields a request's records for one stream may
// have together: OpenObserve's ZO_COLS_PER_RECORD_LIMIT (1000), less one
// for the field the server or the client may add (__hash__ to a metrics
// sample, original_timestamp to a re-stamped record). The server drops a
// batch with more as a whole, answering 200.
const maxColumns = 1000 - 1

// stream is c.stream, remembering the last stream this encoder wrote to:
// records come mostly from one logger at a time, and a map lookup hashes
// the name on every record. A name's stream never changes once found.
func (es *encState) stream(c *Client, typ StreamType, name string) *stream {
	if es.st != nil && es.stTyp == typ && es.stName == name {
		return es.st
	}
	st := c.stream(typ, name)
	if st != nil {
		es.st, es.stTyp, es.stName = st, typ, name
	}
	return st
}

// take moves an encoded record into its stream's open batch.
func (c *Client) take(ctx context.Context, st *stream, rec []byte, micros int64) error {
	n := int64(len(rec))
	if err := c.tooLarge(len(rec)); err != nil {
		st.c.dropped.Add(1)
		return err
	}
	if !c.hold(ctx, n) {
		st.c.dropped.Add(1)
		return ErrOverflow
	}
	if !c.add(st, rec, micros) {
		c.budget.release(n)
		st.c.dropped.Add(1)
		return ErrClosed
	}
	return nil
}

// process runs the processors ps; keep is false when one dropped the record.
func (c *Client) process(ctx context.Context, ps []Processor, typ StreamType, r Record) (Record, bool, error) {
	for _, p := range ps {
		out, err := p.Process(ctx, r)
		if err == nil {
			r = out
			continue
		}
		if st := c.stream(typ, r.Stream); st != nil {
			if errors.Is(err, ErrDrop) {
				st.c.filtered.Add(1)
			} else {
				st.c.failed.Add(1)
			}
		}
		if errors.Is(err, ErrDrop) {
			return r, false, nil
		}
		return r, false, err
	}
	return r, true, nil
}
