package alerting

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2test"
	"github.com/o2kit/o2kit/metrics"
)

// within fails the test unless c yields before a generous deadline; the
// deadline only bounds a hang, nothing waits on it to pass.
func within[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: still blocked", what)
		var zero T
		return zero
	}
}

// An edit waiting for a slow evaluation of its group must not hold the
// engine's lock: the rest of the engine goes on, and Shutdown returns
// when its context ends. Real time, since a goroutine blocked on a mutex is not
// durably blocked and synctest could not advance its clock.
func TestEditWaitingForSlowEvalBlocksNothingElse(t *testing.T) {
	env := o2test.New(t)
	var block atomic.Bool
	entered := make(chan struct{}, 1)
	release := make(chan struct{}) // a Source has no context: its query ends when released
	lv := &levels{}
	lv.set(map[string]float64{"a": 10})
	eng, err := NewEngine(env.Client, WithMetrics(sourceFunc(func(name string, from, to int64, ms ...metrics.Matcher) []metrics.Series {
		if name == "level" && block.CompareAndSwap(true, false) {
			entered <- struct{}{}
			<-release
		}
		return lv.Select(name, from, to, ms...)
	})),
		WithGroups(Group{Name: "slow", Interval: 20 * time.Millisecond, Rules: []Rule{{Name: "Hot", Expr: `level > 5`}}},
			Group{Name: "other", Interval: 20 * time.Millisecond, Rules: []Rule{{Name: "O", Expr: `vector(1)`}}}))
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- eng.Run(context.Background()) }()
	block.Store(true)
	within(t, entered, "the slow query")
	edited := make(chan error, 1)
	go func() {
		_, err := eng.UpdateRule(context.Background(), "slow/Hot", Rule{Name: "Hot", Expr: `level > 6`})
		edited <- err
	}()

	alerts := make(chan int, 1)
	go func() { alerts <- len(eng.Alerts(AlertFilter{})) }()
	within(t, alerts, "Alerts behind the waiting edit")
	before := eng.n.evaluations.Load()
	more := make(chan struct{})
	go func() {
		for eng.n.evaluations.Load() < before+3 {
			time.Sleep(5 * time.Millisecond)
		}
		close(more)
	}()
	within(t, more, "the other group's evaluations")

	sd := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		sd <- eng.Shutdown(ctx)
	}()
	assert.ErrorIs(t, within(t, sd, "Shutdown"), context.DeadlineExceeded, "bounded by its context while the query hangs")
	close(release)
	assert.NoError(t, within(t, done, "Run"))
	assert.NoError(t, within(t, edited, "the edit"))
}
