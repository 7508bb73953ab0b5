package o2kit

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/o2kit/o2kit/internal/transport"
	"github.com/o2kit/o2kit/internal/wire"
)

// runSender delivers batches until the queue is closed and empty, or the
// run ends at Shutdown's deadline.
func (c *Client) runSender() {
	for {
		b, ok := c.sendQ.pop(c.runCtx)
		if !ok {
			return
		}
		if !c.breaker.wait(c.runCtx) {
			c.abandon(b)
			continue
		}
		c.deliver(b)
	}
}

// tally is what became of a batch's records in one delivery.
type tally struct {
	sent, partial, failed, dead int
	rest                        []byte // records that got no final answer, to try again later
	restN                       int
	restErr                     error
}

func (t *tally) unsent(body []byte, n int, err error) {
	t.rest = append(t.rest, body...)
	t.restN += n
	t.restErr = err
}

// deliver sends one batch and settles it, or, when the server cannot be
// reached and the batch is in the spool, puts it back to try again later.
func (c *Client) deliver(b *batch) {
	body, loaded, err := c.body(b)
	if err != nil {
		c.errs.Handle(fmt.Errorf("o2kit: stream %q: %d record(s) unreadable from the spool: %w", b.st.name, b.records, err))
		c.settle(b, tally{failed: b.records})
		return
	}
	if loaded {
		defer func() {
			c.budget.release(int64(len(body)))
			c.recycle(body)
		}()
	}
	var t tally
	c.post(c.runCtx, b.st, c.restamp(b, body), b.records, &t)
	switch {
	case t.restN == 0:
		c.breaker.succeed()
		c.settle(b, t)
	case c.runCtx.Err() != nil:
		c.giveUp(b, t)
	case b.spoolID != 0:
		c.breaker.fail()
		c.retryLater(b, t)
	default:
		t.failed += t.restN
		c.errs.Handle(&DeliveryError{Stream: b.st.name, Records: t.restN, Err: t.restErr})
		c.settle(b, t)
	}
}

// post sends body (n records) and tallies the answer. Records whose fields
// together exceed the server's column limit go in several requests. A 413
// splits the records in two and sends each half; a single record the
// server finds too large is dead-lettered.
func (c *Client) post(ctx context.Context, st *stream, body []byte, n int, t *tally) {
	if st.typ != Traces {
		// Records that each fit may bring more fields together than the
		// server takes in one batch: it would drop them all.
		if runs := wire.SplitColumns(body, maxColumns); len(runs) > 1 {
			for _, run := range runs {
				c.post(ctx, st, run, wire.Lines(run), t)
			}
			return
		}
	}
	payload, contentType := body, "application/json"
	switch st.typ {
	case Metrics:
		payload = wire.AppendArray(make([]byte, 0, len(body)+2), body)
	case Traces:
		contentType = contentOTLP
	}
	resp, err := c.tr.Do(ctx, transport.Request{
		Method: http.MethodPost, Path: st.path, ContentType: contentType, Header: st.head, Body: payload, Compress: true,
	})
	if err != nil {
		if te, ok := err.(*transport.Error); ok {
			st.c.retried.Add(uint64(max(te.Attempts-1, 0)))
		}
		t.unsent(body, n, err)
		return
	}
	st.c.requests.Add(1)
	st.c.retried.Add(uint64(max(resp.Attempts-1, 0)))
	st.c.bytesIn.Add(uint64(len(payload)))
	st.c.bytesOut.Add(uint64(resp.WireBytes))
	herr := func() error {
		return newHTTPError(http.MethodPost, st.path, resp.Status, resp.Body, resp.Header.Get("Retry-After"))
	}
	switch s := resp.Status; {
	case s >= 200 && s < 300 && st.typ == Traces:
		c.ingestedOTLP(st, resp, n, t)
	case s >= 200 && s < 300:
		c.ingested(st, resp.Body, n, t)
	case s == http.StatusRequestEntityTooLarge && st.typ == Traces:
		c.postSplitOTLP(ctx, st, body, n, t, herr())
	case s == http.StatusRequestEntityTooLarge:
		if a, b, ok := wire.Split(body); ok {
			c.post(ctx, st, a, wire.Lines(a), t)
			c.post(ctx, st, b, wire.Lines(b), t)
			return
		}
		t.dead += n
		c.deadLetter(st.name, body)
	case s == http.StatusRequestTimeout || s == http.StatusTooManyRequests || (s >= 500 && s != http.StatusNotImplemented):
		t.unsent(body, n, herr())
	default:
		t.failed += n
		c.errs.Handle(&DeliveryError{Stream: st.name, Records: n, Err: herr()})
	}
}

// ingestResponse is the answer to _json, _multi and metrics _json.
type ingestResponse struct {
	Code   int `json:"code"`
	Status []struct {
		Name       string `json:"name"`
		Successful int    `json:"successful"`
		Failed     int    `json:"failed"`
		Error      string `json:"error"`
	} `json:"status"`
}

// ingested tallies a 2xx answer: the server's per-stream counts say how
// many of the n records it stored.
func (c *Client) ingested(st *stream, body []byte, n int, t *tally) {
	var r ingestResponse
	if err := json.Unmarshal(body, &r); err != nil || r.Status == nil {
		// The status list is what reports records; without one, the 2xx is
		// all there is to go on.
		t.sent += n
		if err != nil {
			c.errs.Handle(fmt.Errorf("o2kit: stream %q: unreadable ingestion answer %q: %w", st.name, clip(body), err))
		}
		return
	}
	ok, failed, msg := 0, 0, ""
	for _, s := range r.Status {
		ok += max(s.Successful, 0)
		failed += max(s.Failed, 0)
		if s.Error != "" {
			msg = s.Error
		}
	}
	ok = min(ok, n)
	failed = min(failed, n-ok)
	if missing := n - ok - failed; missing > 0 {
		// OpenObserve answers 200 with nothing counted when it fails to
		// write a whole batch (too many columns, for instance).
		failed += missing
		msg = fmt.Sprintf("the server accounted for %d of %d record(s); %s", ok+failed-missing, n, msg)
	}
	t.sent += ok
	if failed > 0 {
		t.partial += failed
		c.errs.Handle(&PartialError{Stream: st.name, Successful: ok, Failed: failed, Message: msg})
	}
}

// restamp re-stamps records that have grown older than the server's ingest
// window while they waited, keeping their own time in original_timestamp.
// Metrics ingestion has no window, and OTLP bodies are sent as they came.
func (c *Client) restamp(b *batch, body []byte) []byte {
	if b.st.typ != Logs {
		return body
	}
	now := c.cfg.now()
	// Leave a margin for the time the request takes to arrive.
	cutoff := now.Add(-c.cfg.ingestWindow + restampMargin).UnixMicro()
	if b.oldest >= cutoff {
		return body
	}
	out, _ := wire.Restamp(make([]byte, 0, len(body)+b.records*40), body, cutoff, now.UnixMicro(), OriginalTimestampField)
	return out
}

// OriginalTimestampField holds a re-stamped record's own time, in µs.
const OriginalTimestampField = "original_timestamp"

const restampMargin = 10 * time.Minute

// settle records a batch's final outcome and frees it.
func (c *Client) settle(b *batch, t tally) {
	c.count(b.st, t)
	b.st.c.queued.Add(-int64(b.records))
	if b.spoolID != 0 {
		if err := c.spool.Ack(b.spoolID); err != nil {
			c.errs.Handle(fmt.Errorf("o2kit: spool: %w", err))
		}
	}
	c.release(b)
}

// abandon gives up on a batch at Shutdown's deadline: one in the spool
// stays there for the next start; any other is lost.
func (c *Client) abandon(b *batch) {
	c.giveUp(b, tally{restN: b.records})
}

// giveUp ends a batch that Shutdown's deadline cut short: what t settled is
// counted, and the rest stays in the spool (the whole batch is resent on the
// next start; ids de-duplicate what was sent) or is lost.
func (c *Client) giveUp(b *batch, t tally) {
	settled := b.records - t.restN
	c.count(b.st, t)
	b.st.c.queued.Add(-int64(settled))
	if b.spoolID == 0 {
		b.st.c.lost.Add(uint64(t.restN))
		b.st.c.queued.Add(-int64(t.restN))
		c.leftLost.Add(int64(t.restN))
	} else {
		c.leftKept.Add(int64(t.restN))
	}
	c.release(b)
}
