package alerting

import (
	"context"
	"encoding/json"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dispatchRestart runs cfg1 with alerts put, lets after pass, and returns
// the JSON round trip of its snapshot.
func dispatchRestart(t *testing.T, cfg dispatchConfig, after time.Duration, alerts ...Alert) dispatchSnapshot {
	t.Helper()
	d, err := newDispatcher(cfg)
	require.NoError(t, err)
	d.start()
	d.put(alerts)
	dispatchAdvance(after)
	raw, err := json.Marshal(d.snapshot())
	require.NoError(t, err)
	require.NoError(t, d.stop(context.Background()))
	var snap dispatchSnapshot
	require.NoError(t, json.Unmarshal(raw, &snap))
	return snap
}

// restoredDispatcher builds a dispatcher from cfg, restores snap and
// starts it; it is stopped at cleanup.
func restoredDispatcher(t *testing.T, cfg dispatchConfig, snap dispatchSnapshot) *dispatcher {
	t.Helper()
	d, err := newDispatcher(cfg)
	require.NoError(t, err)
	d.restore(snap)
	d.start()
	t.Cleanup(func() { assert.NoError(t, d.stop(context.Background())) })
	return d
}

func TestDispatchAckBeforeFirstPutAfterRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, rec := escalationConfig()
		a := dispatchFiring("alertname", "PaymentsDown", "rule", "pay")
		b := dispatchFiring("alertname", "CartSlow", "rule", "cart")
		snap := dispatchRestart(t, cfg, 12*time.Minute, a, b)
		require.Len(t, rec["sms"].sent(), 1)
		require.Len(t, snap.Firing, 2)
		assert.Equal(t, []string{b.ID, a.ID}, []string{snap.Firing[0].ID, snap.Firing[1].ID}, "sorted by ID")

		cfg2, rec2 := escalationConfig()
		d := restoredDispatcher(t, cfg2, snap)
		require.NoError(t, d.ack(a.ID, Ack{By: "ann", Comment: "after the restart"}), "known from the snapshot")
		assert.ErrorIs(t, d.ack(`{alertname="Other"}`, Ack{By: "ann"}), ErrNotFound)
		again := d.snapshot()
		assert.Len(t, again.Firing, 2, "a snapshot before the first put keeps the restored alerts")
		assert.Equal(t, "ann", again.Acks[a.ID].By)

		dispatchAdvance(time.Minute) // the first evaluation comes late
		for range 3 {
			d.put([]Alert{a, b})
			dispatchAdvance(time.Hour)
		}
		assert.Empty(t, rec2["sms"].sent(), "tier 1 was sent before the restart")
		assert.Empty(t, rec2["email"].sent(), "acknowledged: no further tier")
		require.NotEmpty(t, rec2["chat"].sent())
		for _, s := range rec2["chat"].sent() {
			assert.Equal(t, []string{"CartSlow/:firing"}, dispatchAlertNames(s.n), "only b repeats")
		}
		assert.Equal(t, "after the restart", d.acks()[a.ID].Comment)
	})
}

func TestDispatchRestoredAlertNeverPutResolves(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rs, rec := dispatchReceivers("team")
		cfg := dispatchConfig{Route: Route{Receiver: "team"}, Receivers: rs}
		gone := dispatchFiring("alertname", "RuleGone", "rule", "gone")
		snap := dispatchRestart(t, cfg, time.Minute, gone)
		require.Len(t, rec["team"].sent(), 1)

		rs2, rec2 := dispatchReceivers("team")
		d := restoredDispatcher(t, dispatchConfig{Route: Route{Receiver: "team"}, Receivers: rs2}, snap)
		d.mu.Lock()
		assert.Contains(t, d.firing, gone.ID)
		d.mu.Unlock()
		dispatchAdvance(4*time.Minute + 59*time.Second)
		assert.Empty(t, rec2["team"].sent())
		dispatchAdvance(time.Second)
		require.Len(t, rec2["team"].sent(), 1, "the resolve timeout ends it")
		n := rec2["team"].last()
		assert.Equal(t, StatusResolved, n.Status)
		assert.Equal(t, []string{"RuleGone/:resolved"}, dispatchAlertNames(n))
		dispatchAdvance(time.Hour)
		assert.Len(t, rec2["team"].sent(), 1)
		assert.Empty(t, d.snapshot().Firing)
	})
}

func TestDispatchRestoredAckEndsWithTheEpisode(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, _ := escalationConfig()
		a := dispatchFiring("alertname", "PaymentsDown", "rule", "pay")
		d1, err := newDispatcher(cfg)
		require.NoError(t, err)
		d1.put([]Alert{a})
		require.NoError(t, d1.ack(a.ID, Ack{By: "ann"}))
		snap := d1.snapshot()
		require.Contains(t, snap.Acks, a.ID)

		// While the process was down, a resolved and fired again.
		cfg2, rec := escalationConfig()
		d := restoredDispatcher(t, cfg2, snap)
		dispatchAdvance(time.Hour)
		again := dispatchFiring("alertname", "PaymentsDown", "rule", "pay")
		d.put([]Alert{again})
		assert.Empty(t, d.acks(), "the ack was for the episode before")
		dispatchAdvance(11 * time.Minute)
		assert.Len(t, rec["chat"].sent(), 1)
		assert.Len(t, rec["sms"].sent(), 1, "the new episode escalates")
	})
}
