package behavior

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
)

func TestActiveUsers(t *testing.T) {
	e := newEnv(t, WithActiveUsersWindow(10*time.Minute))
	tr := e.tracker
	track := func(user string) {
		require.NoError(t, tr.Track(o2kit.ContextWithUser(context.Background(), user), "x"))
	}
	for i := range 5000 {
		track(fmt.Sprintf("u-%d", i%2000)) // 2000 users, active more than once
	}
	assert.InEpsilon(t, 2000, tr.ActiveUsers(), 0.02)

	e.clock.Advance(6 * time.Minute)
	for i := range 500 {
		track(fmt.Sprintf("late-%d", i))
	}
	assert.InEpsilon(t, 2500, tr.ActiveUsers(), 0.02)

	e.clock.Advance(5 * time.Minute) // the first 2000 leave the window
	assert.InEpsilon(t, 500, tr.ActiveUsers(), 0.02)
	e.clock.Advance(time.Hour)
	assert.Zero(t, tr.ActiveUsers())
}

func TestActiveUsersKeys(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	require.NoError(t, e.tracker.Track(ContextWithVisitor(ctx, Visitor{AnonymousID: "a-1"}), "x"))
	require.NoError(t, e.tracker.Track(o2kit.ContextWithSession(ctx, "s-1"), "x"))
	require.NoError(t, e.tracker.Track(ctx, "x")) // nobody
	require.NoError(t, e.tracker.Track(ContextWithVisitor(ctx, Visitor{AnonymousID: "bot", Bot: true}), "x"))
	assert.Equal(t, uint64(2), e.tracker.ActiveUsers())
}

func TestConversionRates(t *testing.T) {
	e := newEnv(t, WithConversionWindow(30*time.Minute))
	tr := e.tracker
	assert.Zero(t, tr.CartAbandonmentRate())
	assert.Zero(t, tr.SearchToPurchaseRate())
	step(t, tr, "a", EventSearch, 0)
	step(t, tr, "a", EventCartAdd, time.Minute)
	step(t, tr, "a", EventPurchase, 2*time.Minute)
	step(t, tr, "b", EventCartAdd, 0)
	step(t, tr, "c", EventCartAdd, 0)
	step(t, tr, "c", EventPurchase, 31*time.Minute) // too late
	step(t, tr, "d", EventSearch, 0)
	step(t, tr, "d", EventSearch, time.Minute)
	assert.InDelta(t, 2.0/3, tr.CartAbandonmentRate(), 1e-9)
	assert.InDelta(t, 0.5, tr.SearchToPurchaseRate(), 1e-9)

	// The same rates on the server, from the stored events.
	e.records(t)
	from, to := start.Add(-time.Hour), start.Add(time.Hour)
	carts, err := tr.FunnelReport(context.Background(), CartToPurchase(30*time.Minute), from, to)
	require.NoError(t, err)
	assert.InDelta(t, 2.0/3, 1-carts.Conversion(), 1e-9)
	searches, err := tr.FunnelReport(context.Background(), SearchToPurchase(30*time.Minute), from, to)
	require.NoError(t, err)
	assert.InDelta(t, 0.5, searches.Conversion(), 1e-9)
}

// snapshotter is how a metrics or alerting package would read the
// tracker without importing it.
type snapshotter interface{ Snapshot() map[string]float64 }

func TestSnapshot(t *testing.T) {
	e := newEnv(t, WithFunnels(checkout))
	step(t, e.tracker, "a", EventProductView, 0)
	step(t, e.tracker, "a", EventCartAdd, time.Minute)
	step(t, e.tracker, "b", EventProductView, 0)
	var s snapshotter = e.tracker
	assert.Equal(t, map[string]float64{
		"active_users":                               2,
		"cart_abandonment_rate":                      1,
		"search_to_purchase_rate":                    0,
		"funnel.checkout.product_view.sessions":      2,
		"funnel.checkout.product_view.conversion":    1,
		"funnel.checkout.product_view.from_previous": 1,
		"funnel.checkout.cart_add.sessions":          1,
		"funnel.checkout.cart_add.conversion":        0.5,
		"funnel.checkout.cart_add.from_previous":     0.5,
		"funnel.checkout.purchase.sessions":          0,
		"funnel.checkout.purchase.conversion":        0,
		"funnel.checkout.purchase.from_previous":     0,
		"funnel.checkout.in_progress":                2,
		"funnel.checkout.evicted":                    0,
	}, s.Snapshot())
	assert.Len(t, e.tracker.Funnels(), 1)
}
