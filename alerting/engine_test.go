package alerting

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2test"
	"github.com/o2kit/o2kit/internal/timeseries"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// engineFixture is an engine over a window store with one gauge rule.
type engineFixture struct {
	env   *o2test.Env
	eng   *Engine
	store *timeseries.Store
	clock *fakeClock
	sent  *notes
}

// notes is a notifier that keeps the notifications it gets.
type notes struct {
	mu  sync.Mutex
	got []Notification
}

func (n *notes) Notify(_ context.Context, x *Notification) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, *x)
	return nil
}

func (n *notes) all() []Notification {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Notification(nil), n.got...)
}

var queueRule = Rule{Name: "QueueBacklog", Expr: "queue_depth > 100", For: time.Minute, Severity: High,
	Annotations: map[string]string{"summary": "{{ $labels.queue }} holds {{ $value }}"}}

func newFixture(t *testing.T, opts ...Option) *engineFixture {
	t.Helper()
	env := o2test.New(t)
	st, err := timeseries.New()
	require.NoError(t, err)
	f := &engineFixture{env: env, store: st, clock: &fakeClock{t: o2test.Epoch}, sent: &notes{}}
	base := []Option{
		WithMetrics(st), WithClock(f.clock.Now),
		WithGroups(Group{Name: "shop", Rules: []Rule{queueRule}}),
		WithReceivers(Receiver{Name: "ops", Notifiers: []Notifier{f.sent}}),
	}
	f.eng, err = NewEngine(env.Client, append(base, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.eng.Shutdown(context.Background()) })
	return f
}

// records returns what the alerts stream holds, oldest first.
func (f *engineFixture) records(t *testing.T) []map[string]any {
	t.Helper()
	return f.env.Records(t, "alerts")
}

// step records the depth of queue "orders" now, moves the clock by d and
// evaluates.
func (f *engineFixture) step(t *testing.T, depth float64, d time.Duration) {
	t.Helper()
	require.NoError(t, f.store.Append("queue_depth", timeseries.Labels{{Name: "queue", Value: "orders"}}, f.clock.Now().UnixMilli(), depth))
	f.clock.Add(d)
	require.NoError(t, f.eng.Evaluate(t.Context()))
}

// fire steps the queue over its threshold until the rule fires.
func (f *engineFixture) fire(t *testing.T) {
	t.Helper()
	for range 3 { // pending at 30 s, firing at 90 s
		f.step(t, 150, 30*time.Second)
	}
}

func TestNewEngineRejectsBadConfig(t *testing.T) {
	env := o2test.New(t)
	_, err := NewEngine(nil)
	assert.Error(t, err)
	bad := map[string][]Option{
		"negative interval": {WithInterval(-time.Second)},
		"negative lookback": {WithLookback(-time.Second)},
		"negative retry":    {WithRetry(-1, 0, 0)},
		"unnamed receiver":  {WithReceivers(Receiver{})},
		"twice":             {WithReceivers(Receiver{Name: "a"}, Receiver{Name: "a"})},
		"unknown receiver":  {WithReceivers(Receiver{Name: "a"}), WithRoute(Route{Receiver: "b"})},
		"missing file":      {WithRulesFile(filepath.Join(t.TempDir(), "none.yaml"))},
		"bad rule":          {WithGroups(Group{Name: "g", Rules: []Rule{{Name: "x", Expr: "rate(("}}})},
	}
	for name, opts := range bad {
		t.Run(name, func(t *testing.T) {
			e, err := NewEngine(env.Client, opts...)
			assert.Error(t, err)
			assert.Nil(t, e)
		})
	}
}

func TestEvaluateWalksTheStates(t *testing.T) {
	f := newFixture(t)
	f.step(t, 150, 30*time.Second)
	got := f.eng.Alerts(AlertFilter{})
	require.Len(t, got, 1)
	a := got[0]
	assert.Equal(t, StatePending, a.State)
	assert.Equal(t, "shop/QueueBacklog", a.RuleID)
	assert.Equal(t, "high", a.Labels["severity"])
	assert.Equal(t, "orders holds 150", a.Annotations["summary"])

	f.step(t, 160, 30*time.Second)
	f.step(t, 170, 30*time.Second)
	firing := f.eng.Alerts(AlertFilter{States: []State{StateFiring}, Severities: []Severity{High}})
	require.Len(t, firing, 1)
	assert.Empty(t, f.eng.Alerts(AlertFilter{Severities: []Severity{Critical}}))

	f.step(t, 10, 30*time.Second)
	resolved := f.eng.Alerts(AlertFilter{States: []State{StateResolved}})
	require.Len(t, resolved, 1)
	assert.Equal(t, a.ID, resolved[0].ID, "the same series")
}

func TestAckNeedsAFiringAlert(t *testing.T) {
	f := newFixture(t)
	assert.ErrorIs(t, f.eng.Ack(t.Context(), "nope", Ack{By: "x"}), ErrNotFound)
	f.fire(t)
	firing := f.eng.Alerts(AlertFilter{States: []State{StateFiring}})
	require.Len(t, firing, 1)
	require.NoError(t, f.eng.Ack(t.Context(), firing[0].ID, Ack{By: "dana", Comment: "on it"}))
	got := f.eng.Alerts(AlertFilter{})
	require.NotNil(t, got[0].Ack)
	assert.Equal(t, "dana", got[0].Ack.By)
	assert.Equal(t, f.clock.Now(), got[0].Ack.At, "stamped by the engine's clock")
}

func TestRulesThroughTheAPI(t *testing.T) {
	f := newFixture(t)
	r, err := f.eng.AddRule(t.Context(), "", Rule{Name: "Deep", Expr: "queue_depth > 1000"})
	require.NoError(t, err)
	assert.Equal(t, "api/Deep", r.ID)
	_, err = f.eng.AddRule(t.Context(), "", Rule{Name: "Deep", Expr: "up"})
	var re *RuleError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "id", re.Field)
	_, err = f.eng.AddRule(t.Context(), "", Rule{Name: "Broken", Expr: "sum(("})
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "expr", re.Field)
	assert.Len(t, f.eng.Rules(), 2, "a rejected rule changes nothing")

	f.fire(t)
	require.Len(t, f.eng.Alerts(AlertFilter{States: []State{StateFiring}}), 1)

	upd := queueRule
	upd.Annotations = map[string]string{"summary": "backlog"}
	_, err = f.eng.UpdateRule(t.Context(), "shop/QueueBacklog", upd)
	require.NoError(t, err)
	f.step(t, 150, 15*time.Second)
	firing := f.eng.Alerts(AlertFilter{States: []State{StateFiring}})
	require.Len(t, firing, 1, "the edit kept the alert firing")
	assert.Equal(t, "backlog", firing[0].Annotations["summary"])
	_, err = f.eng.UpdateRule(t.Context(), "none", upd)
	assert.ErrorIs(t, err, ErrNotFound)

	require.NoError(t, f.eng.DeleteRule(t.Context(), "shop/QueueBacklog"))
	assert.ErrorIs(t, f.eng.DeleteRule(t.Context(), "shop/QueueBacklog"), ErrNotFound)
	assert.Empty(t, f.eng.Alerts(AlertFilter{States: []State{StateFiring}}))
	assert.Len(t, f.eng.Rules(), 1)
}

func TestStateSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, WithStateDir(dir))
	f.fire(t)
	firing := f.eng.Alerts(AlertFilter{States: []State{StateFiring}})
	require.Len(t, firing, 1)
	require.NoError(t, f.eng.Ack(t.Context(), firing[0].ID, Ack{By: "dana"}))
	sil, err := f.eng.AddSilence(t.Context(), Silence{Matchers: []string{`queue="refunds"`}, EndsAt: time.Now().Add(time.Hour), CreatedBy: "dana"})
	require.NoError(t, err)
	_, err = f.eng.AddRule(t.Context(), "api", Rule{Name: "Deep", Expr: "queue_depth > 1000"})
	require.NoError(t, err)
	require.NoError(t, f.eng.Shutdown(t.Context()))

	env := o2test.New(t)
	again, err := NewEngine(env.Client, WithMetrics(f.store), WithClock(f.clock.Now), WithStateDir(dir),
		WithGroups(Group{Name: "shop", Rules: []Rule{queueRule}}),
		WithReceivers(Receiver{Name: "ops", Notifiers: []Notifier{f.sent}}))
	require.NoError(t, err)
	defer again.Shutdown(t.Context())
	got := again.Alerts(AlertFilter{States: []State{StateFiring}})
	require.Len(t, got, 1, "still firing after the restart")
	assert.Equal(t, firing[0].FiredAt, got[0].FiredAt)
	require.NotNil(t, got[0].Ack)
	assert.Equal(t, "dana", got[0].Ack.By)
	require.Len(t, again.Silences(), 1)
	assert.Equal(t, sil.ID, again.Silences()[0].ID)
	assert.Len(t, again.Rules(), 2, "the rule added through the API is back")
}

func TestDamagedStateFileStopsTheStart(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, stateFileName), []byte("{not json"), 0o600))
	env := o2test.New(t)
	_, err := NewEngine(env.Client, WithStateDir(dir))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "damaged")
}

func TestRunAndShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := o2test.Bubble(t)
		st, err := timeseries.New()
		require.NoError(t, err)
		sent := &notes{}
		eng, err := NewEngine(env.Client, WithMetrics(st), WithInterval(10*time.Second),
			WithGroups(Group{Name: "shop", Rules: []Rule{{Name: "Up", Expr: "vector(1)"}}}),
			WithReceivers(Receiver{Name: "ops", Notifiers: []Notifier{sent}}),
			WithRoute(Route{Receiver: "ops", GroupWait: time.Second}))
		require.NoError(t, err)
		done := make(chan error)
		go func() { done <- eng.Run(t.Context()) }()
		time.Sleep(2 * time.Second)
		synctest.Wait()
		require.Len(t, sent.all(), 1, "evaluated at once and notified after group_wait")
		assert.Error(t, eng.Run(t.Context()), "a second Run is refused")

		_, err = eng.AddRule(t.Context(), "more", Rule{Name: "Also", Expr: "vector(2)"})
		require.NoError(t, err)
		time.Sleep(2 * time.Second)
		synctest.Wait()
		assert.Len(t, sent.all(), 2, "a new group starts evaluating while running")

		require.NoError(t, eng.Shutdown(t.Context()))
		require.NoError(t, <-done)
		require.NoError(t, eng.Shutdown(t.Context()), "idempotent")
		assert.ErrorIs(t, eng.Run(t.Context()), ErrClosed)
		assert.ErrorIs(t, eng.Evaluate(t.Context()), ErrClosed)
		_, err = eng.AddRule(t.Context(), "", Rule{Name: "Late", Expr: "up"})
		assert.True(t, errors.Is(err, ErrClosed))
	})
}
