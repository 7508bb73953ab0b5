package alerting

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSilenceValidation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, err := newDispatcher(dispatchConfig{Route: Route{Receiver: "a"}, Receivers: map[string]Receiver{"a": {}}})
		require.NoError(t, err)
		now := time.Now()
		for name, s := range map[string]Silence{
			"no matchers":     {EndsAt: now.Add(time.Hour)},
			"bad matcher":     {Matchers: []string{`a=~"("`}, EndsAt: now.Add(time.Hour)},
			"matches all":     {Matchers: []string{`a=~".*"`}, EndsAt: now.Add(time.Hour)},
			"ends before":     {Matchers: []string{`a="1"`}, StartsAt: now, EndsAt: now.Add(-time.Minute)},
			"ends when start": {Matchers: []string{`a="1"`}, EndsAt: now},
		} {
			_, err := d.addSilence(s)
			assert.Error(t, err, name)
		}
		s, err := d.addSilence(Silence{ID: "mine", Matchers: []string{`a="1"`}, EndsAt: now.Add(time.Hour), CreatedBy: "ann", Comment: "deploy"})
		require.NoError(t, err)
		assert.NotEqual(t, "mine", s.ID, "the ID is assigned")
		assert.Len(t, s.ID, 36)
		assert.Equal(t, now, s.StartsAt, "zero start means now")
		assert.Equal(t, []Silence{s}, d.silences())

		assert.ErrorIs(t, d.expireSilence("nope"), ErrNotFound)
		require.NoError(t, d.expireSilence(s.ID))
		assert.ErrorIs(t, d.expireSilence(s.ID), ErrNotFound, "already expired")
		assert.Equal(t, now, d.silences()[0].EndsAt)

		later, err := d.addSilence(Silence{Matchers: []string{`a="1"`}, StartsAt: now.Add(time.Hour), EndsAt: now.Add(2 * time.Hour)})
		require.NoError(t, err)
		require.NoError(t, d.expireSilence(later.ID), "a silence not started yet can be expired")
		got := d.silences()[1]
		assert.Equal(t, now, got.StartsAt)
		assert.Equal(t, now, got.EndsAt)

		time.Sleep(silenceRetention + time.Second)
		assert.Empty(t, d.silences(), "expired silences are dropped after a day")
	})
}

func TestDispatchSilence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rs, rec := dispatchReceivers("team")
		d := runDispatcher(t, dispatchConfig{Route: Route{Receiver: "team"}, Receivers: rs})
		s, err := d.addSilence(Silence{Matchers: []string{`service="cart"`}, EndsAt: time.Now().Add(time.Hour), CreatedBy: "ann"})
		require.NoError(t, err)
		cart := dispatchFiring("alertname", "A", "service", "cart")
		pay := dispatchFiring("alertname", "A", "service", "pay")
		d.put([]Alert{cart, pay})
		dispatchAdvance(30 * time.Second)
		require.Len(t, rec["team"].sent(), 1)
		assert.Equal(t, []string{"A/pay:firing"}, dispatchAlertNames(rec["team"].last()))
		ids, inh := d.muted(cart)
		assert.Equal(t, []string{s.ID}, ids)
		assert.False(t, inh)
		ids, _ = d.muted(pay)
		assert.Empty(t, ids)

		dispatchAdvance(10 * time.Minute)
		assert.Len(t, rec["team"].sent(), 1, "still silenced")
		require.NoError(t, d.expireSilence(s.ID))
		dispatchAdvance(5 * time.Minute) // the next tick, 15m30s
		require.Len(t, rec["team"].sent(), 2)
		assert.Equal(t, []string{"A/cart:firing", "A/pay:firing"}, dispatchAlertNames(rec["team"].last()))
		assert.Equal(t, 15*time.Minute+30*time.Second, rec["team"].times()[1])
		list := d.silences()
		require.Len(t, list, 1)
		assert.False(t, list[0].Active(time.Now()))
	})
}

func TestDispatchSilenceEndsByItself(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rs, rec := dispatchReceivers("team")
		d := runDispatcher(t, dispatchConfig{Route: Route{Receiver: "team"}, Receivers: rs})
		_, err := d.addSilence(Silence{Matchers: []string{`alertname="A"`}, EndsAt: time.Now().Add(7 * time.Minute)})
		require.NoError(t, err)
		d.put([]Alert{dispatchFiring("alertname", "A")})
		dispatchAdvance(time.Hour)
		assert.Equal(t, []time.Duration{10*time.Minute + 30*time.Second}, rec["team"].times(),
			"sent at the first tick after the silence ended")
	})
}
