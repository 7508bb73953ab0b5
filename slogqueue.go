package o2kit

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/o2kit/o2kit/internal/norm"
	"github.com/o2kit/o2kit/internal/wire"
)

// Queueing a slog record. EmitSlog does not encode the record on the
// caller's goroutine: after the processors, if any, it copies what the
// record holds into a slot of the record queue (recordqueue.go) and
// returns, and the client's encoder goroutine writes the JSON later. The caller's share of
// a record is then a copy, not an encoding.
//
// What could change after the call is settled at the call, on the
// caller's goroutine: LogValuers are resolved, errors become their text
// (and chain), the head and with attrs are copied with the members of
// their groups. The record itself is kept as slog.Record.Clone keeps it:
// its attrs' values are immutable, and the slice of a group it holds may
// not be changed once given to slog.GroupValue.
//
// A record that holds a value the encoder would have to reach into later
// (of kind Any and not an error, a LogValuer or error inside a group, more
// than maxSubs LogValuers and errors), or that is near a size limit, is
// encoded on the caller's goroutine as before and queued as bytes, so a
// stream's records keep their order either way. So does a record that
// finds the queue full when its caller may not wait (the default
// DropNewest): its caller encodes it straight into its batch.

// queueSlog settles the record and queues it for the encoder goroutine.
func (c *Client) queueSlog(ctx context.Context, es *encState, stream string, t time.Time, head, with []slog.Attr,
	r *slog.Record) error {
	return c.queueParts(ctx, es, &es.attrs, stream, t, head, with, r, nil)
}

// queueProcessed queues a record the processors gave back, to be
// followed by the fields of static.
func (c *Client) queueProcessed(ctx context.Context, es *encState, rec Record, static *wire.Static) error {
	return c.queueParts(ctx, es, &es.settled, rec.Stream, rec.Time, rec.Attrs, nil, nil, static)
}

// queueParts settles a record in *scratch and queues it: head, with and
// the slog.Record r as EmitSlog was given them; or, processed, its attrs as
// head and the fields of static to follow them, with r nil. (Passed one by
// one: a struct of them would leak r to the heap with static.)
func (c *Client) queueParts(ctx context.Context, es *encState, scratch *[]slog.Attr, stream string, t time.Time,
	head, with []slog.Attr, r *slog.Record, static *wire.Static) error {
	st, err := c.admitStream(es, Logs, stream)
	if err != nil {
		return err
	}
	if t.IsZero() {
		t = c.cfg.now()
	}
	attrs, cost, ok := c.settleSlog((*scratch)[:0], &es.subs, head, with, r)
	*scratch = attrs
	switch {
	case !ok || cost.bytes > int64(c.cfg.batchBytes)/4 || cost.fields > maxColumns/4:
		// Encoded here, as are records near a limit: the caller learns
		// of a refusal.
		err = c.queueEncoded(ctx, es, st, t, head, with, r, static)
	default:
		nhead := len(head) + len(with)
		var queued bool
		if queued, err = c.queueRecord(ctx, st, t, attrs, nhead, &es.subs, r, static, cost); !queued && err == nil {
			err = c.encodeSettled(ctx, es, st, t, attrs, nhead, r, static)
		}
	}
	clear(attrs) // the pooled slice keeps no values alive
	return err
}

// encodeSettled encodes a settled record on the caller's goroutine,
// straight into its batch, for a full queue the caller may not wait on.
func (c *Client) encodeSettled(ctx context.Context, es *encState, st *stream, t time.Time, attrs []slog.Attr,
	nhead int, r *slog.Record, static *wire.Static) error {
	micros := t.UnixMicro()
	es.buf = appendSettled(&es.enc, es.buf[:0], micros, c.recordID(es, t), attrs, nhead, &es.subs, r, static)
	return c.finish(ctx, es, st, micros)
}

// appendSettled encodes a settled record: attrs[:nhead], then r's, each
// that subs places replaced by what it settled as; or, with static,
// attrs and then the fields of static the record lacks.
func appendSettled(e *wire.Encoder, dst []byte, micros int64, id []byte, attrs []slog.Attr, nhead int, subs *subs,
	r *slog.Record, static *wire.Static) []byte {
	if static != nil {
		return e.AppendRecordStatic(dst, micros, id, attrs, static)
	}
	dst = e.Begin(dst, micros, id)
	for i := range attrs[:nhead] {
		dst = e.Attr(dst, &attrs[i])
	}
	if r == nil {
		return e.End(dst)
	}
	rest := attrs[nhead:]
	at, j := int32(0), 0
	r.Attrs(func(a slog.Attr) bool {
		if j < subs.len && subs.at[j] == at {
			n := int(subs.n[j])
			for i := range rest[:n] {
				dst = e.Attr(dst, &rest[i])
			}
			rest, j = rest[n:], j+1
		} else if a.Key != "" || a.Value.Kind() == slog.KindGroup {
			dst = e.Attr(dst, &a) // a itself: a copy would be read back in halves, a stall
		}
		at++
		return true
	})
	return e.End(dst)
}

// queueEncoded encodes the record on the caller's goroutine, checks it as
// Emit does, and queues its bytes.
func (c *Client) queueEncoded(ctx context.Context, es *encState, st *stream, t time.Time, head, with []slog.Attr,
	r *slog.Record, static *wire.Static) error {
	id := c.recordID(es, t)
	if static != nil {
		es.buf = es.enc.AppendRecordStatic(es.buf[:0], t.UnixMicro(), id, head, static)
	} else {
		es.buf = c.appendSlog(es, t.UnixMicro(), id, head, with, r)
	}
	if err := c.check(es, st); err != nil {
		return err
	}
	if err := c.tooLarge(len(es.buf)); err != nil {
		st.c.dropped.Add(1)
		return err
	}
	queued, err := c.queueEncodedRecord(ctx, st, t, es.buf)
	if !queued && err == nil {
		err = c.take(ctx, st, es.buf, t.UnixMicro())
	}
	return err
}

// queueRecord reserves the bytes cost counted and puts the record at the
// end of the queue: attrs (head and with, then what the record's
// LogValuers and errors settled as), where subs places them, a clone of
// r and static. The members of the groups in attrs are copied: the caller may
// reuse what it passed once EmitSlog returns. A record's own groups are
// not: slog.GroupValue's slice is not to be changed once given. With
// queueLimit records queued, queueRecord waits for room under Block, and
// otherwise returns false and no error: the caller then encodes the record
// into its batch itself.
func (c *Client) queueRecord(ctx context.Context, st *stream, t time.Time, attrs []slog.Attr, nhead int, subs *subs,
	r *slog.Record, static *wire.Static, cost queueCost) (bool, error) {
	q, err := c.queueSlot(ctx, st, cost.bytes)
	if q == nil {
		return false, err
	}
	p := q.slot()
	p.st, p.t, p.held = st, t, cost.bytes
	p.fill(attrs, cost.members)
	p.nhead, p.subs, p.static = nhead, *subs, static
	if r != nil {
		p.rec, p.hasRec = r.Clone(), true
	}
	q.commit(st)
	return true, nil
}

// queueEncodedRecord queues a record the caller encoded, as queueRecord
// does.
func (c *Client) queueEncodedRecord(ctx context.Context, st *stream, t time.Time, enc []byte) (bool, error) {
	q, err := c.queueSlot(ctx, st, int64(len(enc)))
	if q == nil {
		return false, err
	}
	p := q.slot()
	p.st, p.t, p.held, p.encoded = st, t, int64(len(enc)), true
	p.enc = append(p.enc[:0], enc...)
	q.commit(st)
	return true, nil
}

// queueSlot reserves held bytes for a record and makes room for it in the
// queue. It returns the queue locked, or nil and why not (no error: the
// queue is full and the caller may not wait).
func (c *Client) queueSlot(ctx context.Context, st *stream, held int64) (*recordQueue, error) {
	if !c.hold(ctx, held) {
		st.c.dropped.Add(1)
		return nil, ErrOverflow
	}
	q := &c.queue
	q.mu.Lock()
	var err error
	switch {
	case q.n >= queueLimit && !q.closed && !c.cfg.overflow.block:
	case q.n >= queueLimit && !q.closed && !q.waitRoom(ctx, c.cfg.overflow.timeout):
		err = ErrOverflow
	case q.closed:
		err = ErrClosed
	default:
		return q, nil
	}
	q.mu.Unlock()
	c.budget.release(held)
	if err != nil {
		st.c.dropped.Add(1)
	}
	return nil, err
}

// settleSlog appends head and with to dst, then what r's LogValuers and
// errors settle as, placed by subs, so that the encoder goroutine may read
// the record later; and it estimates what the record holds. ok is false
// when an attr cannot wait (see the top of this file).
func (c *Client) settleSlog(dst []slog.Attr, subs *subs, head, with []slog.Attr, r *slog.Record) (_ []slog.Attr,
	cost queueCost, ok bool) {
	cost.bytes = 64
	subs.len = 0
	for _, list := range [2][]slog.Attr{head, with} {
		for i := range list {
			if dst, ok = c.settleAttr(dst, &list[i], false, &cost); !ok {
				return dst, cost, false
			}
		}
	}
	if r == nil {
		return dst, cost, true
	}
	ok = true
	var at int32
	r.Attrs(func(a slog.Attr) bool {
		switch k := a.Value.Kind(); {
		case a.Key == "" && k != slog.KindGroup:
			// left out, as slog asks
		case k == slog.KindLogValuer || k == slog.KindAny:
			if subs.len == maxSubs {
				ok = false
				break
			}
			n := len(dst)
			dst, ok = c.settleAttr(dst, &a, true, &cost)
			subs.at[subs.len], subs.n[subs.len] = at, uint8(len(dst)-n)
			subs.len++
		case k == slog.KindGroup:
			cost.fields++
			// Not copied: counted as members would make room for them.
			var own queueCost
			ok = plainGroup(a.Value.Group(), &own)
			cost.bytes, cost.fields = cost.bytes+own.bytes, cost.fields+own.fields
		default:
			cost.addKind(&a, k)
		}
		at++
		return ok
	})
	return dst, cost, ok
}

// attrBytes is the estimated memory of one queued attribute besides its
// strings.
const attrBytes = 48

// settleAttr appends a settled: a LogValuer resolved (the encoder follows
// what it resolves to with no chain), an error as its text, followed by
// its chain when chain is true, as it is for a record's own top-level
// attrs.
func (c *Client) settleAttr(dst []slog.Attr, a *slog.Attr, chain bool, cost *queueCost) ([]slog.Attr, bool) {
	switch k := a.Value.Kind(); k {
	case slog.KindBool, slog.KindDuration, slog.KindFloat64, slog.KindInt64, slog.KindString, slog.KindTime,
		slog.KindUint64:
		cost.addKind(a, k)
		return append(dst, *a), true
	case slog.KindGroup:
		cost.fields++
		return append(dst, *a), plainGroup(a.Value.Group(), cost)
	case slog.KindLogValuer:
		r := slog.Attr{Key: a.Key, Value: a.Value.Resolve()}
		return c.settleAttr(dst, &r, false, cost)
	}
	return c.settleError(dst, a, chain, cost)
}

// settleError is settleAttr for a value of kind Any: only an error
// settles, as its text.
func (c *Client) settleError(dst []slog.Attr, a *slog.Attr, chain bool, cost *queueCost) ([]slog.Attr, bool) {
	err, isErr := a.Value.Any().(error)
	if !isErr || !c.textKey(a.Key) {
		return dst, false
	}
	if _, marshals := err.(json.Marshaler); marshals {
		return dst, false
	}
	ca, wraps := wire.ChainAttr(a)
	text := slog.Attr{Key: a.Key, Value: slog.StringValue(wire.ErrorText(err))}
	cost.add(&text)
	dst = append(dst, text)
	if chain && wraps {
		cost.add(&ca)
		dst = append(dst, ca)
	}
	return dst, true
}

// plainGroup reports whether the attrs hold plain values only, in groups
// as deep as they go, adding them to cost.
func plainGroup(attrs []slog.Attr, cost *queueCost) bool {
	cost.members += len(attrs)
	for i := range attrs {
		a := &attrs[i]
		switch k := a.Value.Kind(); k {
		case slog.KindGroup:
			if !plainGroup(a.Value.Group(), cost) {
				return false
			}
		case slog.KindAny, slog.KindLogValuer:
			return false
		default:
			cost.addKind(a, k)
		}
	}
	return true
}

// queueCost estimates what a queued record holds: the bytes of its
// attributes and strings, and its fields.
type queueCost struct {
	bytes   int64
	fields  int
	members int // of groups, at every depth
}

func (qc *queueCost) add(a *slog.Attr) { qc.addKind(a, a.Value.Kind()) }

// addKind is add for an attr whose value is of kind k.
func (qc *queueCost) addKind(a *slog.Attr, k slog.Kind) {
	qc.bytes += attrBytes + int64(len(a.Key))
	if k == slog.KindString {
		qc.bytes += int64(len(a.Value.String()))
	}
	qc.fields++
}

// textKey reports whether an error under key may be queued as its text: an
// error and a string are written alike, except under a key that
// normalises to a reserved field.
func (c *Client) textKey(key string) bool {
	if key == "" {
		return false
	}
	if b := key[0]; !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9') {
		return false // might normalise to _timestamp or _id
	}
	return c.cfg.idKey == "" || !norm.SameKey(key, c.cfg.idKey)
}
