package alerting

import (
	"context"
	"encoding/json"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2test"
)

func TestDispatchSnapshotRestore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, rec := escalationConfig()
		d1, err := newDispatcher(cfg)
		require.NoError(t, err)
		d1.start()
		a := dispatchFiring("alertname", "PaymentsDown", "rule", "pay")
		b := dispatchFiring("alertname", "CartSlow", "rule", "cart")
		d1.put([]Alert{a, b})
		sil, err := d1.addSilence(Silence{Matchers: []string{`alertname="Other"`}, EndsAt: time.Now().Add(time.Hour), CreatedBy: "ann"})
		require.NoError(t, err)
		dispatchAdvance(12 * time.Minute)
		require.NoError(t, d1.ack(b.ID, Ack{By: "bob"}))
		require.Len(t, rec["chat"].sent(), 2)
		require.Len(t, rec["sms"].sent(), 1)

		raw, err := json.Marshal(d1.snapshot())
		require.NoError(t, err)
		require.NoError(t, d1.stop(context.Background()))
		var snap dispatchSnapshot
		require.NoError(t, json.Unmarshal(raw, &snap))
		assert.Len(t, snap.Log, 2)
		assert.Equal(t, []escalationMark{{Tier: 1, Receiver: "sms"}}, snap.Escalations[a.ID].Sent)

		// Restart: same alerts, state restored.
		cfg2, rec2 := escalationConfig()
		d2, err := newDispatcher(cfg2)
		require.NoError(t, err)
		d2.restore(snap)
		d2.start()
		t.Cleanup(func() { assert.NoError(t, d2.stop(context.Background())) })
		d2.put([]Alert{a, b})
		synctest.Wait()
		assert.Equal(t, []Silence{dispatchPlainTimes(sil)}, []Silence{dispatchPlainTimes(d2.silences()[0])})
		assert.Equal(t, "bob", d2.acks()[b.ID].By)

		dispatchAdvance(49 * time.Minute) // 1h1m: a's repeat (due 1h0m30s) waits for the group's tick
		assert.Empty(t, rec2["chat"].sent(), "already notified groups are not notified again")
		assert.Empty(t, rec2["sms"].sent(), "a tier sent before the restart is not sent again")
		assert.Equal(t, []time.Duration{18 * time.Minute}, rec2["email"].times(), "escalation goes on: 30m after firing")
		dispatchAdvance(time.Minute) // 1h2m, the tick of the restored group
		require.Len(t, rec2["chat"].sent(), 1)
		assert.Equal(t, []string{"PaymentsDown/:firing"}, dispatchAlertNames(rec2["chat"].last()), "b is acknowledged")
	})
}

func TestDispatchRestoreDropsBadSilence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var errs o2test.Errors
		d, err := newDispatcher(dispatchConfig{Route: Route{Receiver: "a"}, Receivers: map[string]Receiver{"a": {}}, Errors: errs.Handle})
		require.NoError(t, err)
		now := time.Now()
		d.restore(dispatchSnapshot{Silences: []Silence{
			{ID: "good", Matchers: []string{`a="1"`}, StartsAt: now, EndsAt: now.Add(time.Hour)},
			{ID: "bad", Matchers: []string{`a=~"("`}, StartsAt: now, EndsAt: now.Add(time.Hour)},
			{ID: "old", Matchers: []string{`a="1"`}, StartsAt: now.Add(-72 * time.Hour), EndsAt: now.Add(-48 * time.Hour)},
		}})
		list := d.silences()
		require.Len(t, list, 1)
		assert.Equal(t, "good", list[0].ID)
		require.Len(t, errs.All(), 1)
		assert.ErrorContains(t, errs.All()[0], `silence "bad"`)
		assert.Empty(t, d.acks())
	})
}

// dispatchPlainTimes drops the monotonic clock and location of s's times, which
// JSON does not keep.
func dispatchPlainTimes(s Silence) Silence {
	s.StartsAt, s.EndsAt = s.StartsAt.Round(0).UTC(), s.EndsAt.Round(0).UTC()
	return s
}

func TestDispatchSnapshotPrunes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, _ := escalationConfig()
		d := runDispatcher(t, cfg)
		gone := dispatchFiring("alertname", "Gone", "rule", "pay")
		d.restore(dispatchSnapshot{
			Log: []notifyLogEntry{
				{GroupKey: `{}:{alertname="Gone"}`, Receiver: "chat", SentAt: time.Now().Add(-200 * time.Hour), Firing: []uint64{1}},
				{GroupKey: `{}:{alertname="Kept"}`, Receiver: "chat", SentAt: time.Now().Add(-200 * time.Hour), Firing: []uint64{1}},
			},
			Escalations: map[string]escalationRecord{
				gone.ID: {FiredAt: time.Now(), Since: time.Now().Add(-30 * 24 * time.Hour), Sent: []escalationMark{{1, "sms"}}},
			},
		})
		kept := dispatchFiring("alertname", "Kept")
		d.put([]Alert{kept})
		synctest.Wait()
		s := d.snapshot()
		require.Len(t, s.Log, 1, "an old entry is kept only while its group lives")
		assert.Equal(t, `{}:{alertname="Kept"}`, s.Log[0].GroupKey)
		assert.Empty(t, s.Escalations, "a month-old escalation of an alert not firing is dropped")
	})
}

func TestDispatchAlertWithoutIDOrTimes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rs, rec := dispatchReceivers("team")
		d := runDispatcher(t, dispatchConfig{Route: Route{Receiver: "team"}, Receivers: rs})
		a := Alert{Labels: map[string]string{"alertname": "Bare"}, State: StateFiring}
		d.put([]Alert{a})
		dispatchAdvance(time.Minute)
		d.put([]Alert{a})
		synctest.Wait()
		require.Len(t, rec["team"].sent(), 1)
		got := rec["team"].last().Alerts[0]
		assert.Equal(t, `{alertname="Bare"}`, got.ID, "the ID is the label set")
		assert.Equal(t, time.Minute, time.Since(got.FiredAt), "the first put starts the episode")
		d.mu.Lock()
		assert.Equal(t, got.FiredAt, d.firing[got.ID].alert.FiredAt, "later puts keep it")
		d.mu.Unlock()
		ids, inh := d.muted(Alert{Labels: map[string]string{"alertname": "Bare"}})
		assert.Empty(t, ids)
		assert.False(t, inh)
	})
}
