package alerting

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dispatchLagging makes a firing alert as an engine whose clock runs lag
// behind time.Now would put it: it fired "now" on that clock.
func dispatchLagging(lag time.Duration, pairs ...string) Alert {
	a := dispatchFiring(pairs...)
	a.ActiveAt = a.ActiveAt.Add(-lag)
	a.FiredAt = a.FiredAt.Add(-lag)
	return a
}

// The alert's times come from the engine's clock, an hour behind the
// dispatcher's: group wait and escalation still count from the first put.
func TestDispatchClockLaggingEngine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, rec := escalationConfig()
		d := runDispatcher(t, cfg)
		a := dispatchLagging(time.Hour, "alertname", "PaymentsDown", "rule", "pay")
		d.put([]Alert{a})
		dispatchAdvance(time.Second)
		assert.Empty(t, rec["chat"].sent(), "group wait is not skipped")
		assert.Empty(t, rec["sms"].sent(), "the 10-minute tier is not due")
		assert.Empty(t, rec["email"].sent(), "the 30-minute tier is not due")
		for range 40 { // the engine puts it again every minute, same FiredAt
			dispatchAdvance(time.Minute - time.Second)
			d.put([]Alert{a})
			dispatchAdvance(time.Second)
		}
		assert.Equal(t, []time.Duration{30 * time.Second}, rec["chat"].times())
		assert.Equal(t, []time.Duration{10 * time.Minute}, rec["sms"].times())
		assert.Equal(t, []time.Duration{30 * time.Minute}, rec["email"].times())
	})
}

// An engine clock ahead of time.Now delays nothing either.
func TestDispatchClockLeadingEngine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, rec := escalationConfig()
		d := runDispatcher(t, cfg)
		d.put([]Alert{dispatchLagging(-time.Hour, "alertname", "PaymentsDown", "rule", "pay")})
		dispatchAdvance(31 * time.Minute)
		assert.Equal(t, []time.Duration{30 * time.Second}, rec["chat"].times())
		assert.Equal(t, []time.Duration{10 * time.Minute}, rec["sms"].times())
		assert.Equal(t, []time.Duration{30 * time.Minute}, rec["email"].times())
	})
}

// A restart keeps the time the dispatcher first saw the alert: the tiers
// left fall due as if it had not stopped, and the group, seen long ago,
// flushes at once (the notification log keeps it from repeating).
func TestDispatchClockSurvivesRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, rec := escalationConfig()
		a := dispatchLagging(time.Hour, "alertname", "PaymentsDown", "rule", "pay")
		first := time.Now()
		snap := dispatchRestart(t, cfg, 12*time.Minute, a)
		require.Len(t, rec["sms"].sent(), 1)
		require.Contains(t, snap.FiringSince, a.ID)
		assert.True(t, snap.FiringSince[a.ID].Equal(first))
		assert.True(t, snap.Escalations[a.ID].Since.Equal(first))

		dispatchAdvance(5 * time.Minute) // down for five minutes
		cfg2, rec2 := escalationConfig()
		d := restoredDispatcher(t, cfg2, snap)
		d.put([]Alert{a})
		dispatchAdvance(20 * time.Minute)
		assert.Empty(t, rec2["sms"].sent(), "tier 1 was sent before the restart")
		require.Len(t, rec2["email"].sent(), 1)
		assert.Equal(t, 30*time.Minute-17*time.Minute, rec2["email"].times()[0], "30 minutes after the first put")
		assert.Empty(t, rec2["chat"].sent(), "already notified, repeat interval not passed")
	})
}

// A snapshot from before the dispatcher saved its own times: tiers count
// from the restart, never from the engine's FiredAt.
func TestDispatchClockRestoreWithoutSince(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, rec := escalationConfig()
		a := dispatchLagging(time.Hour, "alertname", "PaymentsDown", "rule", "pay")
		snap := dispatchSnapshot{Firing: []Alert{a}, Escalations: map[string]escalationRecord{
			a.ID: {FiredAt: a.FiredAt, Sent: []escalationMark{}},
		}}
		d := restoredDispatcher(t, cfg, snap)
		d.put([]Alert{a})
		dispatchAdvance(time.Minute)
		assert.Empty(t, rec["sms"].sent())
		dispatchAdvance(10 * time.Minute)
		assert.Equal(t, []time.Duration{10 * time.Minute}, rec["sms"].times())
	})
}

// An alert the dispatcher resolves itself resolves on the alert's own
// clock: as long after its FiredAt as the dispatcher saw it fire.
func TestDispatchClockExpiredResolvedAt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rs, rec := dispatchReceivers("team")
		d := runDispatcher(t, dispatchConfig{Route: Route{Receiver: "team"}, Receivers: rs, ResolveTimeout: 5 * time.Minute})
		a := dispatchLagging(time.Hour, "alertname", "Lost")
		d.put([]Alert{a})
		dispatchAdvance(time.Hour)
		s := rec["team"].sent()
		require.Len(t, s, 2)
		got := s[1].n.Alerts[0]
		assert.Equal(t, StateResolved, got.State)
		assert.Equal(t, 5*time.Minute, got.ResolvedAt.Sub(a.FiredAt))
	})
}
