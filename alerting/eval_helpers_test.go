package alerting

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/metrics"
)

// evalT0 is the first evaluation time of the tests.
var evalT0 = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

// newTestEvaluator returns an evaluator over srcs, closed when the test
// ends.
func newTestEvaluator(t *testing.T, cfg evalConfig) *evaluator {
	t.Helper()
	e := newEvaluator(cfg)
	t.Cleanup(func() { require.NoError(t, e.close()) })
	return e
}

// compileTest compiles one group of rules, giving them IDs as the
// validation would.
func compileTest(t *testing.T, e *evaluator, rules ...Rule) *groupEval {
	t.Helper()
	g := Group{Name: "g", Rules: slices.Clone(rules)}
	for i := range g.Rules {
		if g.Rules[i].ID == "" {
			g.Rules[i].ID = g.Name + "/" + g.Rules[i].Name + g.Rules[i].Record
		}
	}
	ge, err := e.compile(g)
	require.NoError(t, err)
	return ge
}

// levels is a fake Source with one gauge, "level", whose series (by
// instance label) have the values set last, stamped at the end of every
// selected range: a condition the test switches on and off.
type levels struct {
	mu   sync.Mutex
	vals map[string]float64
}

func (l *levels) set(vals map[string]float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.vals = vals
}

func (l *levels) Select(name string, _, to int64, ms ...metrics.Matcher) []metrics.Series {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []metrics.Series
	if name != "" && name != "level" {
		return nil
	}
	for inst, v := range l.vals {
		ls := metrics.Labels{{Name: "instance", Value: inst}}
		if evalMatchAll(ls, ms) {
			out = append(out, metrics.Series{Name: "level", Labels: ls, Samples: []metrics.Sample{{T: to, V: v}}})
		}
	}
	return out
}

// sourceFunc adapts a function to Source.
type sourceFunc func(name string, from, to int64, ms ...metrics.Matcher) []metrics.Series

func (f sourceFunc) Select(name string, from, to int64, ms ...metrics.Matcher) []metrics.Series {
	return f(name, from, to, ms...)
}

// byInstance maps the alerts' instance labels to their states.
func byInstance(as []Alert) map[string]State {
	m := map[string]State{}
	for _, a := range as {
		m[a.Labels["instance"]] = a.State
	}
	return m
}

// changeList describes transitions as "instance:from>to".
func changeList(cs []transition) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Alert.Labels["instance"]+":"+c.From.String()+">"+c.Alert.State.String())
	}
	slices.Sort(out)
	return out
}

var bg = context.Background()
