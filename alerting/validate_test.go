package alerting

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ruleErrors returns the RuleErrors joined in err, in order.
func ruleErrors(t *testing.T, err error) []*RuleError {
	t.Helper()
	require.Error(t, err)
	var out []*RuleError
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var re *RuleError
		require.True(t, errors.As(e, &re), "not a RuleError: %v", e)
		out = append(out, re)
	}
	return out
}

func TestRuleValidate(t *testing.T) {
	ok := Rule{Name: "A", Expr: "up == 0"}
	tests := []struct {
		name  string
		edit  func(r *Rule)
		field string
		msg   string
	}{
		{"no name", func(r *Rule) { r.Name = "" }, "alert", "required"},
		{"bad name", func(r *Rule) { r.Name = "\xff" }, "alert", "label value"},
		{"no condition", func(r *Rule) { r.Expr = "" }, "expr", "required"},
		{"both conditions", func(r *Rule) { r.SQL = &SQLCondition{Query: "x"} }, "sql", "mutually exclusive"},
		{"string expr", func(r *Rule) { r.Expr = `"x"` }, "expr", "string"},
		{"record and alert", func(r *Rule) { r.Record = "a:b" }, "record", "mutually exclusive"},
		{"record name", func(r *Rule) { r.Name, r.Record = "", "a{b}" }, "record", "metric name"},
		{"record severity", func(r *Rule) { r.Name, r.Record, r.Severity = "", "a", High }, "severity", "recording rule"},
		{"record annotations", func(r *Rule) { r.Name, r.Record, r.Annotations = "", "a", map[string]string{"a": "b"} }, "annotations", "recording rule"},
		{"record receivers", func(r *Rule) { r.Name, r.Record, r.Receivers = "", "a", []string{"x"} }, "receivers", "recording rule"},
		{"record suppress", func(r *Rule) { r.Name, r.Record, r.Suppress = "", "a", []Suppression{{Source: []string{"a=\"b\""}}} }, "suppress", "recording rule"},
		{"record escalation", func(r *Rule) { r.Name, r.Record, r.Escalation = "", "a", []Tier{{After: 1, Receivers: []string{"x"}}} }, "escalation", "recording rule"},
		{"record keep firing", func(r *Rule) { r.Name, r.Record, r.KeepFiringFor = "", "a", time.Minute }, "keep_firing_for", "recording rule"},
		{"negative for", func(r *Rule) { r.For = -time.Second }, "for", "negative"},
		{"negative keep firing", func(r *Rule) { r.KeepFiringFor = -time.Second }, "keep_firing_for", "negative"},
		{"severity", func(r *Rule) { r.Severity = "warning" }, "severity", "not one of"},
		{"severity label", func(r *Rule) { r.Severity, r.Labels = Low, map[string]string{"severity": "high"} }, "labels", "disagrees"},
		{"label name", func(r *Rule) { r.Labels = map[string]string{"": "x"} }, "labels", "label name"},
		{"label value", func(r *Rule) { r.Labels = map[string]string{"a": "\xff"} }, "labels", "UTF-8"},
		{"annotation template", func(r *Rule) { r.Annotations = map[string]string{"s": "{{ $nope }}"} }, "annotations", "undefined variable"},
		{"receiver", func(r *Rule) { r.Receivers = []string{" "} }, "receivers", "receiver name"},
		{"suppress source", func(r *Rule) { r.Suppress = []Suppression{{Source: []string{"a=~\"(\""}}} }, "suppress[0].source", "matcher"},
		{"suppress equal", func(r *Rule) { r.Suppress = []Suppression{{Source: []string{"a=\"b\""}, Equal: []string{"__name__"}}} }, "suppress[0].equal", "reserved"},
		{"tier after", func(r *Rule) { r.Escalation = []Tier{{After: 0, Receivers: []string{"x"}}} }, "escalation[0].after", "positive"},
		{"tier order", func(r *Rule) {
			r.Escalation = []Tier{{After: time.Minute, Receivers: []string{"x"}}, {After: time.Minute, Receivers: []string{"y"}}}
		}, "escalation[1].after", "not later"},
		{"tier receivers", func(r *Rule) { r.Escalation = []Tier{{After: time.Minute}} }, "escalation[0].receivers", "needs receivers"},
		{"sql query", func(r *Rule) { r.Expr, r.SQL = "", &SQLCondition{Query: " "} }, "sql.query", "required"},
		{"sql range", func(r *Rule) { r.Expr, r.SQL = "", &SQLCondition{Query: "x", Range: -1} }, "sql.range", "negative"},
		{"sql stream type", func(r *Rule) { r.Expr, r.SQL = "", &SQLCondition{Query: "x", StreamType: "rum"} }, "sql.stream_type", "not one of"},
		{"id", func(r *Rule) { r.ID = "a\nb" }, "id", "printable"},
	}
	require.NoError(t, ok.Validate())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.edit(&r)
			errs := ruleErrors(t, r.Validate())
			require.Len(t, errs, 1, "%v", errs)
			assert.Equal(t, tt.field, errs[0].Field)
			assert.Contains(t, errs[0].Error(), tt.msg)
			assert.Empty(t, errs[0].File)
		})
	}
}

func TestRuleValidateExprPosition(t *testing.T) {
	r := Rule{Name: "A", Expr: "sum(up)\n  / count(up +)"}
	errs := ruleErrors(t, r.Validate())
	require.Len(t, errs, 1)
	assert.Equal(t, "expr", errs[0].Field)
	assert.Equal(t, "A", errs[0].Rule)
	assert.Equal(t, []int{2, 15}, []int{errs[0].Line, errs[0].Column}, "position inside the expression")
}

func TestRuleValidateAccepts(t *testing.T) {
	for _, r := range []Rule{
		{Name: "A", Expr: "up == 0", Severity: Critical, Labels: map[string]string{"severity": "critical"}},
		{Name: "A", SQL: &SQLCondition{Query: "SELECT 1 AS value", StreamType: "traces"}},
		{Record: "job:up:sum", Expr: "sum by (job) (up)", Labels: map[string]string{"x": "{{ not a template"}},
		{Record: "job.up sum", Expr: `sum by ("service.name") ({"up.total"})`, Labels: map[string]string{"service.name": "x"}},
		{Name: "A", Expr: "up", Annotations: map[string]string{"__dashboard": "x", "run-book": "y"}},
		{Name: "A", Expr: "up", Annotations: map[string]string{
			"s": `{{ $labels.instance }} {{ $value | humanize }} {{ humanizeDuration 3 }} {{ $externalLabels.x }} {{ printf "%.2f" $value }}`,
		}},
		{Name: "A", Expr: "1", Escalation: []Tier{{After: time.Minute, Receivers: []string{"a"}}, {After: time.Hour, Receivers: []string{"b"}}}},
	} {
		assert.NoError(t, r.Validate(), "%+v", r)
	}
}

func TestGroupValidate(t *testing.T) {
	require.NoError(t, Group{Name: "g", Rules: []Rule{{Name: "A", Expr: "up"}, {Name: "A", Expr: "up"}}}.Validate())

	errs := ruleErrors(t, Group{Interval: -1}.Validate())
	assert.Equal(t, []string{"name", "interval"}, []string{errs[0].Field, errs[1].Field})

	errs = ruleErrors(t, Group{Name: "g", Rules: []Rule{{ID: "x", Name: "A", Expr: "up"}, {ID: "x", Name: "B", Expr: "up"}, {Expr: "up"}}}.Validate())
	require.Len(t, errs, 2)
	assert.Equal(t, &RuleError{Group: "g", Rule: "x", Field: "id", Err: errs[0].Err}, errs[0])
	assert.Contains(t, errs[0].Error(), `rule id "x" is used by group "g" rule #1 too`)
	assert.Equal(t, "alert", errs[1].Field)
	assert.Equal(t, "#3", errs[1].Rule)

	errs = ruleErrors(t, Group{Name: "g", Rules: []Rule{{Expr: "up"}, {Expr: "up"}}}.Validate())
	assert.Equal(t, []string{"#1", "#2"}, []string{errs[0].Rule, errs[1].Rule}, "nameless rules get no ID to repeat")
	assert.Len(t, errs, 2)
}

func TestNormalizeGroups(t *testing.T) {
	in := []Group{
		{Name: "a", Rules: []Rule{
			{Name: "Up", Expr: "up", Labels: map[string]string{"severity": "high"}},
			{Name: "Up", Expr: "up", Labels: map[string]string{"severity": "warning"}},
			{Name: "Up", Expr: "up", ID: "custom"},
			{Record: "r", Expr: "up"},
			{Name: "S", SQL: &SQLCondition{Query: "q"}},
		}},
		{Name: "b", Rules: []Rule{{Name: "Up", Expr: "up"}}},
	}
	out, err := normalizeGroups(in)
	require.NoError(t, err)
	ids := []string{}
	for _, g := range out {
		for _, r := range g.Rules {
			ids = append(ids, r.ID)
		}
	}
	assert.Equal(t, []string{"a/Up", "a/Up#2", "custom", "a/r", "a/S", "b/Up"}, ids)
	rs := out[0].Rules
	assert.Equal(t, []Severity{High, "", Medium, "", Medium}, []Severity{rs[0].Severity, rs[1].Severity, rs[2].Severity, rs[3].Severity, rs[4].Severity})
	assert.Equal(t, SQLCondition{Query: "q", Range: 5 * time.Minute, StreamType: "logs"}, *rs[4].SQL)

	assert.Empty(t, in[0].Rules[0].ID, "the input is not changed")
	assert.Empty(t, in[0].Rules[4].SQL.StreamType)

	again, err := normalizeGroups(out)
	require.NoError(t, err)
	assert.Equal(t, out, again, "normalizing twice changes nothing")
}

func TestNormalizeGroupsAcrossGroups(t *testing.T) {
	_, err := normalizeGroups([]Group{
		{Name: "a", Rules: []Rule{{ID: "x", Name: "A", Expr: "up"}}},
		{Name: "a", Rules: []Rule{{ID: "x", Name: "B", Expr: "up"}}},
	})
	errs := ruleErrors(t, err)
	require.Len(t, errs, 2)
	assert.Equal(t, "name", errs[0].Field)
	assert.Empty(t, errs[0].Rule)
	assert.Contains(t, errs[0].Error(), "used by group #1")
	assert.Equal(t, "id", errs[1].Field)
}
