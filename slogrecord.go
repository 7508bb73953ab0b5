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
// Without processors the attributes are encoded straight from head, with
// and r, with no slice of them all built.
func (c *Client) EmitSlog(ctx context.Context, stream string, t time.Time, head, with []slog.Attr, r *slog.Record) error {
	es := c.encoders.Get().(*encState)
	var err error
	if len(c.cfg.processors) > 0 {
		err = c.emitSlogRecord(ctx, es, stream, t, head, with, r)
	} else {
		err = c.encodeSlog(ctx, es, stream, t, head, with, r)
	}
	if cap(es.buf) <= 64<<10 && cap(es.attrs) <= maxSlogScratch {
		c.encoders.Put(es)
	}
	return err
}

// emitSlogRecord builds the Record, for the processors.
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
	err := c.emitWith(ctx, es, Logs, Record{Stream: stream, Time: t, Attrs: attrs})
	clear(attrs) // the pooled slice keeps no values alive
	return err
}

// encodeSlog encodes the record and moves it into its stream's open
// batch, as encode does for a Record.
func (c *Client) encodeSlog(ctx context.Context, es *encState, stream string, t time.Time, head, with []slog.Attr,
	r *slog.Record) error {
	st, micros, id, err := c.admit(es, Logs, stream, t)
	if err != nil {
		return err
	}
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
	es.buf = e.End(dst)
	return c.finish(ctx, es, st, micros)
}
