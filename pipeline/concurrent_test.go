package pipeline

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2test"
)

// Every processor is used by many goroutines at once; run under -race.
func TestProcessorsConcurrently(t *testing.T) {
	clock := newTestClock(o2test.Epoch)
	contract, err := NewContract("c", "", []Rule{Require("order_id")})
	require.NoError(t, err)
	lookup, err := Lookup("user_id", func(_ context.Context, id string) ([]slog.Attr, error) {
		return []slog.Attr{slog.String("tier", "t-"+id)}, nil
	}, WithCache(4, time.Second), WithClock(clock.Now))
	require.NoError(t, err)
	sample, err := Sample(0.5)
	require.NoError(t, err)
	dedupe, err := Dedupe(time.Second, WithMaxKeys(8), WithClock(clock.Now))
	require.NoError(t, err)
	limit, err := RateLimit(1000, 10, WithClock(clock.Now))
	require.NoError(t, err)
	chain := Chain{
		MaskPII(WithStrategy(Hash([]byte("k")))), Enrich(Service("s")), lookup, contract,
		ForStreams(sample, "sampled"), dedupe, limit, Rename("msg", "message"),
	}
	attrs := []slog.Attr{slog.String("msg", "mail jane@example.com"), slog.String("password", "x")}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				r := o2kit.Record{Stream: []string{"sampled", "app"}[i%2], Attrs: append(attrs[:2:2],
					slog.Int("i", i%16), slog.String("user_id", string(rune('a'+g))), slog.String("order_id", "o"))}
				if _, err := chain.Process(context.Background(), r); err != nil {
					assert.ErrorIs(t, err, o2kit.ErrDrop)
				}
				clock.add(time.Millisecond)
			}
		})
	}
	wg.Wait()
	stats := chain.ProcessorStats()
	assert.Equal(t, int64(1600), stats["mask:email"])
	assert.Equal(t, int64(1600), stats["lookup:user_id:hits"]+stats["lookup:user_id:misses"])
	assert.Equal(t, "mail jane@example.com", attrs[0].Value.String(), "the shared attributes are not written")
}
