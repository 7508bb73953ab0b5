package alerting

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2test"
)

// dispatchAttempts collects observed dispatchAttempts.
type dispatchAttempts struct {
	mu  sync.Mutex
	got []attempt
}

func (a *dispatchAttempts) observe(at attempt) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.got = append(a.got, at)
}

func (a *dispatchAttempts) list() []attempt {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]attempt(nil), a.got...)
}

func TestDispatchRetryThenSuccess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rs, rec := dispatchReceivers("team")
		rec["team"].fail = func(call int) error {
			if call <= 2 {
				return errors.New("503 from the gateway")
			}
			return nil
		}
		var obs dispatchAttempts
		d := runDispatcher(t, dispatchConfig{Route: Route{Receiver: "team"}, Receivers: rs, Observe: obs.observe})
		a := dispatchFiring("alertname", "A")
		d.put([]Alert{a})
		dispatchAdvance(time.Minute)

		got := obs.list()
		require.Len(t, got, 3)
		for i, at := range got {
			assert.Equal(t, i+1, at.Number)
			assert.Equal(t, i == 2, at.Final)
			assert.Equal(t, i < 2, at.Err != nil)
			assert.Equal(t, "team", at.Receiver)
			assert.Equal(t, StatusFiring, at.Status)
			assert.Equal(t, []string{a.ID}, at.AlertIDs)
			assert.Equal(t, `{}:{alertname="A"}`, at.GroupKey)
		}
		first, second := got[1].At.Sub(got[0].At), got[2].At.Sub(got[1].At)
		assert.True(t, first >= 500*time.Millisecond && first <= time.Second, "first wait %v", first)
		assert.True(t, second >= time.Second && second <= 2*time.Second, "second wait %v", second)
		assert.Len(t, rec["team"].sent(), 1)
		assert.Equal(t, 30*time.Second, got[0].At.Sub(rec["team"].start))
	})
}

func TestDispatchPermanentErrorNotRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rs, rec := dispatchReceivers("team")
		rec["team"].fail = func(int) error { return Permanent(errors.New("400 bad payload")) }
		var obs dispatchAttempts
		var errs o2test.Errors
		d := runDispatcher(t, dispatchConfig{
			Route: Route{Receiver: "team"}, Receivers: rs, Observe: obs.observe,
			Errors: errs.Handle,
		})
		d.put([]Alert{dispatchFiring("alertname", "A")})
		dispatchAdvance(time.Minute)
		got := obs.list()
		require.Len(t, got, 1)
		assert.True(t, got[0].Final)
		assert.True(t, IsPermanent(got[0].Err))
		require.Len(t, errs.All(), 1)
		assert.ErrorContains(t, errs.All()[0], "400 bad payload")

		dispatchAdvance(5 * time.Minute)
		assert.Len(t, obs.list(), 2, "not logged as sent: the next tick tries again")
	})
}

func TestDispatchRetryGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rs, rec := dispatchReceivers("team")
		rec["team"].fail = func(int) error { return errors.New("timeout") }
		var obs dispatchAttempts
		var errs o2test.Errors
		d := runDispatcher(t, dispatchConfig{
			Route: Route{Receiver: "team"}, Receivers: rs, Observe: obs.observe,
			Errors: errs.Handle,
			Retry:  retryPolicy{Initial: time.Second, Max: 4 * time.Second, MaxElapsed: 20 * time.Second},
		})
		d.put([]Alert{dispatchFiring("alertname", "A")})
		dispatchAdvance(2 * time.Minute)
		got := obs.list()
		require.GreaterOrEqual(t, len(got), 4)
		last := got[len(got)-1]
		assert.True(t, last.Final)
		assert.LessOrEqual(t, last.At.Sub(got[0].At), 20*time.Second)
		for _, at := range got[:len(got)-1] {
			assert.False(t, at.Final)
		}
		require.Len(t, errs.All(), 1)
		assert.ErrorContains(t, errs.All()[0], "timeout")
	})
}

func TestDispatchRetriesOnlyFailedNotifiers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		good, flaky := newDispatchRecorder(), newDispatchRecorder()
		flaky.fail = func(call int) error {
			if call == 1 {
				return errors.New("reset")
			}
			return nil
		}
		var obs dispatchAttempts
		d := runDispatcher(t, dispatchConfig{
			Route:     Route{Receiver: "team"},
			Receivers: map[string]Receiver{"team": {Name: "team", Notifiers: []Notifier{good, flaky}}},
			Observe:   obs.observe,
		})
		d.put([]Alert{dispatchFiring("alertname", "A")})
		dispatchAdvance(time.Minute)
		assert.Equal(t, 1, good.callCount())
		assert.Equal(t, 2, flaky.callCount())
		got := obs.list()
		require.Len(t, got, 2)
		assert.ErrorContains(t, got[0].Err, "notifier 1: reset")
	})
}

func TestDispatchRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newDispatchRecorder()
		d := runDispatcher(t, dispatchConfig{
			Route:     Route{Receiver: "team", GroupBy: []string{"service"}},
			Receivers: map[string]Receiver{"team": {Name: "team", Notifiers: []Notifier{rec}, RateLimit: time.Minute}},
		})
		d.put([]Alert{
			dispatchFiring("alertname", "A", "service", "cart"),
			dispatchFiring("alertname", "A", "service", "pay"),
			dispatchFiring("alertname", "A", "service", "search"),
		})
		dispatchAdvance(10 * time.Minute)
		assert.Equal(t, []time.Duration{30 * time.Second, 90 * time.Second, 150 * time.Second}, rec.times(),
			"notifications due together wait their turn; none is dropped")
	})
}

func TestDispatchTestReceiver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ok, bad := newDispatchRecorder(), newDispatchRecorder()
		bad.fail = func(int) error { return errors.New("connection refused") }
		var obs dispatchAttempts
		d, err := newDispatcher(dispatchConfig{
			Route:     Route{Receiver: "ops"},
			Receivers: map[string]Receiver{"ops": {Name: "ops", Notifiers: []Notifier{ok, bad}, RateLimit: time.Hour}},
			Observe:   obs.observe,
		})
		require.NoError(t, err)
		err = d.testReceiver(context.Background(), "ops")
		require.Error(t, err)
		assert.ErrorContains(t, err, `receiver "ops": notifier 1: connection refused`)
		assert.Equal(t, 1, bad.callCount(), "no retry")
		n := ok.last()
		assert.True(t, n.Test)
		assert.Equal(t, "ops", n.Receiver)
		assert.Equal(t, "test", n.GroupKey)
		assert.Equal(t, StatusFiring, n.Status)
		require.Len(t, n.Alerts, 1)
		assert.Equal(t, "TestNotification", n.Alerts[0].Name())
		got := obs.list()
		require.Len(t, got, 1, "one attempt for all notifiers")
		assert.Equal(t, attempt{
			At: time.Now(), Receiver: "ops", GroupKey: "test", Tier: 0, Status: StatusFiring,
			AlertIDs: []string{"test"}, Number: 1, Err: err, Final: true,
		}, got[0])

		bad.fail = nil
		assert.NoError(t, d.testReceiver(context.Background(), "ops"), "the rate limit does not apply")
		got = obs.list()
		require.Len(t, got, 2)
		assert.NoError(t, got[1].Err)
		assert.True(t, got[1].Final)
		assert.ErrorIs(t, d.testReceiver(context.Background(), "nobody"), ErrNotFound)
		assert.Len(t, obs.list(), 2, "an unknown receiver is not an attempt")
		assert.True(t, ok.last().Test)
	})
}

func TestRetryPolicyBackoff(t *testing.T) {
	p, err := retryPolicy{}.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, retryPolicy{Initial: time.Second, Max: time.Minute, MaxElapsed: 10 * time.Minute}, p)
	for n, step := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 7: time.Minute, 30: time.Minute} {
		for range 20 {
			w := p.backoff(n)
			assert.True(t, w >= step/2 && w <= step, "retry %d waits %v", n, w)
		}
	}
}

// waitErr asks for a wait, as a 429 with Retry-After does.
type waitErr time.Duration

func (w waitErr) Error() string             { return "429 slow down" }
func (w waitErr) RetryDelay() time.Duration { return time.Duration(w) }

func TestDispatchRetryHonoursTheServersDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rs, rec := dispatchReceivers("team")
		rec["team"].fail = func(call int) error {
			if call == 1 {
				return fmt.Errorf("wrapped: %w", waitErr(20*time.Second))
			}
			return nil
		}
		var obs dispatchAttempts
		d := runDispatcher(t, dispatchConfig{Route: Route{Receiver: "team"}, Receivers: rs, Observe: obs.observe})
		d.put([]Alert{dispatchFiring("alertname", "A")})
		dispatchAdvance(time.Minute)
		got := obs.list()
		require.Len(t, got, 2)
		assert.Equal(t, 20*time.Second, got[1].At.Sub(got[0].At), "the server's 20 s, not the 1 s backoff")
	})
	assert.Equal(t, 3*time.Second, dispatchRetryDelay([]error{errors.New("x"), waitErr(3 * time.Second), waitErr(time.Second)}))
}
