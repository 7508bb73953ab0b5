package alerting

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2test"
)

// errText joins the errors kept so far.
func errText(errs *o2test.Errors) string { return errors.Join(errs.All()...).Error() }

func TestSlowAndFailingRulesAreReported(t *testing.T) {
	env := o2test.New(t)
	errs := &o2test.Errors{}
	eng, err := NewEngine(env.Client, WithSlowRule(time.Nanosecond), WithErrorHandler(errs),
		WithClock(o2test.Pinned), WithExternalLabels(map[string]string{"region": "eu-1"}),
		WithGroups(Group{Name: "g", Rules: []Rule{
			{Name: "Up", Expr: "vector(1)", Annotations: map[string]string{"summary": "in {{ $externalLabels.region }}"}},
			{Name: "BadSQL", SQL: &SQLCondition{Query: "SELECT nope FROM"}},
		}}))
	require.NoError(t, err)
	defer eng.Shutdown(t.Context())
	err = eng.Evaluate(t.Context())
	require.Error(t, err, "the failing rule is returned")
	assert.Contains(t, err.Error(), "g/BadSQL")
	assert.Contains(t, errText(errs), "g/BadSQL")
	assert.Contains(t, errText(errs), `rule "g/Up" is slow`)
	st := eng.Stats()
	assert.Equal(t, uint64(1), st.Evaluations)
	assert.Equal(t, uint64(1), st.RuleFailures)
	assert.GreaterOrEqual(t, st.SlowRules, uint64(1))
	assert.Equal(t, 1, st.Firing)
	assert.Equal(t, "in eu-1", eng.Alerts(AlertFilter{})[0].Annotations["summary"])
}

func TestNotificationsAreRecordedAndCounted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := o2test.Bubble(t)
		errs := &o2test.Errors{}
		broken := NotifierFunc(func(_ context.Context, _ *Notification) error {
			return Permanent(errors.New("recipient rejected"))
		})
		sent := &notes{}
		eng, err := NewEngine(env.Client, WithErrorHandler(errs),
			WithGroups(Group{Name: "g", Rules: []Rule{
				{Name: "Pay", Expr: `label_replace(vector(1), "team", "pay", "", "")`},
				{Name: "Web", Expr: `label_replace(vector(1), "team", "web", "", "")`},
			}}),
			WithReceivers(Receiver{Name: "ok", Notifiers: []Notifier{sent}}, Receiver{Name: "broken", Notifiers: []Notifier{broken}}),
			WithRoute(Route{Receiver: "ok", GroupBy: []string{"team"}, Routes: []Route{{Receiver: "broken", Matchers: []string{`team="web"`}}}}),
			WithInhibitRules(InhibitRule{Source: []string{`alertname="Nothing"`}, Target: []string{`team="pay"`}}))
		require.NoError(t, err)
		done := make(chan error)
		go func() { done <- eng.Run(t.Context()) }()
		time.Sleep(31 * time.Second)
		synctest.Wait()
		require.NoError(t, eng.Shutdown(t.Context()))
		require.NoError(t, <-done)

		assert.Len(t, sent.all(), 1)
		st := eng.Stats()
		assert.Equal(t, uint64(1), st.NotificationsSent)
		assert.Equal(t, uint64(1), st.NotificationsFailed)
		assert.Equal(t, uint64(1), st.NotificationsGivenUp)
		assert.Contains(t, errText(errs), `receiver "broken"`)
		assert.Equal(t, 1, strings.Count(errText(errs), "recipient rejected"), "reported once")

		outcomes := map[string]string{}
		for _, r := range env.Records(t, "alerts") {
			if r["event"] == EventNotification {
				outcomes[r["receiver"].(string)] = r["outcome"].(string)
				if r["receiver"] == "broken" {
					assert.Equal(t, "notifier 0: recipient rejected", r["error"])
				}
			}
		}
		assert.Equal(t, map[string]string{"ok": "sent", "broken": "gave_up"}, outcomes)
	})
}

func TestTestReceiverAndSilences(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.eng.TestReceiver(t.Context(), "ops"))
	got := f.sent.all()
	require.Len(t, got, 1)
	assert.True(t, got[0].Test)
	assert.ErrorIs(t, f.eng.TestReceiver(t.Context(), "nobody"), ErrNotFound)

	s, err := f.eng.AddSilence(t.Context(), Silence{Matchers: []string{`queue="orders"`}, EndsAt: time.Now().Add(time.Hour), CreatedBy: "dana", Comment: "migration"})
	require.NoError(t, err)
	require.NoError(t, f.eng.ExpireSilence(t.Context(), s.ID))
	assert.ErrorIs(t, f.eng.ExpireSilence(t.Context(), s.ID), ErrNotFound)
	_, err = f.eng.AddSilence(t.Context(), Silence{Matchers: []string{`queue=~"("`}, EndsAt: time.Now().Add(time.Hour)})
	assert.Error(t, err)

	var events []string
	for _, r := range f.records(t) {
		if strings.HasPrefix(r["event"].(string), "silence") {
			events = append(events, r["event"].(string)+":"+r["by"].(string)+":"+r["comment"].(string))
		}
	}
	assert.Equal(t, []string{"silence_created:dana:migration", "silence_expired:dana:migration"}, events)
}

// A firing alert whose rule is gone after a restart is resolved by the
// dispatcher's resolve timeout, and that is a state change in the stream.
func TestAlertOfARuleGoneAfterARestartResolves(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		env := o2test.Bubble(t)
		sent := &notes{}
		opts := func(rules ...Rule) []Option {
			return []Option{WithStateDir(dir), WithGroups(Group{Name: "g", Rules: rules}),
				WithReceivers(Receiver{Name: "ops", Notifiers: []Notifier{sent}})}
		}
		first, err := NewEngine(env.Client, opts(Rule{Name: "Gone", Expr: "vector(1)"}, Rule{Name: "Stays", Expr: "vector(0) > 1"})...)
		require.NoError(t, err)
		require.NoError(t, first.Evaluate(t.Context()))
		require.NoError(t, first.Shutdown(t.Context()))

		again, err := NewEngine(env.Client, opts(Rule{Name: "Stays", Expr: "vector(0) > 1"})...)
		require.NoError(t, err)
		done := make(chan error)
		go func() { done <- again.Run(t.Context()) }()
		time.Sleep(6 * time.Minute)
		synctest.Wait()
		require.NoError(t, again.Shutdown(t.Context()))
		require.NoError(t, <-done)

		var got []string
		for _, r := range env.Records(t, "alerts") {
			if r["event"] == EventStateChange {
				got = append(got, fmt.Sprint(r["alertname"], ":", r["previous_state"], ">", r["state"], ":", r["reason"]))
			}
		}
		assert.Equal(t, []string{"Gone:inactive>firing:<nil>", "Gone:firing>resolved:resolve_timeout"}, got)
		assert.Empty(t, sent.all(), "never notified firing (the first engine did not run), so no resolved notice")
	})
}
