package alerting

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2test"
)

func TestEscalationResolvedNotice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, rec := escalationConfig()
		var obs dispatchAttempts
		cfg.Observe = obs.observe
		d := runDispatcher(t, cfg)
		a := dispatchFiring("alertname", "PaymentsDown", "rule", "pay")
		d.put([]Alert{a})
		dispatchAdvance(15 * time.Minute)
		require.Len(t, rec["sms"].sent(), 1)

		d.put([]Alert{dispatchResolved(a)})
		synctest.Wait()
		sms := rec["sms"].sent()
		require.Len(t, sms, 2, "the tier receiver hears it resolved, at once")
		assert.Equal(t, 15*time.Minute, sms[1].at)
		n := sms[1].n
		assert.Equal(t, StatusResolved, n.Status)
		assert.Equal(t, 1, n.Tier)
		assert.Equal(t, sms[0].n.GroupKey, n.GroupKey)
		assert.Equal(t, sms[0].n.GroupLabels, n.GroupLabels)
		assert.Equal(t, []string{"PaymentsDown/:resolved"}, dispatchAlertNames(n))
		last := obs.list()[len(obs.list())-1]
		assert.Equal(t, attempt{
			At: time.Now(), Receiver: "sms", GroupKey: n.GroupKey, Tier: 1, Status: StatusResolved,
			AlertIDs: []string{a.ID}, Number: 1, Final: true,
		}, last)

		dispatchAdvance(time.Hour)
		d.put([]Alert{dispatchResolved(a)})
		dispatchAdvance(time.Hour)
		assert.Len(t, rec["sms"].sent(), 2, "once")
		assert.Empty(t, rec["email"].sent(), "not for a tier that never sent")
		assert.Equal(t, StatusResolved, rec["chat"].last().Status)
	})
}

func TestEscalationResolvedNoticeBatches(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, rec := escalationConfig()
		cfg.Route.GroupBy = []string{"..."}
		d := runDispatcher(t, cfg)
		a := dispatchFiring("alertname", "PaymentsDown", "rule", "pay", "region", "eu")
		b := dispatchFiring("alertname", "PaymentsDown", "rule", "pay", "region", "us")
		d.put([]Alert{a, b})
		dispatchAdvance(40 * time.Minute)
		require.Len(t, rec["sms"].sent(), 2, "one per group")
		require.Len(t, rec["email"].sent(), 2)
		d.put([]Alert{dispatchResolved(a)})
		synctest.Wait()
		for _, r := range []string{"sms", "email"} {
			got := rec[r].sent()
			require.Len(t, got, 3, r)
			assert.Equal(t, StatusResolved, got[2].n.Status, r)
			assert.Equal(t, a.Labels, got[2].n.GroupLabels, r)
		}
		assert.Equal(t, 2, rec["email"].last().Tier)
	})
}

func TestEscalationResolvedNoticeRateLimitAndRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, rec := escalationConfig()
		sms := cfg.Receivers["sms"]
		sms.RateLimit = time.Hour
		cfg.Receivers["sms"] = sms
		rec["sms"].fail = func(call int) error {
			if call == 2 {
				return errors.New("gateway busy")
			}
			return nil
		}
		var obs dispatchAttempts
		cfg.Observe = obs.observe
		d := runDispatcher(t, cfg)
		a := dispatchFiring("alertname", "PaymentsDown", "rule", "pay")
		d.put([]Alert{a})
		dispatchAdvance(15 * time.Minute)
		d.put([]Alert{dispatchResolved(a)})
		dispatchAdvance(time.Hour)
		times := rec["sms"].times()
		require.Len(t, times, 2)
		assert.Equal(t, 10*time.Minute, times[0])
		assert.True(t, times[1] > 70*time.Minute && times[1] <= 70*time.Minute+time.Second,
			"after the rate limit, then one retry: %v", times[1])
		var tries []int
		for _, at := range obs.list() {
			if at.Receiver == "sms" && at.Status == StatusResolved {
				tries = append(tries, at.Number)
			}
		}
		assert.Equal(t, []int{1, 2}, tries)
	})
}

func TestEscalationResolvedWhileTierInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, rec := escalationConfig()
		rec["sms"].fail = func(call int) error {
			if call == 1 {
				return errors.New("timeout")
			}
			return nil
		}
		d := runDispatcher(t, cfg)
		a := dispatchFiring("alertname", "PaymentsDown", "rule", "pay")
		d.put([]Alert{a})
		dispatchAdvance(10 * time.Minute) // the tier's first try failed; its retry waits
		require.Equal(t, 1, rec["sms"].callCount())
		d.put([]Alert{dispatchResolved(a)})
		dispatchAdvance(time.Hour)
		got := rec["sms"].sent()
		require.Len(t, got, 2, "the retry went out, so a resolved notice follows")
		assert.Equal(t, StatusFiring, got[0].n.Status)
		assert.Equal(t, StatusResolved, got[1].n.Status)
		d.mu.Lock()
		assert.Empty(t, d.escEnding)
		d.mu.Unlock()

		// A tier that never got through owes nothing.
		rec["sms"].fail = func(int) error { return Permanent(errors.New("bad number")) }
		b := dispatchFiring("alertname", "PaymentsDown", "rule", "pay", "region", "eu")
		d.put([]Alert{b})
		dispatchAdvance(10*time.Minute + time.Second)
		d.put([]Alert{dispatchResolved(b)})
		dispatchAdvance(time.Hour)
		assert.Len(t, rec["sms"].sent(), 2)
		assert.Equal(t, 4, rec["sms"].callCount(), "b's tier failed; no resolved notice tried")
	})
}

func TestEscalationResolvedNoticeAcrossRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, rec := escalationConfig()
		a := dispatchFiring("alertname", "PaymentsDown", "rule", "pay")
		snap := dispatchRestart(t, cfg, 12*time.Minute, a)
		require.Len(t, rec["sms"].sent(), 1)

		// Resolved after the restart: the tier sent before still hears it.
		cfg2, rec2 := escalationConfig()
		sms := cfg2.Receivers["sms"]
		sms.RateLimit = time.Hour
		cfg2.Receivers["sms"] = sms
		d2, err := newDispatcher(cfg2)
		require.NoError(t, err)
		d2.restore(snap)
		d2.start()
		d2.put([]Alert{dispatchResolved(a)})
		synctest.Wait()
		require.Len(t, rec2["sms"].sent(), 1)
		assert.Equal(t, StatusResolved, rec2["sms"].last().Status)

		// A notice still waiting for the rate limit at stop is kept.
		b := dispatchFiring("alertname", "PaymentsDown", "rule", "pay", "region", "eu")
		d2.put([]Alert{b})
		dispatchAdvance(11 * time.Minute) // b's tier 1 waits for the rate limit until 1h
		dispatchAdvance(time.Hour)
		require.Len(t, rec2["sms"].sent(), 2)
		d2.put([]Alert{dispatchResolved(b)}) // its notice waits until 2h
		synctest.Wait()
		require.NoError(t, d2.stop(context.Background()))
		s := d2.snapshot()
		require.Len(t, s.Notices, 1)
		assert.Equal(t, b.ID, s.Notices[0].Alert.ID)

		cfg3, rec3 := escalationConfig()
		restoredDispatcher(t, cfg3, s)
		synctest.Wait()
		require.Len(t, rec3["sms"].sent(), 1, "sent after the restart")
		n := rec3["sms"].last()
		assert.Equal(t, StatusResolved, n.Status)
		assert.Equal(t, 1, n.Tier)
	})
}

func TestEscalationResolvedNoticeGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, rec := escalationConfig()
		rec["sms"].fail = func(call int) error {
			if call > 1 {
				return Permanent(errors.New("number blocked"))
			}
			return nil
		}
		var errs o2test.Errors
		cfg.Errors = errs.Handle
		d := runDispatcher(t, cfg)
		a := dispatchFiring("alertname", "PaymentsDown", "rule", "pay")
		d.put([]Alert{a})
		dispatchAdvance(15 * time.Minute)
		d.put([]Alert{dispatchResolved(a)})
		dispatchAdvance(time.Hour)
		assert.Equal(t, 2, rec["sms"].callCount(), "a permanent failure is not retried")
		require.Len(t, errs.All(), 1)
		assert.ErrorContains(t, errs.All()[0], "number blocked")
		assert.Empty(t, d.snapshot().Notices, "dropped once given up while running")
	})
}

func TestEscalationCompareBool(t *testing.T) {
	assert.Equal(t, 0, escalationCompareBool(true, true))
	assert.Equal(t, 0, escalationCompareBool(false, false))
	assert.Equal(t, -1, escalationCompareBool(false, true))
	assert.Equal(t, 1, escalationCompareBool(true, false))
}
