package tracing_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
	"github.com/o2kit/o2kit/internal/o2test"
	"github.com/o2kit/o2kit/tracing"
)

// gate serves requests in memory (o2test.InMemory), or refuses them like
// a server that is down. In memory, a synctest bubble's clock is all that
// moves, so an outage of minutes takes no time.
type gate struct {
	up   http.RoundTripper
	down atomic.Bool
}

func (g *gate) RoundTrip(r *http.Request) (*http.Response, error) {
	if g.down.Load() {
		return nil, errors.New("dial tcp: connection refused")
	}
	return g.up.RoundTrip(r)
}

func spoolClient(t *testing.T, srv *o2server.Server, g *gate, dir string) *o2kit.Client {
	t.Helper()
	user, pass := srv.RootUser()
	client, err := o2kit.New(o2kit.WithEndpoint("http://o2.test"), o2kit.WithBasicAuth(user, pass),
		o2kit.WithHTTPClient(&http.Client{Transport: g}), o2kit.WithSpool(dir, 0),
		o2kit.WithMaxRetries(1), o2kit.WithErrorHandler(&o2test.Errors{}))
	require.NoError(t, err)
	return client
}

func endSpans(tp *sdktrace.TracerProvider, names ...string) {
	for _, n := range names {
		_, span := tp.Tracer("shop").Start(context.Background(), n)
		span.End()
	}
}

// TestSpansSurviveAnOutageAndARestart: spans ended while the server is
// down wait in the spool, through an outage and a restart, and arrive once
// it is back.
func TestSpansSurviveAnOutageAndARestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := o2server.New()
		defer srv.Close()
		g := &gate{up: o2test.InMemory(srv).Transport}
		g.down.Store(true)
		dir := t.TempDir()

		client := spoolClient(t, srv, g, dir)
		tp, stop, err := tracing.Setup(t.Context(), client)
		require.NoError(t, err)
		endSpans(tp, "a", "b", "c")
		require.NoError(t, tp.ForceFlush(t.Context()))
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		assert.ErrorIs(t, client.Flush(ctx), context.DeadlineExceeded, "a minute of outage")
		cancel()
		st := client.Stats().Streams["traces:traces"]
		assert.Equal(t, uint64(3), st.Spooled)
		assert.Zero(t, st.Sent+st.Failed+st.Dropped+st.Lost)

		// The outage outlasts the process.
		require.NoError(t, stop(t.Context()))
		ctx, cancel = context.WithTimeout(t.Context(), time.Second)
		assert.ErrorContains(t, client.Shutdown(ctx), "3 record(s) left in the spool")
		cancel()

		g.down.Store(false)
		client = spoolClient(t, srv, g, dir)
		tp, stop, err = tracing.Setup(t.Context(), client)
		require.NoError(t, err)
		endSpans(tp, "d")
		require.NoError(t, tp.ForceFlush(t.Context()))
		require.NoError(t, client.Flush(t.Context()))
		st = client.Stats().Streams["traces:traces"]
		assert.Equal(t, uint64(3), st.Replayed)
		assert.Equal(t, uint64(4), st.Sent)
		assert.Len(t, storedSpans(srv, "traces"), 4)
		require.NoError(t, stop(t.Context()))
		require.NoError(t, client.Shutdown(t.Context()))
	})
}
