package o2kit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2server"
)

// gate serves with the dev server, or refuses like a server that is down.
type gate struct {
	h    http.Handler
	down atomic.Bool
}

var errRefused = errors.New("dial tcp: connection refused")

func (g *gate) client() *http.Client {
	mem := inMemory(g.h)
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if g.down.Load() {
			return nil, errRefused
		}
		return mem.Transport.RoundTrip(r)
	})}
}

func spoolClient(t *testing.T, srv *o2server.Server, g *gate, dir string, opts ...Option) (*Client, *errLog) {
	t.Helper()
	user, pass := srv.RootUser()
	log := &errLog{}
	base := []Option{WithEndpoint("http://o2.test"), WithBasicAuth(user, pass), WithHTTPClient(g.client()), WithErrorHandler(log), WithSpool(dir, 0)}
	c, err := New(append(base, opts...)...)
	require.NoError(t, err)
	return c, log
}

// downServer returns a dev server behind a gate that starts closed, both
// ended with the test.
func downServer(t *testing.T) (*o2server.Server, *gate) {
	srv := o2server.New()
	t.Cleanup(func() { srv.Close() })
	g := &gate{h: srv}
	g.down.Store(true)
	return srv, g
}

// stopWithin shuts c down, giving it d.
func stopWithin(t *testing.T, c *Client, d time.Duration) error {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	return c.Shutdown(ctx)
}

func deadLetterFile(t *testing.T, c *Client) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(c.cfg.spoolDir, "dead-letter.ndjson"))
	require.NoError(t, err)
	return raw
}

func seqs(recs []map[string]any) (map[int]int, map[string]bool) {
	bySeq, ids := map[int]int{}, map[string]bool{}
	for _, r := range recs {
		bySeq[int(r["seq"].(int64))]++
		ids[r["o2kit_id"].(string)] = true
	}
	return bySeq, ids
}

func TestSpoolKeepsBatchesAcrossRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, g := downServer(t)
		dir := t.TempDir()

		c, _ := spoolClient(t, srv, g, dir, WithBatchSize(50))
		emitN(t, c, "s", 230)
		err := stopWithin(t, c, 3*time.Second)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "230 record(s) left in the spool")
		st := c.Stats()
		assert.Equal(t, uint64(230), st.Spooled, "Shutdown writes the open batch to the spool too")
		assert.Zero(t, st.Failed+st.Lost+st.Dropped, "nothing fails while the spool holds it")
		assert.Equal(t, int64(230), st.QueueDepth)

		g.down.Store(false)
		c2, _ := spoolClient(t, srv, g, dir)
		require.NoError(t, c2.Flush(t.Context()))
		st = c2.Stats()
		assert.Equal(t, uint64(230), st.Replayed)
		assert.Equal(t, uint64(230), st.Sent)
		assert.Zero(t, st.QueueDepth)
		bySeq, ids := seqs(srv.Records("default", "s"))
		assert.Len(t, bySeq, 230)
		assert.Len(t, ids, 230)
		require.NoError(t, c2.Shutdown(t.Context()))
		assert.Zero(t, c2.Stats().SpoolBytes, "acknowledged batches leave the disk")
	})
}

func TestSpoolRidesOutAnOutage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, g := downServer(t)
		g.down.Store(false)
		dir := t.TempDir()
		c, log := spoolClient(t, srv, g, dir, WithBatchSize(20), WithMaxRetries(1), WithMaxBufferedBytes(64<<10), WithBatchBytes(16<<10))
		defer c.Shutdown(context.Background())
		g.down.Store(true)
		for i := range 2000 {
			require.NoError(t, c.Emit(t.Context(), typical(i)))
			if i%100 == 0 {
				time.Sleep(time.Second) // the outage lasts 20 s
			}
		}
		synctest.Wait()
		st := c.Stats()
		assert.Zero(t, st.Sent)
		assert.Zero(t, st.Failed+st.Dropped+st.Lost)
		assert.LessOrEqual(t, st.MaxBufferedBytes, int64(64<<10), "the queue waits on disk, not in memory")
		assert.Positive(t, st.SpoolBytes)
		g.down.Store(false)
		require.NoError(t, c.Flush(t.Context()))
		st = c.Stats()
		assert.Equal(t, uint64(2000), st.Sent)
		assert.Zero(t, st.Failed+st.Dropped+st.Lost)
		bySeq, _ := seqs(srv.Records("default", "application_logs"))
		assert.Len(t, bySeq, 2000)
		for _, err := range log.all() {
			var de *DeliveryError
			assert.False(t, errors.As(err, &de), "no delivery is given up on: %v", err)
		}
	})
}

func TestSpoolReplayRestampsOldRecords(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, g := downServer(t)
		dir := t.TempDir()
		c, _ := spoolClient(t, srv, g, dir)
		at := time.Now()
		emitN(t, c, "s", 3)
		_ = stopWithin(t, c, time.Second)

		time.Sleep(6 * time.Hour) // a long outage: older than the server's window
		g.down.Store(false)
		c2, _ := spoolClient(t, srv, g, dir)
		require.NoError(t, c2.Flush(t.Context()))
		require.NoError(t, c2.Shutdown(t.Context()))
		recs := srv.Records("default", "s")
		require.Len(t, recs, 3)
		for _, r := range recs {
			assert.EqualValues(t, at.UnixMicro(), r[OriginalTimestampField])
			assert.EqualValues(t, time.Now().UnixMicro(), r["_timestamp"])
		}
	})
}

func TestSpoolFullDropsAndCounts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, g := downServer(t)
		c, log := spoolClient(t, srv, g, t.TempDir(), WithSpool(t.TempDir(), 8<<10), WithBatchSize(10))
		emitN(t, c, "s", 100) // ten batches of ~3 KiB: two or so fit
		synctest.Wait()
		st := c.Stats()
		assert.Positive(t, st.Dropped)
		assert.Equal(t, uint64(100), st.Spooled+st.Dropped)
		assert.LessOrEqual(t, st.SpoolBytes, int64(8<<10))
		assert.Contains(t, fmt.Sprint(log.all()), "spool full")
		_ = stopWithin(t, c, time.Second)
	})
}

func TestSpoolCorruptionIsReportedNotFatal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, g := downServer(t)
		dir := t.TempDir()
		c, _ := spoolClient(t, srv, g, dir, WithBatchSize(10))
		emitN(t, c, "s", 30)
		_ = stopWithin(t, c, time.Second)

		segs, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
		require.NotEmpty(t, segs)
		raw, err := os.ReadFile(segs[0])
		require.NoError(t, err)
		raw[len(raw)/2] ^= 0xff // damage the middle batch
		require.NoError(t, os.WriteFile(segs[0], raw, 0o600))

		g.down.Store(false)
		c2, log := spoolClient(t, srv, g, dir)
		require.NoError(t, c2.Flush(t.Context()))
		require.NoError(t, c2.Shutdown(t.Context()))
		assert.Equal(t, int64(20), srv.Count("default", "s"), "the intact batches are sent")
		assert.Contains(t, fmt.Sprint(log.all()), "damaged")
	})
}

func TestSpoolDirLockedBySecondClient(t *testing.T) {
	srv, url := devServer(t)
	dir := t.TempDir()
	_, _ = newClient(t, srv, url, WithSpool(dir, 0))
	user, pass := srv.RootUser()
	_, err := New(WithEndpoint(url), WithBasicAuth(user, pass), WithSpool(dir, 0))
	var ce *ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "spool", ce.Setting)
}
