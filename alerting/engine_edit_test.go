package alerting

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2test"
	"github.com/o2kit/o2kit/metrics"
)

// stateChanges returns the state changes of the alerts stream as
// "from>to", oldest first.
func stateChanges(t *testing.T, env *o2test.Env) []string {
	t.Helper()
	var out []string
	for _, r := range env.Records(t, "alerts") {
		if r["event"] == EventStateChange {
			out = append(out, r["previous_state"].(string)+">"+r["state"].(string))
		}
	}
	return out
}

// A rule of a group changes while the group is being evaluated: the edit
// waits for that evaluation, so its transitions land once and the alert
// keeps its episode.
func TestEditDuringAnEvaluation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := o2test.Bubble(t)
		var block atomic.Bool
		entered, release := make(chan struct{}, 1), make(chan struct{})
		lv := &levels{}
		lv.set(map[string]float64{"a": 10})
		src := sourceFunc(func(name string, from, to int64, ms ...metrics.Matcher) []metrics.Series {
			if name == "level" && block.CompareAndSwap(true, false) {
				entered <- struct{}{}
				<-release
			}
			return lv.Select(name, from, to, ms...)
		})
		eng, err := NewEngine(env.Client, WithMetrics(src),
			WithGroups(Group{Name: "g", Interval: time.Minute, Rules: []Rule{
				{Name: "Hot", Expr: `level > 5`, For: 2 * time.Minute},
				{Name: "Other", Expr: `vector(0) > 1`},
			}}))
		require.NoError(t, err)
		ctx, stop := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- eng.Run(ctx) }()
		time.Sleep(90 * time.Second) // pending since 0 s
		synctest.Wait()
		active := eng.Alerts(AlertFilter{})[0].ActiveAt

		block.Store(true)
		time.Sleep(30 * time.Second) // the evaluation at 120 s, which fires, blocks in its query
		<-entered
		edited := make(chan error)
		go func() {
			_, err := eng.UpdateRule(t.Context(), "g/Other", Rule{Name: "Other", Expr: `vector(0) > 2`})
			edited <- err
		}()
		for range 100 { // let the edit reach the group's lock: it must wait there
			runtime.Gosched()
		}
		close(release)
		require.NoError(t, <-edited)
		time.Sleep(time.Minute)
		synctest.Wait()
		as := eng.Alerts(AlertFilter{})
		require.Len(t, as, 1)
		assert.Equal(t, StateFiring, as[0].State)
		assert.Equal(t, active, as[0].ActiveAt)
		stop()
		require.NoError(t, <-done)
		require.NoError(t, eng.Shutdown(t.Context()))
		assert.Equal(t, []string{"inactive>pending", "pending>firing"}, stateChanges(t, env), "each transition once")
	})
}

// Deleting a group's only rule and adding one back before the loop's next
// tick leaves one loop evaluating the group, not two.
func TestGroupDeletedAndAddedBackHasOneLoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := o2test.Bubble(t)
		eng, err := NewEngine(env.Client, WithMetrics(&levels{}),
			WithGroups(Group{Name: "g", Interval: time.Minute, Rules: []Rule{{Name: "A", Expr: `level > 5`}}}))
		require.NoError(t, err)
		ctx, stop := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- eng.Run(ctx) }()
		time.Sleep(10 * time.Second)
		synctest.Wait()
		require.NoError(t, eng.DeleteRule(t.Context(), "g/A"))
		_, err = eng.AddRule(t.Context(), "g", Rule{Name: "A", Expr: `level > 5`})
		require.NoError(t, err)
		synctest.Wait()
		before := eng.Stats().Evaluations
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		evals := eng.Stats().Evaluations - before
		stop()
		require.NoError(t, <-done)
		require.NoError(t, eng.Shutdown(t.Context()))
		assert.LessOrEqual(t, evals, uint64(11), "a 1m group evaluated %d times in 10m", evals)
	})
}

func TestCallsAfterShutdown(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.eng.Shutdown(t.Context()))
	assert.ErrorIs(t, f.eng.Ack(t.Context(), "x", Ack{By: "a"}), ErrClosed)
	_, err := f.eng.AddSilence(t.Context(), Silence{Matchers: []string{`a="b"`}, EndsAt: time.Now().Add(time.Hour)})
	assert.ErrorIs(t, err, ErrClosed)
	assert.ErrorIs(t, f.eng.ExpireSilence(t.Context(), "x"), ErrClosed)
	assert.ErrorIs(t, f.eng.TestReceiver(t.Context(), "ops"), ErrClosed)
	_, err = f.eng.UpdateRule(t.Context(), "shop/QueueBacklog", queueRule)
	assert.ErrorIs(t, err, ErrClosed)
}

func TestRulesNamingUnknownReceiversAreRejected(t *testing.T) {
	env := o2test.New(t)
	_, err := NewEngine(env.Client, WithReceivers(Receiver{Name: "ops"}),
		WithGroups(Group{Name: "g", Rules: []Rule{{Name: "A", Expr: "up", Receivers: []string{"pagr"}}}}))
	var re *RuleError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "receivers", re.Field)
	assert.Contains(t, err.Error(), `unknown receiver "pagr"`)

	f := newFixture(t)
	_, err = f.eng.AddRule(t.Context(), "", Rule{Name: "B", Expr: "up",
		Escalation: []Tier{{After: time.Minute, Receivers: []string{"ops"}}, {After: time.Hour, Receivers: []string{"boss"}}}})
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "escalation[1].receivers", re.Field)
}

func TestRuleEditsKeepOneOverridePerRule(t *testing.T) {
	f := newFixture(t)
	for i := range 50 {
		r := queueRule
		r.Annotations = map[string]string{"summary": fmt.Sprint(i)}
		_, err := f.eng.UpdateRule(t.Context(), "shop/QueueBacklog", r)
		require.NoError(t, err)
	}
	f.eng.mu.Lock()
	n := len(f.eng.overrides.Upserts)
	f.eng.mu.Unlock()
	assert.Equal(t, 1, n)
	assert.Equal(t, "49", f.eng.Rules()[0].Annotations["summary"])
}

func TestHistoryFindsTheNotificationsOfAnAlert(t *testing.T) {
	assert.Equal(t, `SELECT * FROM "alerts" WHERE (alert_id = 'ab12' OR alert_ids LIKE '%ab12%') ORDER BY _timestamp DESC`,
		historySQL("alerts", HistoryQuery{AlertID: "ab12"}))
	assert.Equal(t, `SELECT * FROM "alerts" WHERE alert_id = '%_x' ORDER BY _timestamp DESC`,
		historySQL("alerts", HistoryQuery{AlertID: "%_x"}), "not an engine ID: no LIKE")
}
