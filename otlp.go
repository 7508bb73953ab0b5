package o2kit

import (
	"context"
	"fmt"
	"time"

	"github.com/o2kit/o2kit/internal/transport"
)

// EmitOTLP queues body, one complete OTLP/protobuf ExportTraceServiceRequest
// holding items spans, as a batch of its own for the named stream of type
// typ (only [Traces] is taken). It is posted to /api/{org}/v1/traces with
// Content-Type application/x-protobuf and a stream-name header, through the
// same transport, byte budget, spool, retries, Flush, Shutdown and Stats as
// records of [Client.Emit]; Stats counts spans as records, keyed
// "traces:"+stream.
//
// EmitOTLP takes ownership of body: the caller must not touch it again. It
// never blocks beyond the overflow policy and ignores ctx's cancellation
// except as the bound of a [Block] wait. It returns nil when the body was
// taken (an empty body is taken and nothing is sent); ErrOverflow,
// ErrRecordTooLarge (a body larger than the whole byte budget),
// ErrNoStream or ErrClosed when it was dropped, its spans counted as
// Dropped.
//
// Unlike records, OTLP bodies go through no [Processor], get no id field and
// are never re-stamped: spans that waited past the server's ingest window
// (in the spool, say) are rejected by the server and counted as partial
// failures. A 413 splits the body in two by its resources, scopes or spans
// and sends each half; a single span the server still finds too large is
// counted as Failed and reported as a *DeliveryError, not dead-lettered.
// A batch replayed from the spool after a crash may be sent twice; the
// server does not de-duplicate spans.
func (c *Client) EmitOTLP(ctx context.Context, typ StreamType, stream string, body []byte, items int) error {
	if typ != Traces {
		return fmt.Errorf("o2kit: EmitOTLP takes Traces bodies, not stream type %d", typ)
	}
	if items < 0 {
		return fmt.Errorf("o2kit: EmitOTLP: %d items", items)
	}
	st := c.stream(typ, stream)
	if st == nil {
		return ErrNoStream
	}
	if len(body) == 0 {
		return nil
	}
	if c.closed.Load() {
		st.c.dropped.Add(uint64(items))
		return ErrClosed
	}
	n := int64(len(body))
	if n > c.budget.max {
		st.c.dropped.Add(uint64(items))
		return fmt.Errorf("%w: %d bytes, buffer limit %d", ErrRecordTooLarge, n, c.budget.max)
	}
	if !c.hold(ctx, n) {
		st.c.dropped.Add(uint64(items))
		return ErrOverflow
	}
	if !c.addWhole(st, body, items) {
		c.budget.release(n)
		st.c.dropped.Add(uint64(items))
		return ErrClosed
	}
	return nil
}

// addWhole queues body as a sealed batch of its own. Like add, it checks
// for Shutdown and queues under the stream's lock, so Shutdown's sealing
// pass orders it.
func (c *Client) addWhole(st *stream, body []byte, items int) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if c.closed.Load() {
		return false
	}
	b := c.batches.Get().(*batch)
	c.recycle(b.body)
	b.st, b.opened = st, time.Now()
	b.body, b.held, b.records = body, int64(len(body)), items
	b.oldest = c.cfg.now().UnixMicro()
	st.c.accepted.Add(uint64(items))
	st.c.queued.Add(int64(items))
	c.enqueue(b)
	return true
}

// ingestedOTLP tallies a 2xx answer to a traces request: the spans the
// answer's partial success rejected are partial failures.
func (c *Client) ingestedOTLP(st *stream, resp *transport.Response, n int, t *tally) {
	rejected, msg, err := otlpAnswer(resp.Status, resp.Header.Get("Content-Type"), resp.Body)
	if err != nil {
		// A 2xx is all there is to go on.
		t.sent += n
		c.errs.Handle(fmt.Errorf("o2kit: stream %q: unreadable OTLP answer %q: %w", st.name, clip(resp.Body), err))
		return
	}
	bad := int(min(max(rejected, 0), int64(n)))
	t.sent += n - bad
	if bad > 0 {
		t.partial += bad
		c.errs.Handle(&PartialError{Stream: st.name, Successful: n - bad, Failed: bad, Message: msg})
	}
}

// postSplitOTLP answers a 413 to a traces body: each half of the body is
// sent on its own; a body that cannot be cut (one span) fails.
func (c *Client) postSplitOTLP(ctx context.Context, st *stream, body []byte, n int, t *tally, herr error) {
	a, b, ok := splitSpans(body)
	if !ok {
		t.failed += n
		c.errs.Handle(&DeliveryError{Stream: st.name, Records: n, Err: herr})
		return
	}
	na, err := countSpans(a)
	if err != nil {
		na = n / 2
	}
	na = min(na, n)
	c.post(ctx, st, a, na, t)
	c.post(ctx, st, b, n-na, t)
}
