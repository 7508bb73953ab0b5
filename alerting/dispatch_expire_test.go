package alerting

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDispatchResolveTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rs, rec := dispatchReceivers("team")
		d := runDispatcher(t, dispatchConfig{
			Route: Route{Receiver: "team", RepeatInterval: time.Hour}, Receivers: rs,
			ResolveTimeout: dispatchResolveTimeout,
		})
		a := dispatchFiring("alertname", "Lost")
		kept := dispatchFiring("alertname", "Kept")
		d.put([]Alert{a, kept})
		// Only kept is put again, every minute; a is never refreshed.
		for range 4 {
			dispatchAdvance(time.Minute)
			d.put([]Alert{kept})
		}
		dispatchAdvance(59 * time.Second) // 4m59s
		d.mu.Lock()
		assert.Contains(t, d.firing, a.ID, "not timed out yet")
		d.mu.Unlock()
		dispatchAdvance(time.Second) // 5m: a times out
		d.mu.Lock()
		assert.NotContains(t, d.firing, a.ID)
		assert.Contains(t, d.firing, kept.ID)
		d.mu.Unlock()
		for range 3 {
			d.put([]Alert{kept})
			dispatchAdvance(time.Minute)
		}
		d.mu.Lock()
		assert.Len(t, d.groups, 1, "the lost alert's group is gone")
		d.mu.Unlock()
		for range 120 {
			d.put([]Alert{kept})
			dispatchAdvance(time.Minute)
		}

		var lost, other []dispatchSent
		for _, s := range rec["team"].sent() {
			if s.n.GroupLabels[LabelAlertName] == "Lost" {
				lost = append(lost, s)
			} else {
				other = append(other, s)
			}
		}
		require.Len(t, lost, 2, "fired once, resolved once, then nothing")
		assert.Equal(t, 30*time.Second, lost[0].at)
		assert.Equal(t, 5*time.Minute+30*time.Second, lost[1].at, "resolved at the group's next tick after the timeout")
		assert.Equal(t, StatusResolved, lost[1].n.Status)
		assert.Equal(t, 5*time.Minute, lost[1].n.Alerts[0].ResolvedAt.Sub(a.FiredAt))
		assert.Len(t, other, 3, "an alert put on time never times out: first notice and two hourly repeats")
		for _, s := range other {
			assert.Equal(t, StatusFiring, s.n.Status)
		}
	})
}

func TestDispatchResolveTimeoutSetting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rs, team := dispatchReceivers("team")
		cfg, rec := escalationConfig()
		rec["team"] = team["team"]
		cfg.Receivers["team"] = rs["team"]
		cfg.Route = Route{Receiver: "team", GroupWait: time.Second, GroupInterval: time.Minute}
		cfg.ResolveTimeout = 20 * time.Minute
		d := runDispatcher(t, cfg)
		a := dispatchFiring("alertname", "PaymentsDown", "rule", "pay")
		d.put([]Alert{a})
		dispatchAdvance(19 * time.Minute)
		require.NoError(t, d.ack(a.ID, Ack{By: "ann"}))
		dispatchAdvance(time.Minute)
		assert.ErrorIs(t, d.ack(a.ID, Ack{By: "ann"}), ErrNotFound, "timed out at 20m")
		assert.Empty(t, d.acks(), "a timed-out alert's ack goes")
		dispatchAdvance(time.Minute)
		assert.Equal(t, []string{"PaymentsDown/:firing", "PaymentsDown/:resolved"}, dispatchSentNames(rec["team"]))
		assert.Equal(t, []time.Duration{10 * time.Minute, 20 * time.Minute}, rec["sms"].times(),
			"escalated while firing, then told it resolved")
		assert.Equal(t, StatusResolved, rec["sms"].last().Status)
		assert.Empty(t, rec["email"].sent(), "no escalation after the timeout")

		// Fired anew: a new alert, notified afresh.
		d.put([]Alert{a})
		dispatchAdvance(time.Minute)
		assert.Equal(t, StatusFiring, rec["team"].last().Status)
	})
}

func TestDispatchResolveTimeoutInvalid(t *testing.T) {
	_, err := newDispatcher(dispatchConfig{
		Route: Route{Receiver: "a"}, Receivers: map[string]Receiver{"a": {}}, ResolveTimeout: -time.Second,
	})
	assert.ErrorContains(t, err, "negative resolve timeout")
	d, err := newDispatcher(dispatchConfig{Route: Route{Receiver: "a"}, Receivers: map[string]Receiver{"a": {}}})
	require.NoError(t, err)
	assert.Equal(t, 5*time.Minute, d.cfg.ResolveTimeout)
}

func TestDispatchSooner(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t1 := t0.Add(time.Second)
	assert.Equal(t, t0, dispatchSooner(t0, t1))
	assert.Equal(t, t0, dispatchSooner(t1, t0))
	assert.Equal(t, t0, dispatchSooner(time.Time{}, t0))
	assert.Equal(t, t0, dispatchSooner(t0, time.Time{}))
	assert.True(t, dispatchSooner(time.Time{}, time.Time{}).IsZero())
}

// dispatchSentNames lists the alerts of every notification r got, in order.
func dispatchSentNames(r *dispatchRecorder) []string {
	var out []string
	for _, s := range r.sent() {
		out = append(out, dispatchAlertNames(s.n)...)
	}
	return out
}
