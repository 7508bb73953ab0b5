package alerting

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2test"
)

// Ack, silence and edit right before Shutdown, while the saver is in its
// 1 s pause after a write: all must be in the state file.
func TestShutdownRightAfterChanges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := o2test.Bubble(t)
		dir := t.TempDir()
		lv := &levels{}
		lv.set(map[string]float64{"a": 10})
		mk := func() *Engine {
			eng, err := NewEngine(env.Client, WithMetrics(lv), WithStateDir(dir),
				WithReceivers(Receiver{Name: "ops", Notifiers: []Notifier{&notes{}}}), WithRoute(Route{Receiver: "ops"}),
				WithGroups(Group{Name: "g", Interval: time.Minute, Rules: []Rule{{ID: "g/Hot", Name: "Hot", Expr: `level > 5`}}}))
			require.NoError(t, err)
			return eng
		}
		for range 5 {
			eng := mk()
			done := make(chan error)
			go func() { done <- eng.Run(context.Background()) }()
			time.Sleep(90 * time.Second)
			synctest.Wait()
			as := eng.Alerts(AlertFilter{States: []State{StateFiring}})
			require.Len(t, as, 1)
			eng.save() // the saver writes now and pauses a second
			require.NoError(t, eng.Ack(t.Context(), as[0].ID, Ack{By: "ann"}))
			_, err := eng.AddSilence(t.Context(), Silence{Matchers: []string{`x="y"`}, EndsAt: time.Now().Add(time.Hour)})
			require.NoError(t, err)
			_, err = eng.UpdateRule(t.Context(), "g/Hot", Rule{Name: "Hot", Expr: `level > 4`})
			require.NoError(t, err)
			require.NoError(t, eng.Shutdown(t.Context()))
			require.NoError(t, <-done)
			s, err := eng.state.load()
			require.NoError(t, err)
			require.Contains(t, s.Dispatch.Acks, as[0].ID)
			require.NotEmpty(t, s.Dispatch.Silences)
			require.NotEmpty(t, s.Rules.Upserts)
			require.ErrorIs(t, eng.Run(context.Background()), ErrClosed)
			e2 := mk()
			require.Len(t, e2.Alerts(AlertFilter{States: []State{StateFiring}}), 1)
			require.Contains(t, e2.disp.acks(), as[0].ID)
			require.NoError(t, e2.Shutdown(t.Context()))
			// fresh dir state for the next round
		}
	})
}
