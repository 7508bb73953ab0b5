package o2kit

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2server"
)

// flakyListener serves h on a fixed loopback port that can be closed, so
// that connections are refused, and opened again.
type flakyListener struct {
	t    *testing.T
	h    http.Handler
	addr string
	mu   sync.Mutex
	srv  *http.Server
	wg   sync.WaitGroup
}

func newFlakyListener(t *testing.T, h http.Handler) *flakyListener {
	f := &flakyListener{t: t, h: h, addr: "127.0.0.1:0"}
	f.up()
	t.Cleanup(f.down)
	return f
}

func (f *flakyListener) up() {
	f.mu.Lock()
	defer f.mu.Unlock()
	ln, err := net.Listen("tcp", f.addr)
	require.NoError(f.t, err)
	f.addr = ln.Addr().String()
	f.srv = &http.Server{Handler: f.h}
	srv := f.srv
	f.wg.Go(func() { _ = srv.Serve(ln) })
}

func (f *flakyListener) down() {
	f.mu.Lock()
	srv := f.srv
	f.srv = nil
	f.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
	f.wg.Wait()
}

// TestOutageOfTenSecondsLosesNothing: the server refuses connections for
// 10 s while records keep coming, then returns. With a spool every record
// arrives, and memory stays under the cap.
func TestOutageOfTenSecondsLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("takes ten seconds of outage")
	}
	srv := o2server.New()
	defer srv.Close()
	fl := newFlakyListener(t, srv)
	const memCap = 1 << 20
	c, log := newClient(t, srv, "http://"+fl.addr,
		WithSpool(t.TempDir(), 0), WithMaxBufferedBytes(memCap), WithBatchBytes(64<<10),
		WithFlushInterval(200*time.Millisecond), WithMaxRetries(2), WithTimeout(2*time.Second))

	fl.down()
	back := time.AfterFunc(10*time.Second, fl.up)
	defer back.Stop()
	const total = 30_000
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for i := range total {
		if i%3 == 0 {
			<-tick.C // about 3,000 records/s across the outage and after it
		}
		require.NoError(t, c.Emit(context.Background(), typical(i)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	require.NoError(t, c.Flush(ctx))
	st := c.Stats()
	bySeq, _ := seqs(srv.Records("default", "application_logs"))
	assert.Len(t, bySeq, total)
	assert.Equal(t, uint64(total), st.Sent)
	assert.Zero(t, st.Dropped+st.Failed+st.Lost)
	assert.LessOrEqual(t, st.MaxBufferedBytes, int64(memCap))
	assert.Positive(t, st.Retried)
	for _, err := range log.all() {
		var de *DeliveryError
		assert.False(t, errors.As(err, &de), "%v", err)
	}
	t.Logf("sent %d, retried %d requests, spooled %d, max buffered %d bytes", st.Sent, st.Retried, st.Spooled, st.MaxBufferedBytes)
}
