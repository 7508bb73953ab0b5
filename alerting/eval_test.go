package alerting

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2test"
	"github.com/o2kit/o2kit/metrics"
)

// newTestRegistry returns a registry sending to the dev server whose
// clock the test sets, with known samples in its window store: every 15 s
// for 10 minutes up to evalT0, http_requests_total grows by 4/s for
// {svc=api,code=200}, 1/s for {svc=api,code=500} and 2/s for
// {svc=web,code=200}; each period job_duration_seconds observes 0.05 once,
// 0.3 twice and 0.7 once.
func newTestRegistry(t *testing.T) *metrics.Registry {
	t.Helper()
	env := o2test.New(t)
	now := evalT0.Add(-10 * time.Minute)
	reg, err := metrics.NewRegistry(env.Client, metrics.WithInterval(-1), metrics.WithClock(func() time.Time { return now }))
	require.NoError(t, err)
	t.Cleanup(func() { _ = reg.Close() })
	reqs, err := reg.CounterVec(metrics.Desc{Name: "http_requests_total", Help: "Requests.", Labels: []string{"svc", "code"}})
	require.NoError(t, err)
	dur, err := reg.Histogram(metrics.Desc{Name: "job_duration_seconds", Help: "Job time.", Unit: "seconds"}, 0.1, 0.5, 1)
	require.NoError(t, err)
	for ; !now.After(evalT0); now = now.Add(15 * time.Second) {
		reqs.With("api", "200").Add(60)
		reqs.With("api", "500").Add(15)
		reqs.With("web", "200").Add(30)
		for _, v := range []float64{0.05, 0.3, 0.3, 0.7} {
			dur.Observe(v)
		}
		require.NoError(t, reg.Flush(bg))
	}
	return reg
}

func TestEvalPromQLOverRegistry(t *testing.T) {
	reg := newTestRegistry(t)
	e := newTestEvaluator(t, evalConfig{Sources: []Source{reg}})
	tests := []struct {
		name, expr string
		want       map[string]float64 // by svc/code labels
	}{
		{"rate", `rate(http_requests_total{code="500"}[5m]) > 0.5`, map[string]float64{"api/500": 1}},
		{"increase", `increase(http_requests_total{code="200"}[5m]) > 500`, map[string]float64{"api/200": 1200, "web/200": 600}},
		{"sum by", `sum by (svc) (rate(http_requests_total[5m])) > 4.5`, map[string]float64{"api/": 5}},
		{"histogram_quantile", `histogram_quantile(0.5, sum by (le) (rate(job_duration_seconds_bucket[5m])))`, map[string]float64{"/": 0.3}},
		{"histogram_quantile 0.9", `histogram_quantile(0.9, rate(job_duration_seconds_bucket[5m])) > 0.5`, map[string]float64{"/": 0.5 + 0.5*0.6}},
		{"no match", `rate(http_requests_total[5m]) > 100`, map[string]float64{}},
		{"scalar", `scalar(sum(rate(http_requests_total[5m])))`, map[string]float64{"/": 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := compileTest(t, e, Rule{Name: "R", Expr: tt.expr})
			res := g.eval(bg, evalT0)
			require.Empty(t, res.Errors)
			got := map[string]float64{}
			for _, a := range res.Alerts {
				assert.Equal(t, StateFiring, a.State)
				assert.NotContains(t, a.Labels, "__name__")
				got[a.Labels["svc"]+"/"+a.Labels["code"]] = a.Value
			}
			require.Len(t, got, len(tt.want))
			for k, v := range tt.want {
				assert.InDelta(t, v, got[k], 1e-9, k)
			}
		})
	}
}

func TestEvalTemplates(t *testing.T) {
	reg := newTestRegistry(t)
	e := newTestEvaluator(t, evalConfig{Sources: []Source{reg}, ExternalLabels: map[string]string{"cluster": "eu-1"}})
	g := compileTest(t, e, Rule{
		Name: "ErrorRate", Expr: `sum by (svc) (rate(http_requests_total[5m])) > 1`, Severity: High,
		Labels: map[string]string{"team": `{{ if eq $labels.svc "api" }}core{{ else }}edge{{ end }}`, "page": "yes"},
		Annotations: map[string]string{
			"summary":     `{{ $labels.svc }} serves {{ $value | humanize }} req/s on {{ $externalLabels.cluster }}`,
			"description": `{{ printf "%.1f" $value }} is {{ humanizePercentage 0.25 }} of {{ "abc" | toUpper }}`,
			"broken":      `{{ humanize "abc" }}`,
			"plain":       "no template",
		},
	})
	res := g.eval(bg, evalT0)
	require.Empty(t, res.Errors)
	require.Len(t, res.Alerts, 2)
	api, web := res.Alerts[0], res.Alerts[1]
	if api.Labels["svc"] != "api" {
		api, web = web, api
	}
	assert.Equal(t, map[string]string{"svc": "api", "team": "core", "page": "yes", LabelAlertName: "ErrorRate", LabelSeverity: "high"}, api.Labels)
	assert.Equal(t, "edge", web.Labels["team"])
	assert.Equal(t, "api serves 5 req/s on eu-1", api.Annotations["summary"])
	assert.Equal(t, "5.0 is 25% of ABC", api.Annotations["description"])
	assert.Contains(t, api.Annotations["broken"], "<error expanding template: ")
	assert.Equal(t, "no template", api.Annotations["plain"])
	assert.Equal(t, "web serves 2 req/s on eu-1", web.Annotations["summary"])
}

func TestEvalSeverityLabel(t *testing.T) {
	src := &levels{}
	src.set(map[string]float64{"a": 1})
	e := newTestEvaluator(t, evalConfig{Sources: []Source{src}})
	tests := []struct {
		rule Rule
		want string
	}{
		{Rule{Name: "Default", Expr: "level"}, "medium"},
		{Rule{Name: "Field", Expr: "level", Severity: Critical}, "critical"},
		{Rule{Name: "Label", Expr: "level", Labels: map[string]string{"severity": "low"}}, "low"},
	}
	for _, tt := range tests {
		res := compileTest(t, e, tt.rule).eval(bg, evalT0)
		require.Len(t, res.Alerts, 1)
		assert.Equal(t, tt.want, res.Alerts[0].Labels[LabelSeverity], tt.rule.Name)
	}
}

func TestEvalRecordingRule(t *testing.T) {
	reg := newTestRegistry(t)
	e := newTestEvaluator(t, evalConfig{Sources: []Source{reg}})
	g := compileTest(t, e,
		Rule{Record: "svc:http_requests:rate5m", Expr: `sum by (svc) (rate(http_requests_total[5m]))`, Labels: map[string]string{"source": "rule"}},
		Rule{Name: "Busy", Expr: `svc:http_requests:rate5m > 4.5`},
	)
	res := g.eval(bg, evalT0)
	require.Empty(t, res.Errors)
	require.Len(t, res.Alerts, 1)
	assert.Equal(t, map[string]string{"svc": "api", "source": "rule", LabelAlertName: "Busy", LabelSeverity: "medium"}, res.Alerts[0].Labels)
	assert.InDelta(t, 5, res.Alerts[0].Value, 1e-9)

	other := compileTest(t, e, Rule{Name: "Sum", Expr: `sum(svc:http_requests:rate5m)`})
	res = other.eval(bg, evalT0.Add(10*time.Second))
	require.Len(t, res.Alerts, 1, "another group of the evaluator sees recorded series")
	assert.InDelta(t, 7, res.Alerts[0].Value, 1e-9)
}

func TestEvalRecordedSeriesGoStale(t *testing.T) {
	src := &levels{}
	e := newTestEvaluator(t, evalConfig{Sources: []Source{src}})
	g := compileTest(t, e, Rule{Record: "lvl", Expr: "level"}, Rule{Name: "Lvl", Expr: "lvl > 0"})
	src.set(map[string]float64{"a": 1, "b": 1})
	res := g.eval(bg, evalT0)
	assert.Len(t, res.Alerts, 2)
	src.set(map[string]float64{"a": 1})
	res = g.eval(bg, evalT0.Add(15*time.Second))
	assert.Equal(t, []string{"b:firing>resolved"}, changeList(res.Changes), "a series the recording rule dropped is gone at once")
}

func TestEvalFailingRule(t *testing.T) {
	src := &levels{}
	e := newTestEvaluator(t, evalConfig{Sources: []Source{src}})
	g := compileTest(t, e,
		Rule{Name: "Bad", Expr: `level + on() level`},
		Rule{Name: "Good", Expr: `level > 0`},
	)
	src.set(map[string]float64{"a": 1})
	res := g.eval(bg, evalT0)
	require.Empty(t, res.Errors)
	require.Len(t, res.Alerts, 2)

	src.set(map[string]float64{"a": 1, "b": 2}) // on() now matches two series with two
	res = g.eval(bg, evalT0.Add(time.Minute))
	require.Len(t, res.Errors, 1)
	assert.Contains(t, res.Errors[0].Error(), `rule "g/Bad"`)
	assert.Equal(t, []string{"b:inactive>firing"}, changeList(res.Changes), "the failing rule keeps its alert firing")
	assert.Len(t, res.Alerts, 3)
}

func TestEvalSlowRules(t *testing.T) {
	src := &levels{}
	e := newTestEvaluator(t, evalConfig{Sources: []Source{src}, SlowRule: time.Nanosecond})
	g := compileTest(t, e, Rule{Name: "A", Expr: "level"}, Rule{Name: "B", Expr: "level", Disabled: true})
	res := g.eval(bg, evalT0)
	require.NotEmpty(t, res.Slow)
	assert.Equal(t, "g/A", res.Slow[0].RuleID)
	assert.Positive(t, res.Slow[0].Took)
	assert.Equal(t, evalT0, res.At)

	e = newTestEvaluator(t, evalConfig{Sources: []Source{src}})
	res = compileTest(t, e, Rule{Name: "A", Expr: "level"}).eval(bg, evalT0)
	assert.Empty(t, res.Slow, "zero SlowRule lists none")
}

func TestEvalCanceled(t *testing.T) {
	none := sourceFunc(func(string, int64, int64, ...metrics.Matcher) []metrics.Series { return nil })
	e := newTestEvaluator(t, evalConfig{Sources: []Source{none}})
	ctx, cancel := context.WithCancel(bg)
	cancel()
	res := compileTest(t, e, Rule{Name: "A", Expr: "x"}).eval(ctx, evalT0)
	require.Len(t, res.Errors, 1)
	assert.ErrorContains(t, res.Errors[0], "canceled")
}

func TestCompileErrors(t *testing.T) {
	e := newTestEvaluator(t, evalConfig{})
	tests := []struct {
		rule  Rule
		field string
	}{
		{Rule{ID: "r", Name: "R", Expr: "rate(x[5m]"}, "expr"},
		{Rule{ID: "r", Name: "R", Expr: "x", Annotations: map[string]string{"s": "{{ .Labels"}}, "annotations"},
		{Rule{ID: "r", Name: "R", Expr: "x", Labels: map[string]string{"s": "{{ nosuchfunc }}"}}, "labels"},
		{Rule{ID: "r", Name: "R", SQL: &SQLCondition{Query: "SELECT 1 AS value"}}, "sql"},
	}
	for _, tt := range tests {
		_, err := e.compile(Group{Name: "g", Rules: []Rule{tt.rule}})
		var re *RuleError
		require.ErrorAs(t, err, &re, tt.field)
		assert.Equal(t, tt.field, re.Field)
		assert.Equal(t, "r", re.Rule)
		assert.Equal(t, "g", re.Group)
	}
}

// TestEvalConcurrentGroups runs groups of one evaluator at once, one
// recording what the other reads, while their alerts are listed: the
// race detector checks the shared engine, overlay and state.
func TestEvalConcurrentGroups(t *testing.T) {
	src := &levels{}
	src.set(map[string]float64{"a": 1, "b": 2})
	e := newTestEvaluator(t, evalConfig{Sources: []Source{src}})
	rec := compileTest(t, e, Rule{Record: "lvl", Expr: "level"})
	alert := compileTest(t, e, Rule{Name: "A", Expr: "lvl > 0", Annotations: map[string]string{"s": "{{ $value }}"}})
	var wg sync.WaitGroup
	for i := range 20 {
		at := evalT0.Add(time.Duration(i) * 15 * time.Second)
		wg.Go(func() { rec.eval(bg, at) })
		wg.Go(func() { alert.eval(bg, at) })
		wg.Go(func() { _ = alert.alerts() })
	}
	wg.Wait()
	res := alert.eval(bg, evalT0.Add(5*time.Minute))
	require.Empty(t, res.Errors)
	assert.Len(t, res.Alerts, 2)
}

// TestEvalLogLevelRule watches the ERROR rate that the logging package
// feeds into a registry's log level counter.
func TestEvalLogLevelRule(t *testing.T) {
	now := evalT0.Add(-5 * time.Minute)
	reg, err := metrics.NewRegistry(nil, metrics.WithInterval(-1), metrics.WithClock(func() time.Time { return now }))
	require.NoError(t, err)
	t.Cleanup(func() { _ = reg.Close() })
	levels, err := reg.LogLevels()
	require.NoError(t, err)
	for ; !now.After(evalT0); now = now.Add(15 * time.Second) {
		for range 3 {
			levels.CountLevel(slog.LevelError)
		}
		levels.CountLevel(slog.LevelInfo)
		require.NoError(t, reg.Flush(bg))
	}
	e := newTestEvaluator(t, evalConfig{Sources: []Source{reg}})
	g := compileTest(t, e, Rule{Name: "Errors", Expr: `rate(log_records_total{level="ERROR"}[5m]) > 0.1`,
		Annotations: map[string]string{"summary": `{{ $value | printf "%.1f" }} errors/s`}})
	res := g.eval(bg, evalT0)
	require.Empty(t, res.Errors)
	require.Len(t, res.Alerts, 1)
	assert.Equal(t, "0.2 errors/s", res.Alerts[0].Annotations["summary"])
	assert.Equal(t, "ERROR", res.Alerts[0].Labels["level"])
}
