package alerting

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2test"
)

// dispatchForwarder is a recorder that asks to be resent every interval,
// as notify.Alertmanager does.
type dispatchForwarder struct {
	*dispatchRecorder
	every time.Duration
}

func (f dispatchForwarder) ResendInterval() time.Duration { return f.every }

// dispatchGaps returns the times between consecutive entries of ts.
func dispatchGaps(ts []time.Duration) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(ts); i++ {
		out = append(out, ts[i]-ts[i-1])
	}
	return out
}

// resendConfig routes everything to "team": a chat notifier and a
// forwarder resent every minute, with the default timings.
func resendConfig() (dispatchConfig, *dispatchRecorder, dispatchForwarder) {
	chat := newDispatchRecorder()
	am := dispatchForwarder{newDispatchRecorder(), time.Minute}
	never := dispatchForwarder{newDispatchRecorder(), 0} // zero: not resent
	return dispatchConfig{
		Route:     Route{Receiver: "team"},
		Receivers: map[string]Receiver{"team": {Name: "team", Notifiers: []Notifier{chat, am, never}}},
	}, chat, am
}

func TestDispatchResendWhileFiring(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, chat, am := resendConfig()
		var mu sync.Mutex
		var attempts []attempt
		cfg.Observe = func(a attempt) { mu.Lock(); attempts = append(attempts, a); mu.Unlock() }
		d := runDispatcher(t, cfg)
		a := dispatchFiring("alertname", "Up")
		d.put([]Alert{a})
		dispatchAdvance(time.Hour)

		assert.Equal(t, []time.Duration{30 * time.Second}, chat.times(), "chat: first notification only, repeat is 4h")
		ts := am.times()
		require.Len(t, ts, 60)
		assert.Equal(t, 30*time.Second, ts[0], "with the group's first notification")
		for _, g := range dispatchGaps(ts) {
			require.Equal(t, time.Minute, g, "then every resend interval")
		}
		assert.Equal(t, StatusFiring, am.last().Status)
		assert.Equal(t, []string{"Up/:firing"}, dispatchAlertNames(am.last()))

		require.NoError(t, d.ack(a.ID, Ack{By: "ann"}))
		dispatchAdvance(time.Hour)
		assert.Len(t, chat.sent(), 1, "acked: no repeat for people")
		assert.Len(t, am.sent(), 120, "acked: still resent to the forwarder")
		assert.NotNil(t, am.last().Alerts[0].Ack, "carrying the ack")

		d.put([]Alert{dispatchResolved(a)})
		dispatchAdvance(time.Hour)
		require.Len(t, chat.sent(), 2)
		assert.Equal(t, StatusResolved, chat.last().Status)
		require.Len(t, am.sent(), 121, "the resolved notice, then nothing")
		assert.Equal(t, StatusResolved, am.last().Status)

		mu.Lock()
		defer mu.Unlock()
		resends := 0
		for _, at := range attempts {
			if at.Resend {
				resends++
				assert.True(t, at.Final)
			}
		}
		assert.Equal(t, 119, resends, "every send to the forwarder but the first and the resolved one")
	})
}

// A failed resend is not retried: the next one comes an interval later,
// and the group's own notifications go on as before.
func TestDispatchResendFailureNotRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, chat, am := resendConfig()
		am.fail = func(call int) error {
			if call == 2 {
				return assert.AnError
			}
			return nil
		}
		var errs o2test.Errors
		cfg.Errors = errs.Handle
		d := runDispatcher(t, cfg)
		d.put([]Alert{dispatchFiring("alertname", "Up")})
		dispatchAdvance(3*time.Minute + time.Second)
		assert.Equal(t, 3, am.callCount(), "30s, 1m30 failed, 2m30")
		assert.Equal(t, []time.Duration{30 * time.Second, 150 * time.Second}, am.times())
		assert.Len(t, chat.sent(), 1)
		require.Len(t, errs.All(), 1)
		assert.ErrorIs(t, errs.All()[0], assert.AnError)
	})
}

// Muted alerts are not resent; alerts that join the group are.
func TestDispatchResendMutedAndJoined(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, chat, am := resendConfig()
		cfg.Route.GroupBy = []string{"team"}
		d := runDispatcher(t, cfg)
		d.put([]Alert{dispatchFiring("alertname", "A", "team", "x")})
		dispatchAdvance(2 * time.Minute)
		require.Len(t, am.sent(), 2)
		d.put([]Alert{dispatchFiring("alertname", "B", "team", "x")})
		dispatchAdvance(time.Minute)
		assert.Len(t, am.last().Alerts, 2, "B joins the resend before the group interval")
		assert.Len(t, chat.sent(), 1)

		_, err := d.addSilence(Silence{Matchers: []string{`team="x"`}, EndsAt: time.Now().Add(time.Hour)})
		require.NoError(t, err)
		n := len(am.sent())
		dispatchAdvance(30 * time.Minute)
		assert.Len(t, am.sent(), n, "silenced: nothing resent")
	})
}

func TestNewDispatchResend(t *testing.T) {
	slow := dispatchForwarder{newDispatchRecorder(), 3 * time.Minute}
	fast := dispatchForwarder{newDispatchRecorder(), time.Minute}
	rs := newDispatchResend(Receiver{Notifiers: []Notifier{newDispatchRecorder(), slow, fast}})
	require.NotNil(t, rs)
	assert.Equal(t, time.Minute, rs.every, "the shortest")
	assert.Equal(t, []int{1, 2}, rs.idx)
	assert.Nil(t, newDispatchResend(Receiver{Notifiers: []Notifier{newDispatchRecorder()}}))
	assert.Nil(t, newDispatchResend(Receiver{}))
}

// Resends neither wait for the receiver's rate limit nor hold back the
// group's own notifications.
func TestDispatchResendOutsideRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, chat, am := resendConfig()
		r := cfg.Receivers["team"]
		r.RateLimit = 10 * time.Minute
		cfg.Receivers["team"] = r
		cfg.Route.GroupBy = []string{"team"}
		d := runDispatcher(t, cfg)
		d.put([]Alert{dispatchFiring("alertname", "A", "team", "x")})
		dispatchAdvance(12 * time.Minute)
		d.put([]Alert{dispatchFiring("alertname", "B", "team", "x")})
		dispatchAdvance(5 * time.Minute)
		assert.Equal(t, []time.Duration{30 * time.Second, 15*time.Minute + 30*time.Second}, chat.times(),
			"B with the next group interval, the rate limit long past")
		for _, g := range dispatchGaps(am.times()) {
			require.Equal(t, time.Minute, g)
		}
		assert.Len(t, am.sent(), 17)
	})
}
