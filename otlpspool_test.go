package o2kit

import (
	"context"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2server"
)

func TestEmitOTLPRidesOutAnOutageInTheSpool(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, g := downServer(t)
		c, log := spoolClient(t, srv, g, t.TempDir(), WithMaxRetries(1))
		defer c.Shutdown(context.Background())
		for range 5 {
			require.NoError(t, c.EmitOTLP(t.Context(), Traces, "traces", traceBody(t, 1, 4, time.Now()), 4))
		}
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		assert.ErrorIs(t, c.Flush(ctx), context.DeadlineExceeded)
		cancel()
		st := c.Stats()
		assert.Equal(t, uint64(20), st.Spooled)
		assert.Zero(t, st.Sent+st.Failed+st.Dropped)
		assert.Empty(t, log.all(), "waiting in the spool is not a failure")

		g.down.Store(false)
		require.NoError(t, c.Flush(t.Context()))
		st = c.Stats()
		assert.Equal(t, uint64(20), st.Streams["traces:traces"].Sent)
		assert.Zero(t, st.QueueDepth)
		assert.Len(t, srv.RecordsOf("default", "traces", "traces"), 20)
	})
}

func TestEmitOTLPReplaysFromTheSpoolAfterARestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, g := downServer(t)
		dir := t.TempDir()
		c, _ := spoolClient(t, srv, g, dir)
		require.NoError(t, c.EmitOTLP(t.Context(), Traces, "shop-traces", traceBody(t, 2, 3, time.Now()), 6))
		require.NoError(t, c.EmitOTLP(t.Context(), Traces, "other", traceBody(t, 1, 1, time.Now()), 1))
		err := stopWithin(t, c, 3*time.Second)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "7 record(s) left in the spool")

		g.down.Store(false)
		c2, _ := spoolClient(t, srv, g, dir)
		require.NoError(t, c2.Flush(t.Context()))
		st := c2.Stats()
		assert.Equal(t, uint64(6), st.Streams["traces:shop_traces"].Replayed)
		assert.Equal(t, uint64(6), st.Streams["traces:shop_traces"].Sent)
		assert.Equal(t, uint64(1), st.Streams["traces:other"].Sent)
		assert.Len(t, srv.RecordsOf("default", "traces", "shop_traces"), 6)
		assert.Len(t, srv.RecordsOf("default", "traces", "other"), 1)
		for _, r := range srv.Requests() {
			if r.Status == 200 {
				assert.Equal(t, "/api/default/v1/traces", r.Path)
				assert.Equal(t, "application/x-protobuf", r.Header.Get("Content-Type"))
			}
		}
		require.NoError(t, c2.Shutdown(t.Context()))
		assert.Zero(t, c2.Stats().SpoolBytes)
	})
}

func TestEmitOTLPShutdownSendsWhatIsQueued(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil)
		for range 3 {
			require.NoError(t, c.EmitOTLP(t.Context(), Traces, "traces", traceBody(t, 1, 2, time.Now()), 2))
		}
		require.NoError(t, c.Shutdown(t.Context()))
		assert.Len(t, srv.RecordsOf("default", "traces", "traces"), 6)
		st := c.Stats()
		assert.Equal(t, uint64(6), st.Sent)
		assert.Zero(t, st.QueueDepth)
	})
}

func TestEmitOTLPShutdownDeadlineCountsLostSpans(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil)
		srv.Push(o2server.Fault{Hang: true})
		require.NoError(t, c.EmitOTLP(t.Context(), Traces, "traces", traceBody(t, 1, 3, time.Now()), 3))
		err := stopWithin(t, c, time.Second)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "3 record(s) not sent and lost")
		assert.Equal(t, uint64(3), c.Stats().Streams["traces:traces"].Lost)
		srv.ReleaseHangs()
	})
}

// TestEmitOTLPKeepsTheUnsentHalfInTheSpool: after a 413 split, the half
// that got no answer replaces the batch in the spool and is sent later;
// the half that went is not sent again.
func TestEmitOTLPKeepsTheUnsentHalfInTheSpool(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, g := downServer(t)
		g.down.Store(false)
		c, _ := spoolClient(t, srv, g, t.TempDir(), WithMaxRetries(1))
		defer c.Shutdown(context.Background())
		srv.Push(o2server.Fault{Status: 413}, o2server.Fault{Status: 503}, o2server.Fault{Status: 503})
		require.NoError(t, c.EmitOTLP(t.Context(), Traces, "traces", traceBody(t, 2, 2, time.Now()), 4))
		require.NoError(t, c.Flush(t.Context()))
		st := c.Stats()
		assert.Equal(t, uint64(4), st.Sent)
		assert.Zero(t, st.Failed+st.PartialFailures)
		assert.ElementsMatch(t, []string{"op-0-0", "op-0-1", "op-1-0", "op-1-1"},
			spanNames(srv.RecordsOf("default", "traces", "traces")), "each span once")
	})
}

func TestEmitOTLPReportsAnUnreadableAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, log := bubbleClient(t, nil)
		srv.Push(o2server.Fault{Status: 200, Header: http.Header{"Content-Type": {"application/x-protobuf"}}, Body: "\x0a\x09\x01"})
		require.NoError(t, c.EmitOTLP(t.Context(), Traces, "traces", traceBody(t, 1, 2, time.Now()), 2))
		require.NoError(t, c.Flush(t.Context()))
		assert.Equal(t, uint64(2), c.Stats().Sent, "a 2xx is all there is to go on")
		require.Len(t, log.all(), 1)
		assert.ErrorContains(t, log.all()[0], "unreadable OTLP answer")
	})
}
