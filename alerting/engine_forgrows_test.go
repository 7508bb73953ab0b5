package alerting

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2test"
)

// For grows past a firing alert's age: the engine moves it to pending, as
// Prometheus does, and tells the dispatcher the firing episode ended. The
// alerts stream stays a valid state machine for that alert.
func TestExpiredAfterForGrows(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := o2test.Bubble(t)
		lv := &levels{}
		lv.set(map[string]float64{"a": 10})
		got := &notes{}
		eng, err := NewEngine(env.Client, WithMetrics(lv),
			WithReceivers(Receiver{Name: "ops", Notifiers: []Notifier{got}}), WithRoute(Route{Receiver: "ops"}),
			WithGroups(Group{Name: "g", Interval: time.Minute, Rules: []Rule{{Name: "Hot", Expr: `level > 5`, For: time.Minute}}}))
		require.NoError(t, err)
		ctx, stop := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- eng.Run(ctx) }()
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		_, err = eng.UpdateRule(t.Context(), "g/Hot", Rule{Name: "Hot", Expr: `level > 5`, For: time.Hour})
		require.NoError(t, err)
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		as := eng.Alerts(AlertFilter{})
		stop()
		require.NoError(t, <-done)
		require.NoError(t, eng.Shutdown(t.Context()))
		require.Len(t, as, 1)
		var statuses []string
		for _, n := range got.all() {
			statuses = append(statuses, n.Status)
		}
		assert.Equal(t, StatePending, as[0].State)
		assert.Equal(t, []string{"inactive>pending", "pending>firing", "firing>pending"}, stateChanges(t, env),
			"no firing>resolved from the dispatcher after firing>pending")
		assert.Equal(t, []string{StatusFiring, StatusResolved}, statuses, "the receiver hears the episode end")
	})
}
