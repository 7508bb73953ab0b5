package o2kit

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2server"
)

// TestEmitDoesNotAllocate pins the caller's cost: a pre-built record of a
// message and eight attributes is encoded into its batch without one
// allocation. The batch is kept open (no sealing, no sending) so that only
// the caller's path is measured; the exporter's goroutines allocate per
// request, not per record.
func TestEmitDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	srv, url := devServer(t, o2server.WithCountOnly())
	c, _ := newClient(t, srv, url, WithBatchSize(1<<20), WithBatchBytes(256<<20), WithMaxBufferedBytes(512<<20))
	r := typical(1)
	ctx := context.Background()
	for range 100 { // warm the pools
		require.NoError(t, c.Emit(ctx, r))
	}
	allocs := testing.AllocsPerRun(10_000, func() {
		if err := c.Emit(ctx, r); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}

// TestEmitWithSealingDoesNotAllocate: with batches sealed and handed on
// every 100 records, the caller still allocates nothing; the senders are
// held back by a server that does not answer, so their allocations are not
// counted.
func TestEmitWithSealingDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	srv, url := devServer(t, o2server.WithCountOnly())
	srv.SetFaultFunc(func(*http.Request) (o2server.Fault, bool) { return o2server.Fault{Hang: true}, true })
	c, _ := newClient(t, srv, url, WithMaxBufferedBytes(512<<20), WithConcurrency(1))
	r := typical(1)
	ctx := context.Background()
	for range 1000 {
		require.NoError(t, c.Emit(ctx, r))
	}
	allocs := testing.AllocsPerRun(20_000, func() {
		if err := c.Emit(ctx, r); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
	srv.SetFaultFunc(nil)
	srv.ReleaseHangs()
}

// BenchmarkEmit is the caller's cost of Emit with the whole exporter
// running against a count-only dev server. Peers are measured in bench/.
func BenchmarkEmit(b *testing.B) {
	srv := o2server.New(o2server.WithCountOnly())
	url, err := srv.Start("127.0.0.1:0")
	require.NoError(b, err)
	defer srv.Close()
	user, pass := srv.RootUser()
	c, err := New(WithEndpoint(url), WithBasicAuth(user, pass))
	require.NoError(b, err)
	defer c.Shutdown(context.Background())
	r := typical(1)
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = c.Emit(ctx, r)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_ = c.Emit(ctx, r)
			}
		})
	})
}
