package alerting

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2test"
)

// Delete and add the only rule of a group many times while Run evaluates,
// some within one tick, some across ticks; then stop. goleak (TestMain)
// catches leaked loops; the tick count bounds duplicate loops.
func TestGroupChurn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := o2test.Bubble(t)
		lv := &levels{}
		lv.set(map[string]float64{"a": 10})
		eng, err := NewEngine(env.Client, WithMetrics(lv),
			WithGroups(Group{Name: "g", Interval: time.Minute, Rules: []Rule{{ID: "g/A", Name: "A", Expr: `level > 5`}}},
				Group{Name: "h", Interval: time.Minute, Rules: []Rule{{ID: "h/B", Name: "B", Expr: `level > 5`}}}))
		require.NoError(t, err)
		ctx, stop := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- eng.Run(ctx) }()
		for i := range 40 {
			require.NoError(t, eng.DeleteRule(t.Context(), "g/A"))
			if i%3 == 0 {
				time.Sleep(time.Minute) // the loop sees the group gone and ends
				synctest.Wait()
			}
			_, err := eng.AddRule(t.Context(), "g", Rule{ID: "g/A", Name: "A", Expr: `level > 5`})
			require.NoError(t, err)
			time.Sleep(7 * time.Second)
			synctest.Wait()
		}
		before := eng.n.evaluations.Load()
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		evals := eng.n.evaluations.Load() - before
		eng.mu.Lock()
		loops := len(eng.loops)
		eng.mu.Unlock()
		stop()
		require.NoError(t, <-done)
		require.NoError(t, eng.Shutdown(t.Context()))
		require.Equal(t, 2, loops, "one loop per group")
		require.LessOrEqual(t, evals, uint64(22))
	})
}
