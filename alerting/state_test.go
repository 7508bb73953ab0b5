package alerting

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stateStep is one evaluation: at evalT0+at with the given instances
// above zero, the states the group's alerts should be in after it
// (resolved ones included), and the changes it should report.
type stateStep struct {
	at      time.Duration
	up      []string
	want    map[string]State
	changes []string
}

func TestStateMachine(t *testing.T) {
	const m = time.Minute
	P, F, R := StatePending, StateFiring, StateResolved
	tests := []struct {
		name          string
		forD, keepFor time.Duration
		steps         []stateStep
	}{
		{"pending then firing after for", 2 * m, 0, []stateStep{
			{0, []string{"a"}, map[string]State{"a": P}, []string{"a:inactive>pending"}},
			{1 * m, []string{"a"}, map[string]State{"a": P}, nil},
			{2 * m, []string{"a"}, map[string]State{"a": F}, []string{"a:pending>firing"}},
			{3 * m, []string{"a"}, map[string]State{"a": F}, nil},
		}},
		{"for zero fires at once", 0, 0, []stateStep{
			{0, []string{"a"}, map[string]State{"a": F}, []string{"a:inactive>firing"}},
		}},
		{"pending dropped when the condition clears", 2 * m, 0, []stateStep{
			{0, []string{"a", "b"}, map[string]State{"a": P, "b": P}, []string{"a:inactive>pending", "b:inactive>pending"}},
			{1 * m, []string{"b"}, map[string]State{"b": P}, []string{"a:pending>inactive"}},
			{2 * m, []string{"a", "b"}, map[string]State{"a": P, "b": F}, []string{"a:inactive>pending", "b:pending>firing"}},
		}},
		{"firing resolves when the condition clears", 0, 0, []stateStep{
			{0, []string{"a"}, map[string]State{"a": F}, []string{"a:inactive>firing"}},
			{1 * m, nil, map[string]State{"a": R}, []string{"a:firing>resolved"}},
		}},
		{"keep firing for", 0, 3 * m, []stateStep{
			{0, []string{"a"}, map[string]State{"a": F}, []string{"a:inactive>firing"}},
			{1 * m, nil, map[string]State{"a": F}, nil},
			{2 * m, []string{"a"}, map[string]State{"a": F}, nil}, // back: the keep-firing clock restarts
			{3 * m, nil, map[string]State{"a": F}, nil},
			{5 * m, nil, map[string]State{"a": F}, nil},
			{6 * m, nil, map[string]State{"a": R}, []string{"a:firing>resolved"}},
		}},
		{"resolved kept 15 minutes then forgotten", 0, 0, []stateStep{
			{0, []string{"a"}, map[string]State{"a": F}, []string{"a:inactive>firing"}},
			{1 * m, nil, map[string]State{"a": R}, []string{"a:firing>resolved"}},
			{16 * m, nil, map[string]State{"a": R}, nil},
			{16*m + time.Second, nil, map[string]State{}, nil},
		}},
		{"resolved series comes back as a new pending alert", m, 0, []stateStep{
			{0, []string{"a"}, map[string]State{"a": P}, []string{"a:inactive>pending"}},
			{1 * m, []string{"a"}, map[string]State{"a": F}, []string{"a:pending>firing"}},
			{2 * m, nil, map[string]State{"a": R}, []string{"a:firing>resolved"}},
			{3 * m, []string{"a"}, map[string]State{"a": P}, []string{"a:resolved>pending"}},
			{4 * m, []string{"a"}, map[string]State{"a": F}, []string{"a:pending>firing"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &levels{}
			e := newTestEvaluator(t, evalConfig{Sources: []Source{src}})
			g := compileTest(t, e, Rule{Name: "Up", Expr: "level > 0", For: tt.forD, KeepFiringFor: tt.keepFor})
			for i, st := range tt.steps {
				vals := map[string]float64{}
				for _, u := range st.up {
					vals[u] = 1
				}
				src.set(vals)
				res := g.eval(bg, evalT0.Add(st.at))
				require.Empty(t, res.Errors)
				assert.Equal(t, st.want, byInstance(g.alerts()), "step %d", i)
				assert.Equal(t, st.changes, changeList(res.Changes), "step %d", i)
			}
		})
	}
}

func TestStateTimes(t *testing.T) {
	src := &levels{}
	e := newTestEvaluator(t, evalConfig{Sources: []Source{src}})
	g := compileTest(t, e, Rule{Name: "Up", Expr: "level > 0", For: time.Minute})
	src.set(map[string]float64{"a": 5})
	g.eval(bg, evalT0)
	src.set(map[string]float64{"a": 7})
	res := g.eval(bg, evalT0.Add(time.Minute))
	require.Len(t, res.Alerts, 1)
	a := res.Alerts[0]
	assert.Equal(t, evalT0, a.ActiveAt)
	assert.Equal(t, evalT0.Add(time.Minute), a.FiredAt)
	assert.Equal(t, 7.0, a.Value)
	assert.Equal(t, "g/Up", a.RuleID)
	assert.Equal(t, map[string]string{"instance": "a", LabelAlertName: "Up", LabelSeverity: "medium"}, a.Labels)
	src.set(nil)
	res = g.eval(bg, evalT0.Add(2*time.Minute))
	require.Len(t, res.Alerts, 1, "resolved in this eval is listed")
	assert.Equal(t, evalT0.Add(2*time.Minute), res.Alerts[0].ResolvedAt)
	assert.Equal(t, a.ID, res.Alerts[0].ID, "the ID is stable")
	res = g.eval(bg, evalT0.Add(3*time.Minute))
	assert.Empty(t, res.Alerts, "resolved earlier is not listed again")
	assert.Len(t, g.alerts(), 1, "but is kept")
}

func TestStateRestore(t *testing.T) {
	src := &levels{}
	e := newTestEvaluator(t, evalConfig{Sources: []Source{src}})
	rule := Rule{Name: "Up", Expr: "level > 0", For: 2 * time.Minute}
	src.set(map[string]float64{"pending": 1, "firing": 1})
	before := compileTest(t, e, rule, Rule{Name: "Fast", Expr: "level > 0"})
	before.eval(bg, evalT0)
	saved := before.alerts()
	saved = append(saved, Alert{ID: "x", RuleID: "other/rule", State: StateFiring, Labels: map[string]string{"instance": "elsewhere"}})
	for i := range saved {
		if saved[i].RuleID == "g/Up" && saved[i].Labels["instance"] == "firing" {
			saved[i].State, saved[i].ActiveAt = StateFiring, evalT0.Add(-5*time.Minute) // as if For had passed
			saved[i].FiredAt = evalT0.Add(-3 * time.Minute)
		}
	}

	after := compileTest(t, e, rule) // a restart: a new group, "Fast" gone
	after.restore(saved)
	res := after.eval(bg, evalT0.Add(time.Minute))
	assert.Empty(t, res.Changes, "restored alerts do not start over")
	got := map[string]Alert{}
	for _, a := range res.Alerts {
		got[a.Labels["instance"]] = a
	}
	require.Len(t, got, 2, "only alerts of this group's rules come back")
	assert.Equal(t, StatePending, got["pending"].State)
	assert.Equal(t, evalT0, got["pending"].ActiveAt)
	assert.Equal(t, StateFiring, got["firing"].State)
	assert.Equal(t, evalT0.Add(-3*time.Minute), got["firing"].FiredAt)

	res = after.eval(bg, evalT0.Add(2*time.Minute))
	assert.Equal(t, []string{"pending:pending>firing"}, changeList(res.Changes), "fires on time, counted from the first ActiveAt")
}

func TestStateDisabledRuleEndsItsAlerts(t *testing.T) {
	src := &levels{}
	e := newTestEvaluator(t, evalConfig{Sources: []Source{src}})
	src.set(map[string]float64{"a": 1})
	g := compileTest(t, e, Rule{Name: "Up", Expr: "level > 0"}, Rule{Name: "Slow", Expr: "level > 0", For: time.Hour})
	g.eval(bg, evalT0)
	saved := g.alerts()

	g = compileTest(t, e, Rule{Name: "Up", Expr: "level > 0", Disabled: true}, Rule{Name: "Slow", Expr: "level > 0", For: time.Hour, Disabled: true})
	g.restore(saved)
	res := g.eval(bg, evalT0.Add(time.Minute))
	require.Len(t, res.Changes, 2)
	assert.Equal(t, StateResolved, res.Changes[0].Alert.State)
	assert.Equal(t, StateInactive, res.Changes[1].Alert.State)
	assert.Empty(t, g.alerts())
}

func TestStateForGrownSendsFiringBackToPending(t *testing.T) {
	src := &levels{}
	e := newTestEvaluator(t, evalConfig{Sources: []Source{src}})
	src.set(map[string]float64{"a": 1})
	g := compileTest(t, e, Rule{Name: "Up", Expr: "level > 0"})
	g.eval(bg, evalT0)
	saved := g.alerts()
	g = compileTest(t, e, Rule{Name: "Up", Expr: "level > 0", For: 10 * time.Minute})
	g.restore(saved)
	res := g.eval(bg, evalT0.Add(time.Minute))
	assert.Equal(t, []string{"a:firing>pending"}, changeList(res.Changes), "as Prometheus does")
	assert.True(t, res.Changes[0].Alert.FiredAt.IsZero())
}

func TestAlertIDsOfTwoRulesWithTheSameLabelsDiffer(t *testing.T) {
	assert.NotEqual(t, evalAlertID("g/Down", 42), evalAlertID("g/Down#2", 42))
	assert.Equal(t, evalAlertID("g/Down", 42), evalAlertID("g/Down", 42))
	assert.NotEqual(t, evalAlertID("g/Down", 42), evalAlertID("g/Down", 43))
}
