package pipeline

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
)

// devClient returns a client of a fresh dev server running processors,
// both shut down when the test ends.
func devClient(t *testing.T, processors ...o2kit.Processor) (*o2kit.Client, *o2server.Server) {
	t.Helper()
	srv := o2server.New()
	hs := httptest.NewServer(srv)
	user, pass := srv.RootUser()
	c, err := o2kit.New(o2kit.WithEndpoint(hs.URL), o2kit.WithBasicAuth(user, pass),
		o2kit.WithIDField(""), o2kit.WithProcessors(processors...))
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Shutdown(ctx)
		hs.CloseClientConnections()
		hs.Close()
	})
	return c, srv
}

func TestDeadLettersReachTheServer(t *testing.T) {
	contract, err := NewContract("orders", "orders", []Rule{
		Require("order_id").Type(TypeString),
		Require("amount_minor").Type(TypeInt).Between(1, 1_000_000),
	})
	require.NoError(t, err)
	c, srv := devClient(t, Chain{MaskPII(), contract}, Enrich(Service("checkout")))
	ctx := context.Background()
	emit := func(attrs ...slog.Attr) {
		require.NoError(t, c.Emit(ctx, o2kit.Record{Stream: "orders", Attrs: attrs}))
	}
	emit(slog.String("order_id", "ord-1"), slog.Int64("amount_minor", 4599), slog.String("email", "jane@example.com"))
	emit(slog.Int64("amount_minor", 4599))
	emit(slog.String("order_id", "ord-3"), slog.Int64("amount_minor", 0))
	emit(slog.String("order_id", "ord-4"), slog.String("amount_minor", "12.00"))
	require.NoError(t, c.Flush(ctx))

	good := srv.Records("default", "orders")
	require.Len(t, good, 1)
	assert.Equal(t, "[email]", good[0]["email"], "masked before it left the process")
	assert.Equal(t, "checkout", good[0]["service"])

	dead := srv.Records("default", c.Streams().DeadLetter)
	require.Len(t, dead, 3)
	reasons := []any{}
	for _, r := range dead {
		reasons = append(reasons, r[FieldDeadLetterReason])
		assert.Equal(t, "orders", r[FieldDeadLetterStream])
		assert.Equal(t, "orders", r[FieldDeadLetterContract])
		assert.Equal(t, "checkout", r["service"], "later processors still run")
	}
	assert.ElementsMatch(t, []any{"missing:order_id", "range:amount_minor", "type:amount_minor"}, reasons)

	stats := c.Stats()
	assert.Equal(t, int64(4), stats.Processors["contract:orders:checked"])
	assert.Equal(t, int64(3), stats.Processors["contract:orders:failed"])
	assert.Equal(t, int64(1), stats.Processors["contract:orders:missing:order_id"])
	assert.Equal(t, int64(1), stats.Processors["mask:email"])
}

func TestDroppedRecordsAreFiltered(t *testing.T) {
	s, err := Sample(0)
	require.NoError(t, err)
	c, srv := devClient(t, ForStreams(s, "debug"))
	ctx := context.Background()
	for range 5 {
		require.NoError(t, c.Emit(ctx, leveled("debug", "info")))
	}
	require.NoError(t, c.Emit(ctx, leveled("debug", "error")))
	require.NoError(t, c.Flush(ctx))
	assert.Len(t, srv.Records("default", "debug"), 1)
	stats := c.Stats()
	assert.Equal(t, uint64(5), stats.Filtered)
	assert.Equal(t, int64(5), stats.Processors["sample:dropped"])
}
