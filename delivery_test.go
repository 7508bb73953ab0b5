package o2kit

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2server"
)

func TestRetriesWithBackoffAndRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil, WithBatchSize(5))
		srv.Push(
			o2server.Fault{Status: 503, Header: http.Header{"Retry-After": {"4"}}},
			o2server.Fault{Status: 429, Header: http.Header{"Retry-After": {"2"}}},
		)
		start := time.Now()
		emitN(t, c, "s", 5)
		synctest.Wait()
		assert.Zero(t, srv.Count("default", "s"))
		time.Sleep(4 * time.Second)
		synctest.Wait()
		assert.Zero(t, srv.Count("default", "s"), "the second answer asked for 2 more seconds")
		time.Sleep(2 * time.Second)
		synctest.Wait()
		assert.Equal(t, int64(5), srv.Count("default", "s"))
		assert.Equal(t, 6*time.Second, time.Since(start))
		st := c.Stats()
		assert.Equal(t, uint64(2), st.Retried)
		assert.Equal(t, uint64(5), st.Sent)
		assert.Equal(t, uint64(1), st.Requests)
	})
}

func TestRetriesExhaustedFailWithoutSpool(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, log := bubbleClient(t, nil, WithBatchSize(5), WithMaxRetries(2))
		for range 3 {
			srv.Push(o2server.Fault{Status: 500, Body: "disk on fire"})
		}
		emitN(t, c, "s", 5)
		require.NoError(t, c.Flush(t.Context()))
		st := c.Stats()
		assert.Equal(t, uint64(5), st.Failed)
		assert.Equal(t, uint64(2), st.Retried)
		assert.Zero(t, st.Sent)
		var de *DeliveryError
		require.ErrorAs(t, errors.Join(log.all()...), &de)
		var he *HTTPError
		require.ErrorAs(t, de, &he)
		assert.Equal(t, 500, he.StatusCode)
		assert.Equal(t, "disk on fire", he.Body)
	})
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	for _, status := range []int{400, 401, 403} {
		synctest.Test(t, func(t *testing.T) {
			c, srv, log := bubbleClient(t, nil, WithBatchSize(3))
			srv.Push(o2server.Fault{Status: status, Body: "no"})
			emitN(t, c, "s", 3)
			require.NoError(t, c.Flush(t.Context()))
			st := c.Stats()
			assert.Equal(t, uint64(3), st.Failed, "status %d", status)
			assert.Zero(t, st.Retried)
			var he *HTTPError
			require.ErrorAs(t, errors.Join(log.all()...), &he)
			assert.Equal(t, status, he.StatusCode)
		})
	}
}

func TestWrongCredentialsReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, log := bubbleClient(t, nil, WithBasicAuth("root@example.com", "wrong-secret"))
		emitN(t, c, "s", 2)
		require.NoError(t, c.Flush(t.Context()))
		assert.Equal(t, uint64(2), c.Stats().Failed)
		assert.Zero(t, c.Stats().Retried)
		assert.Zero(t, srv.Count("default", "s"))
		errs := log.all()
		require.Len(t, errs, 1)
		var he *HTTPError
		require.ErrorAs(t, errs[0], &he)
		assert.Equal(t, 401, he.StatusCode)
		assert.Equal(t, "Unauthorized Access", he.Body)
		assert.NotContains(t, errs[0].Error(), "wrong-secret")
	})
}

func TestPayloadTooLargeSplitsAndDeadLetters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, log := bubbleClient(t, []o2server.Option{o2server.WithPayloadLimit(4 << 10)}, WithSpool(t.TempDir(), 0))
		emitN(t, c, "s", 100) // about 25 KiB: split until each part fits
		big := strings.Repeat("x", 6<<10)
		require.NoError(t, c.Emit(t.Context(), Record{Stream: "s", Attrs: []slog.Attr{slog.String("blob", big)}}))
		require.NoError(t, c.Flush(t.Context()))
		assert.Equal(t, int64(100), srv.Count("default", "s"))
		st := c.Stats()
		assert.Equal(t, uint64(100), st.Sent)
		assert.Equal(t, uint64(1), st.DeadLettered)
		assert.Zero(t, st.QueueDepth)
		var dl *DeadLetterError
		require.ErrorAs(t, errors.Join(log.all()...), &dl)
		assert.Equal(t, "s", dl.Stream)
		assert.Greater(t, dl.Size, 6<<10)
		assert.LessOrEqual(t, len(dl.Record), maxErrorBody)
		assert.Contains(t, string(deadLetterFile(t, c)), big, "the whole record is kept on disk")
	})
}

func TestPartialFailureCounted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, log := bubbleClient(t, nil, WithBatchSize(4))
		now := time.Now()
		for i := range 4 {
			at := now
			if i%2 == 1 {
				at = now.Add(30 * time.Hour) // beyond the server's 24 h of future
			}
			require.NoError(t, c.Emit(t.Context(), Record{Stream: "s", Time: at, Attrs: []slog.Attr{slog.Int("i", i)}}))
		}
		require.NoError(t, c.Flush(t.Context()))
		st := c.Stats()
		assert.Equal(t, uint64(2), st.Sent)
		assert.Equal(t, uint64(2), st.PartialFailures)
		assert.Equal(t, int64(2), srv.Count("default", "s"))
		var pe *PartialError
		require.ErrorAs(t, errors.Join(log.all()...), &pe)
		assert.Equal(t, 2, pe.Failed)
		assert.Equal(t, 2, pe.Successful)
		assert.Contains(t, pe.Message, "Too far data")
	})
}

func TestOldRecordsAreRestamped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil)
		old := time.Now().Add(-7 * time.Hour)
		require.NoError(t, c.Emit(t.Context(), Record{Stream: "s", Time: old, Attrs: []slog.Attr{slog.Int("i", 1)}}))
		require.NoError(t, c.Flush(t.Context()))
		recs := srv.Records("default", "s")
		require.Len(t, recs, 1, "the server keeps it instead of discarding it as too old")
		assert.EqualValues(t, old.UnixMicro(), recs[0][OriginalTimestampField])
		assert.EqualValues(t, time.Now().UnixMicro(), recs[0]["_timestamp"])
	})
}

func TestFailoverToSecondEndpoint(t *testing.T) {
	srv, url := devServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now
	c, _ := newClient(t, srv, dead, WithEndpoint(dead, url), WithMaxRetries(2))
	emitN(t, c, "s", 10)
	flush(t, c)
	assert.Equal(t, int64(10), srv.Count("default", "s"))
	assert.Equal(t, uint64(1), c.Stats().Retried, "one failed attempt on the dead endpoint")
}

func TestDroppedConnectionsAreRetried(t *testing.T) {
	srv, url := devServer(t)
	srv.Push(o2server.Fault{Drop: true}, o2server.Fault{Drop: true})
	c, _ := newClient(t, srv, url, WithMaxRetries(3))
	emitN(t, c, "s", 10)
	flush(t, c)
	assert.Equal(t, int64(10), srv.Count("default", "s"))
	assert.Equal(t, uint64(2), c.Stats().Retried)
}

func TestFlushHonoursItsDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil)
		srv.Push(o2server.Fault{Hang: true})
		emitN(t, c, "s", 3)
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		err := c.Flush(ctx)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "1 batch(es) not yet settled")
		srv.ReleaseHangs()
		require.NoError(t, c.Flush(t.Context()))
	})
}

func TestShutdownDeadlineCountsLost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil, WithBatchSize(4), WithConcurrency(1))
		srv.SetFaultFunc(func(*http.Request) (o2server.Fault, bool) { return o2server.Fault{Hang: true}, true })
		emitN(t, c, "s", 10)
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		err := c.Shutdown(ctx)
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "10 record(s) not sent and lost")
		st := c.Stats()
		assert.Equal(t, uint64(10), st.Lost)
		assert.Zero(t, st.QueueDepth)
		assert.Equal(t, uint64(10), st.Accepted)
	})
}

func TestOverflowDropsNewest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil, WithBatchBytes(1024), WithMaxBufferedBytes(8<<10), WithBatchSize(5))
		srv.SetFaultFunc(func(*http.Request) (o2server.Fault, bool) { return o2server.Fault{Hang: true}, true })
		var overflow int
		for i := range 200 {
			err := c.Emit(t.Context(), typical(i))
			if errors.Is(err, ErrOverflow) {
				overflow++
			} else {
				require.NoError(t, err)
			}
		}
		st := c.Stats()
		assert.Positive(t, overflow)
		assert.Equal(t, uint64(overflow), st.Dropped)
		assert.Equal(t, uint64(200-overflow), st.Accepted)
		assert.LessOrEqual(t, st.MaxBufferedBytes, int64(8<<10), "memory stays under the cap")
		srv.SetFaultFunc(nil)
		srv.ReleaseHangs()
		require.NoError(t, c.Flush(t.Context()))
		assert.Equal(t, int64(200-overflow), srv.Count("default", "application_logs"))
	})
}

func TestOverflowBlockWaitsForRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil, WithBatchBytes(1024), WithMaxBufferedBytes(2048), WithBatchSize(3), WithOverflow(Block(time.Second)))
		srv.Push(o2server.Fault{Delay: 500 * time.Millisecond}, o2server.Fault{Delay: 500 * time.Millisecond})
		for i := range 12 {
			require.NoError(t, c.Emit(t.Context(), typical(i)), "record %d waits for room instead of failing", i)
		}
		require.NoError(t, c.Flush(t.Context()))
		assert.Equal(t, int64(12), srv.Count("default", "application_logs"))
		assert.Zero(t, c.Stats().Dropped)

		srv.SetFaultFunc(func(*http.Request) (o2server.Fault, bool) { return o2server.Fault{Hang: true}, true })
		var err error
		start := time.Now()
		for i := 0; err == nil && i < 100; i++ {
			err = c.Emit(t.Context(), typical(i))
		}
		assert.ErrorIs(t, err, ErrOverflow)
		assert.GreaterOrEqual(t, time.Since(start), time.Second, "it waited the timeout first")
		srv.SetFaultFunc(nil)
		srv.ReleaseHangs()
	})
}
