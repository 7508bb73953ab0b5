package behavior

import (
	"context"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/o2kit/o2kit"
)

// TestTrackAllocations pins what one Track costs in allocations: the event
// id string, and nothing else on the path the caller runs.
func TestTrackAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	// No batch is sent while measuring: the sender's allocations would
	// count too.
	e := newEnvWith(t, []o2kit.Option{o2kit.WithBatchSize(100_000), o2kit.WithFlushInterval(time.Hour)})
	ctx := o2kit.ContextWithSession(o2kit.ContextWithUser(context.Background(), "u-1001"), "7d3c8a2e-5b1f-4c6d-9e0a-1b2c3d4e5f60")
	props := []slog.Attr{slog.String("product_id", "p-42"), slog.Int64("price_minor", 12900), slog.String("currency", "EUR")}
	n := testing.AllocsPerRun(1000, func() { _ = e.tracker.Track(ctx, "wishlist_add", props...) })
	assert.LessOrEqual(t, n, 1.0)
	withID := Event{Name: "wishlist_add", Props: props, Meta: Meta{EventID: e.tracker.NewEventID()}}
	n = testing.AllocsPerRun(1000, func() { _ = e.tracker.TrackEvent(ctx, withID) })
	assert.Zero(t, n)

	// A visitor adds the address's text.
	ctx = ContextWithVisitor(ctx, Visitor{AnonymousID: "0193f5a4-1c2b-4d3e-8f40-5a6b7c8d9e0f",
		UserAgent: "Mozilla/5.0", Locale: "de-DE", IP: netip.MustParseAddr("203.0.113.77")})
	n = testing.AllocsPerRun(1000, func() { _ = e.tracker.Track(ctx, "wishlist_add", props...) })
	assert.LessOrEqual(t, n, 2.0)
}
