package o2kit

import (
	"context"
	"log/slog"
	"time"

	"github.com/o2kit/o2kit/internal/wire"
)

// maxSlogScratch bounds the attributes a pooled encoder state keeps for
// slog records.
const maxSlogScratch = 256

// EmitSlog is [Client.Emit] for a record a slog.Handler was given, for
// handlers that ship through the client. It emits the Record of stream at
// t (zero means now) whose attributes are head, then with (the handler's
// own), then r's: those with an empty key (groups aside) and empty groups
// left out, as slog asks of handlers, and each that holds an error
// wrapping others followed by a field key_chain, the type and text of
// each error it wraps, depth first ("*fs.PathError: open x: ... |
// syscall.Errno: no such file or directory"). r may be nil.
//
// The record is queued and encoded by the client's encoder goroutine (see
// "The data path" in the package doc). Processors, if any, run first, on
// the caller's goroutine, on the Record built of head, with and r's attrs;
// what they give back is queued. LogValuers are resolved and errors turned
// into their text before EmitSlog returns, head and with may be reused
// once it has, and r is kept as r.Clone keeps it. EmitSlog then returns
// the errors of taking the record (ErrClosed, ErrOverflow, ErrNoStream)
// and a processor's; a record refused only once encoded is counted as
// dropped and reported to the ErrorHandler, unless it held values of kind
// Any other than errors or was near a size limit: those are encoded before
// EmitSlog returns, as Emit does.
func (c *Client) EmitSlog(ctx context.Context, stream string, t time.Time, head, with []slog.Attr, r *slog.Record) error {
	es := c.encoders.Get().(*encState)
	var err error
	if len(c.cfg.processors) > 0 {
		err = c.emitSlogRecord(ctx, es, stream, t, head, with, r)
	} else {
		err = c.queueSlog(ctx, es, stream, t, head, with, r)
	}
	if cap(es.buf) <= 64<<10 && cap(es.attrs) <= maxSlogScratch && cap(es.settled) <= maxSlogScratch {
		c.encoders.Put(es)
	}
	return err
}

// emitSlogRecord builds the Record, runs the processors and queues what
// they give back.
func (c *Client) emitSlogRecord(ctx context.Context, es *encState, stream string, t time.Time, head, with []slog.Attr,
	r *slog.Record) error {
	attrs := append(append(es.attrs[:0], head...), with...)
	if r != nil {
		r.Attrs(func(a slog.Attr) bool {
			attrs = wire.AppendSlogAttr(attrs, a)
			return true
		})
	}
	es.attrs = attrs
	ps, static := c.processors(Logs)
	rec, keep, err := c.process(ctx, ps, Logs, Record{Stream: stream, Time: t, Attrs: attrs})
	if keep {
		err = c.queueProcessed(ctx, es, rec, static)
	}
	clear(attrs) // the pooled slice keeps no values alive
	return err
}

// appendSlog encodes the record EmitSlog was given into es.buf and
// returns it.
func (c *Client) appendSlog(es *encState, micros int64, id []byte, head, with []slog.Attr, r *slog.Record) []byte {
	e := &es.enc
	dst := e.Begin(es.buf[:0], micros, id)
	for i := range head {
		dst = e.Attr(dst, &head[i])
	}
	for i := range with {
		dst = e.Attr(dst, &with[i])
	}
	if r != nil {
		e.ErrorChains = true
		r.Attrs(func(a slog.Attr) bool {
			// slog's rules see a as given: one with an empty key is left
			// out unless it is a group, even a LogValuer that would
			// resolve to one (the encoder leaves out empty groups).
			if a.Key == "" && a.Value.Kind() != slog.KindGroup {
				return true
			}
			dst = e.Attr(dst, &a) // a itself: a copy would be read back in halves, a stall
			return true
		})
		e.ErrorChains = false
	}
	return e.End(dst)
}
