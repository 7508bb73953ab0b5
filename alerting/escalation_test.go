package alerting

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2test"
)

// escalationConfig routes everything to chat; rule "pay" escalates to SMS
// after 10 minutes and to the manager's e-mail after 30 (listed out of
// order on purpose). Alerts put once stay firing for a day.
func escalationConfig() (dispatchConfig, map[string]*dispatchRecorder) {
	rs, rec := dispatchReceivers("chat", "sms", "email")
	return dispatchConfig{
		Route:          Route{Receiver: "chat", RepeatInterval: time.Hour},
		Receivers:      rs,
		ResolveTimeout: 24 * time.Hour,
		Rule: func(id string) (Rule, bool) {
			if id != "pay" {
				return Rule{ID: id}, true
			}
			return Rule{ID: id, Escalation: []Tier{
				{After: 30 * time.Minute, Receivers: []string{"email"}},
				{After: 10 * time.Minute, Receivers: []string{"sms"}},
			}}, true
		},
	}, rec
}

func TestDispatchEscalation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, rec := escalationConfig()
		d := runDispatcher(t, cfg)
		a := dispatchFiring("alertname", "PaymentsDown", "rule", "pay")
		d.put([]Alert{a})
		dispatchAdvance(2 * time.Hour)

		assert.Equal(t, []time.Duration{30 * time.Second, time.Hour + 30*time.Second}, rec["chat"].times())
		assert.Equal(t, []time.Duration{10 * time.Minute}, rec["sms"].times())
		assert.Equal(t, []time.Duration{30 * time.Minute}, rec["email"].times())
		sms, email := rec["sms"].last(), rec["email"].last()
		assert.Equal(t, 1, sms.Tier)
		assert.Equal(t, 2, email.Tier)
		assert.Equal(t, rec["chat"].last().GroupKey, sms.GroupKey)
		assert.Equal(t, StatusFiring, email.Status)
		assert.Equal(t, []string{"PaymentsDown/:firing"}, dispatchAlertNames(email))
	})
}

func TestDispatchAckStopsRepeatAndEscalation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, rec := escalationConfig()
		d := runDispatcher(t, cfg)
		a := dispatchFiring("alertname", "PaymentsDown", "rule", "pay")
		assert.ErrorIs(t, d.ack(a.ID, Ack{By: "ann"}), ErrNotFound, "not firing yet")
		d.put([]Alert{a})
		dispatchAdvance(15 * time.Minute)
		require.Len(t, rec["sms"].sent(), 1)

		require.NoError(t, d.ack(a.ID, Ack{By: "ann", Comment: "on it"}))
		acks := d.acks()
		require.Contains(t, acks, a.ID)
		assert.Equal(t, "ann", acks[a.ID].By)
		assert.Equal(t, time.Now(), acks[a.ID].At, "a zero time means now")
		dispatchAdvance(3 * time.Hour)
		assert.Empty(t, rec["email"].sent(), "acknowledged: no further tier")
		assert.Len(t, rec["chat"].sent(), 1, "acknowledged: no repeat")

		// A new alert joining the acked group is still notified, with the ack shown.
		b := dispatchFiring("alertname", "PaymentsDown", "region", "eu", "rule", "other")
		d.put([]Alert{a, b})
		dispatchAdvance(5 * time.Minute)
		require.Len(t, rec["chat"].sent(), 2)
		n := rec["chat"].last()
		require.Len(t, n.Alerts, 2)
		require.NotNil(t, n.Alerts[0].Ack)
		assert.Equal(t, "on it", n.Alerts[0].Ack.Comment)
		assert.Nil(t, n.Alerts[1].Ack)

		d.put([]Alert{dispatchResolved(a), b})
		dispatchAdvance(5 * time.Minute)
		assert.Empty(t, d.acks(), "resolving clears the ack")
		assert.Equal(t, []string{"PaymentsDown/:resolved", "PaymentsDown/:firing"}, dispatchAlertNames(rec["chat"].last()))

		// It fires again: a new episode, repeats and escalation are back.
		dispatchAdvance(time.Minute)
		a2 := dispatchFiring("alertname", "PaymentsDown", "rule", "pay")
		d.put([]Alert{a2, b})
		dispatchAdvance(11 * time.Minute)
		assert.Equal(t, []string{"PaymentsDown/:firing", "PaymentsDown/:resolved", "PaymentsDown/:firing"},
			dispatchSentNames(rec["sms"]), "the acked tier still hears it resolved")
	})
}

func TestDispatchEscalationWaitsForSilence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, rec := escalationConfig()
		d := runDispatcher(t, cfg)
		_, err := d.addSilence(Silence{Matchers: []string{`alertname="PaymentsDown"`}, EndsAt: time.Now().Add(20 * time.Minute)})
		require.NoError(t, err)
		d.put([]Alert{dispatchFiring("alertname", "PaymentsDown", "rule", "pay")})
		dispatchAdvance(time.Hour)
		assert.Equal(t, []time.Duration{20 * time.Minute}, rec["sms"].times(), "sent when the silence ends")
		assert.Equal(t, []time.Duration{30 * time.Minute}, rec["email"].times())
	})
}

func TestDispatchEscalationRetriesAfterFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, rec := escalationConfig()
		rec["sms"].fail = func(call int) error {
			if call == 1 {
				return Permanent(assert.AnError)
			}
			return nil
		}
		var errs o2test.Errors
		cfg.Errors = errs.Handle
		d := runDispatcher(t, cfg)
		d.put([]Alert{dispatchFiring("alertname", "PaymentsDown", "rule", "pay")})
		dispatchAdvance(time.Hour)
		assert.Equal(t, []time.Duration{15 * time.Minute}, rec["sms"].times(), "tried again a group interval later")
		require.Len(t, errs.All(), 1)
		assert.ErrorIs(t, errs.All()[0], assert.AnError)
	})
}

func TestEscalationDue(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tiers := []Tier{{After: 0, Receivers: []string{"a", "b"}}, {After: time.Minute, Receivers: []string{"c"}}}
	e := &escalation{firedAt: t0.Add(-time.Hour), since: t0, marks: map[escalationMark]bool{{Tier: 1, Receiver: "a"}: true}}
	due, next := e.due(tiers, t0)
	assert.Equal(t, []escalationMark{{Tier: 1, Receiver: "b"}}, due)
	assert.Equal(t, t0.Add(time.Minute), next)
	due, next = e.due(tiers, t0.Add(time.Minute))
	assert.Equal(t, []escalationMark{{1, "b"}, {2, "c"}}, due)
	assert.True(t, next.IsZero())
}
