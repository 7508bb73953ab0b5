package o2kit

import (
	"context"
	"errors"
	"fmt"
)

// Shutdown stops the client: it encodes the queued slog records (see
// [Client.EmitSlog]), seals every open batch, sends what is
// queued until ctx ends, then stops every goroutine it started. With a
// spool, every sealed batch is on disk before Shutdown returns and what was
// not sent waits there for the next start; without one, what was not sent
// by the deadline is counted as Lost and reported in the error. Shutdown is
// idempotent; later calls return the first call's result. After it, Emit
// drops records (counted) and returns ErrClosed.
func (c *Client) Shutdown(ctx context.Context) error {
	c.shutdownOnce.Do(func() { c.shutdownErr = c.shutdown(ctx) })
	return c.shutdownErr
}

func (c *Client) shutdown(ctx context.Context) error {
	c.closed.Store(true)
	close(c.stopFlusher)
	c.flusherDone.Wait()
	c.closeQueue()
	c.sealAll()

	// The deadline ends the run: senders stop retrying and abandon what
	// they hold.
	stop := context.AfterFunc(ctx, c.cancelRun)
	defer stop()
	c.spoolQ.close()
	c.spoolerDone.Wait()
	c.sendQ.close()
	c.sendersDone.Wait()
	c.cancelRun()

	for _, b := range c.sendQ.drain() {
		c.abandon(b)
	}
	kept, lost := c.leftKept.Load(), c.leftLost.Load()
	c.tr.Close()
	c.dead.close()
	var errs []error
	if c.spool != nil {
		if err := c.spool.Close(); err != nil {
			errs = append(errs, fmt.Errorf("o2kit: spool: %w", err))
		}
	}
	if lost > 0 {
		errs = append(errs, fmt.Errorf("o2kit: shutdown: %d record(s) not sent and lost: %w", lost, ctx.Err()))
	}
	if kept > 0 {
		errs = append(errs, fmt.Errorf("o2kit: shutdown: %d record(s) left in the spool for the next start: %w", kept, ctx.Err()))
	}
	return errors.Join(errs...)
}
