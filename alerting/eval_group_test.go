package alerting

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/metrics"
)

// compileGroupTest compiles g after filling in rule IDs as the validation
// would.
func compileGroupTest(t *testing.T, e *evaluator, g Group) *groupEval {
	t.Helper()
	norm, err := normalizeGroups([]Group{g})
	require.NoError(t, err)
	ge, err := e.compile(norm[0])
	require.NoError(t, err)
	return ge
}

// TestEvalGroupLimitAlerts follows Prometheus: an alerting rule with more
// alerts than the group's limit fails, and all its alerts end.
func TestEvalGroupLimitAlerts(t *testing.T) {
	lv := &levels{}
	e := newTestEvaluator(t, evalConfig{Sources: []Source{lv}})
	g := compileGroupTest(t, e, Group{Name: "g", Limit: 2, Rules: []Rule{{Name: "High", Expr: `level > 0`}}})

	lv.set(map[string]float64{"a": 1, "b": 1})
	res := g.eval(bg, evalT0)
	require.Empty(t, res.Errors)
	require.Equal(t, map[string]State{"a": StateFiring, "b": StateFiring}, byInstance(res.Alerts))

	lv.set(map[string]float64{"a": 1, "b": 1, "c": 1})
	res = g.eval(bg, evalT0.Add(time.Minute))
	require.Len(t, res.Errors, 1)
	assert.EqualError(t, res.Errors[0], `alerting: group "g", rule "g/High": exceeded limit of 2 with 3 alerts`)
	assert.Equal(t, []string{"a:firing>resolved", "b:firing>resolved"}, changeList(res.Changes))
	assert.Empty(t, res.Alerts)
	assert.Empty(t, g.alerts())

	// Within the limit again, the alerts start afresh.
	lv.set(map[string]float64{"c": 1})
	res = g.eval(bg, evalT0.Add(2*time.Minute))
	require.Empty(t, res.Errors)
	assert.Equal(t, []string{"c:inactive>firing"}, changeList(res.Changes))
}

// TestEvalGroupLimitKeepFiring counts the alerts that keep_firing_for
// keeps firing, as Prometheus does.
func TestEvalGroupLimitKeepFiring(t *testing.T) {
	lv := &levels{}
	e := newTestEvaluator(t, evalConfig{Sources: []Source{lv}})
	g := compileGroupTest(t, e, Group{Name: "g", Limit: 2, Rules: []Rule{
		{Name: "High", Expr: `level > 0`, KeepFiringFor: 5 * time.Minute},
	}})
	lv.set(map[string]float64{"a": 1, "b": 1})
	require.Empty(t, g.eval(bg, evalT0).Errors)
	lv.set(map[string]float64{"c": 1}) // a and b keep firing: 3 alerts
	res := g.eval(bg, evalT0.Add(time.Minute))
	require.Len(t, res.Errors, 1)
	assert.ErrorContains(t, res.Errors[0], "exceeded limit of 2 with 3 alerts")
	assert.Empty(t, g.alerts())
}

// TestEvalGroupLimitRecording fails a recording rule whose result has
// more series than the limit, and records nothing.
func TestEvalGroupLimitRecording(t *testing.T) {
	lv := &levels{}
	lv.set(map[string]float64{"a": 1, "b": 2})
	e := newTestEvaluator(t, evalConfig{Sources: []Source{lv}})
	g := compileGroupTest(t, e, Group{Name: "g", Limit: 1, Rules: []Rule{
		{Record: "level:copy", Expr: `level`},
		{Name: "Copied", Expr: `level:copy > 0`},
	}})
	res := g.eval(bg, evalT0)
	require.Len(t, res.Errors, 1)
	assert.EqualError(t, res.Errors[0], `alerting: group "g", rule "g/level:copy": exceeded limit of 1 with 2 series`)
	assert.Empty(t, res.Alerts)
	assert.Empty(t, e.overlay.Select("level:copy", 0, evalT0.UnixMilli()))

	lv.set(map[string]float64{"a": 1})
	res = g.eval(bg, evalT0.Add(time.Minute))
	require.Empty(t, res.Errors)
	assert.Equal(t, map[string]State{"a": StateFiring}, byInstance(res.Alerts))
}

// TestEvalGroupQueryOffset evaluates the conditions at the evaluation
// time minus the offset, records at that time, and times the alerts by
// the evaluation time.
func TestEvalGroupQueryOffset(t *testing.T) {
	var lastTo atomic.Int64
	src := sourceFunc(func(name string, _, to int64, ms ...metrics.Matcher) []metrics.Series {
		lastTo.Store(to)
		ls := metrics.Labels{{Name: "instance", Value: "a"}}
		if name != "level" || !evalMatchAll(ls, ms) {
			return nil
		}
		return []metrics.Series{{Name: "level", Labels: ls, Samples: []metrics.Sample{{T: to, V: 3}}}}
	})
	e := newTestEvaluator(t, evalConfig{Sources: []Source{src}})
	g := compileGroupTest(t, e, Group{Name: "g", QueryOffset: time.Minute, Rules: []Rule{
		{Record: "level:copy", Expr: `level`},
		{Name: "High", Expr: `level:copy > 2`, For: time.Minute},
	}})
	res := g.eval(bg, evalT0)
	require.Empty(t, res.Errors)
	assert.Equal(t, evalT0.Add(-time.Minute).UnixMilli(), lastTo.Load())
	rec := e.overlay.Select("level:copy", 0, evalT0.UnixMilli())
	require.Len(t, rec, 1)
	assert.Equal(t, []metrics.Sample{{T: evalT0.Add(-time.Minute).UnixMilli(), V: 3}}, rec[0].Samples)
	require.Len(t, res.Alerts, 1)
	assert.Equal(t, StatePending, res.Alerts[0].State)
	assert.Equal(t, evalT0, res.Alerts[0].ActiveAt)

	res = g.eval(bg, evalT0.Add(time.Minute))
	require.Empty(t, res.Errors)
	require.Len(t, res.Alerts, 1)
	assert.Equal(t, StateFiring, res.Alerts[0].State)
	assert.Equal(t, evalT0.Add(time.Minute), res.Alerts[0].FiredAt)

	// Without the offset the same rules read the data at the evaluation time.
	plain := compileGroupTest(t, e, Group{Name: "p", Rules: []Rule{{Name: "High", Expr: `level > 2`}}})
	require.Empty(t, plain.eval(bg, evalT0).Errors)
	assert.Equal(t, evalT0.UnixMilli(), lastTo.Load())
}
