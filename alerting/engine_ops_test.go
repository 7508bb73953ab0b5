package alerting

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2test"
)

// errorLog is an error handler that keeps what it is given.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) Handle(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *errorLog) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return errors.Join(l.errs...).Error()
}

var _ o2kit.ErrorHandler = (*errorLog)(nil)

func TestSlowAndFailingRulesAreReported(t *testing.T) {
	env := o2test.New(t)
	errs := &errorLog{}
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
	assert.Contains(t, errs.text(), "g/BadSQL")
	assert.Contains(t, errs.text(), `rule "g/Up" is slow`)
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
		errs := &errorLog{}
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
		assert.Contains(t, errs.text(), `receiver "broken"`)
		assert.Equal(t, 1, strings.Count(errs.text(), "recipient rejected"), "reported once")

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
