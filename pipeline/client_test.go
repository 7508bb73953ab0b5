package pipeline

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
	"github.com/o2kit/o2kit/internal/o2test"
)

// devClient returns a client of a fresh dev server running processors,
// both shut down when the test ends.
func devClient(t *testing.T, processors ...o2kit.Processor) (*o2kit.Client, *o2server.Server) {
	t.Helper()
	env := o2test.New(t, o2kit.WithProcessors(processors...))
	return env.Client, env.Server
}

func TestDeadLettersReachTheServer(t *testing.T) {
	contract, err := NewContract("orders", "orders", []Rule{
		Require("order_id").Type(TypeString),
		Require("amount_minor").Type(TypeInt).Between(1, 1_000_000),
	})
	require.NoError(t, err)
	payments, err := NewContract("payments", "payments", []Rule{Require("payment_id")}, DeadLetterTo("quarantine"))
	require.NoError(t, err)
	c, srv := devClient(t, Chain{MaskPII(), contract, payments}, Enrich(Service("checkout")))
	ctx := context.Background()
	emit := func(attrs ...slog.Attr) {
		require.NoError(t, c.Emit(ctx, o2kit.Record{Stream: "orders", Attrs: attrs}))
	}
	emit(slog.String("order_id", "ord-1"), slog.Int64("amount_minor", 4599), slog.String("email", "jane@example.com"))
	emit(slog.Int64("amount_minor", 4599))
	emit(slog.String("order_id", "ord-3"), slog.Int64("amount_minor", 0))
	emit(slog.String("order_id", "ord-4"), slog.String("amount_minor", "12.00"))
	require.NoError(t, c.Emit(ctx, o2kit.Record{Stream: "payments", Attrs: []slog.Attr{slog.Int("amount_minor", 1)}}))
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
	assert.Equal(t, int64(1), stats.Processors["contract:orders:range:amount_minor"])
	assert.Equal(t, int64(1), stats.Processors["contract:orders:type:amount_minor"])
	assert.Equal(t, int64(1), stats.Processors["mask:email"])

	// Each contract counts its own stream's records, by its own name.
	quarantined := srv.Records("default", "quarantine")
	require.Len(t, quarantined, 1)
	assert.Equal(t, "missing:payment_id", quarantined[0][FieldDeadLetterReason])
	assert.Equal(t, "payments", quarantined[0][FieldDeadLetterContract])
	assert.Equal(t, int64(1), stats.Processors["contract:payments:checked"])
	assert.Equal(t, int64(1), stats.Processors["contract:payments:missing:payment_id"])
	assert.Len(t, srv.Records("default", c.Streams().DeadLetter), 3, "not in the default dead-letter stream")
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
