package alerting

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ruleFile wraps rule lines (indented by six spaces, starting on line 4)
// in a group "g".
func ruleFile(rule string) string {
	return "groups:\n  - name: g\n    rules:\n" + rule
}

func TestParseRulesErrors(t *testing.T) {
	tests := []struct {
		name, src, field, rule, msg string
		line, col                   int
	}{
		{"syntax", "groups:\n\t- name: g\n", "", "", "cannot start any token", 2, 1},
		{"top key", "groupz: []\n", "groupz", "", `unknown key "groupz"`, 1, 1},
		{"group key", "groups:\n  - name: g\n    intervl: 1m\n", "intervl", "", `unknown key "intervl"`, 3, 5},
		{"group name", "groups:\n  - rules: []\n", "name", "", "group name is required", 2, 5},
		{"group interval", "groups:\n  - name: g\n    interval: 5 min\n", "interval", "", "unknown unit", 3, 15},
		{"group limit", "groups:\n  - name: g\n    limit: -1\n", "limit", "", "whole number", 3, 12},
		{"group label name", "groups:\n  - name: g\n    labels: {__x: y}\n", "labels", "", "reserved", 3, 14},
		{"duplicate group", "groups:\n  - name: g\n  - name: g\n", "name", "", "used by group #1", 3, 11},
		{"rule key", ruleFile("      - alert: A\n        expr: up\n        summary: x\n"), "summary", "g/A", `unknown key "summary" in rule`, 6, 9},
		{"repeated key", ruleFile("      - alert: A\n        expr: up\n        expr: down\n"), "expr", "g/A", "repeated", 6, 9},
		{"no alert", ruleFile("      - expr: up\n"), "alert", "#1", "alert (or record) is required", 4, 9},
		{"no expr", ruleFile("      - alert: A\n"), "expr", "g/A", "expr (or sql) is required", 4, 9},
		{"both kinds", ruleFile("      - alert: A\n        record: a:b\n        expr: up\n"), "record", "g/A", "mutually exclusive", 5, 17},
		{"record name", ruleFile("      - record: 'a{b=\"c\"}'\n        expr: up\n"), "record", "g/a{b=\"c\"}", "not a valid metric name", 4, 17},
		{"record for", ruleFile("      - record: a:b\n        expr: up\n        for: 1m\n"), "for", "g/a:b", "not allowed in a recording rule", 6, 14},
		{"record sql", ruleFile("      - record: a:b\n        expr: up\n        sql: {query: x}\n"), "sql", "g/a:b", "not allowed", 6, 14},
		{"expr and sql", ruleFile("      - alert: A\n        expr: up\n        sql: {query: x}\n"), "sql", "g/A", "mutually exclusive", 6, 14},
		{"expr type", ruleFile("      - alert: A\n        expr: up[5m]\n"), "expr", "g/A", "range vector", 5, 15},
		{"for", ruleFile("      - alert: A\n        expr: up\n        for: 5x\n"), "for", "g/A", "unknown unit", 6, 14},
		{"keep_firing_for", ruleFile("      - alert: A\n        expr: up\n        keep_firing_for: [1m]\n"), "keep_firing_for", "g/A", "expected a string", 6, 26},
		{"severity", ruleFile("      - alert: A\n        expr: up\n        severity: urgent\n"), "severity", "g/A", "not one of", 6, 19},
		{"severity label", ruleFile("      - alert: A\n        expr: up\n        severity: high\n        labels:\n          severity: low\n"), "labels", "g/A", "disagrees", 8, 21},
		{"label name", ruleFile("      - alert: A\n        expr: up\n        labels:\n          '': x\n"), "labels", "g/A", "not a valid label name", 7, 11},
		{"label template", ruleFile("      - alert: A\n        expr: up\n        labels:\n          team: '{{ .x'\n"), "labels", "g/A", `value of "team"`, 7, 17},
		{"annotation template", ruleFile("      - alert: A\n        expr: up\n        annotations:\n          summary: '{{ nosuchfunc $value }}'\n"), "annotations", "g/A", "not defined", 7, 20},
		{"annotation name", ruleFile("      - alert: A\n        expr: up\n        annotations:\n          '': x\n"), "annotations", "g/A", "not a valid label name", 7, 11},
		{"enabled", ruleFile("      - alert: A\n        expr: up\n        enabled: maybe\n"), "enabled", "g/A", "true or false", 6, 18},
		{"receivers", ruleFile("      - alert: A\n        expr: up\n        receivers: [a, '']\n"), "receivers", "g/A", "receiver name", 6, 24},
		{"receivers kind", ruleFile("      - alert: A\n        expr: up\n        receivers: a\n"), "receivers", "g/A", "expected a list", 6, 20},
		{"suppress matcher", ruleFile("      - alert: A\n        expr: up\n        suppress:\n          - source: ['a=~\"(\"']\n"), "suppress[0].source", "g/A", "matcher", 7, 22},
		{"suppress empty", ruleFile("      - alert: A\n        expr: up\n        suppress:\n          - equal: [x]\n"), "suppress[0].source", "g/A", "at least one", 7, 13},
		{"suppress equal", ruleFile("      - alert: A\n        expr: up\n        suppress:\n          - source: [a=\"b\"]\n            equal: [x, '']\n"), "suppress[0].equal", "g/A", "not a valid label name", 8, 24},
		{"suppress key", ruleFile("      - alert: A\n        expr: up\n        suppress:\n          - target: [a=\"b\"]\n"), "suppress[0].target", "g/A", "unknown key", 7, 13},
		{"escalation order", ruleFile("      - alert: A\n        expr: up\n        escalation:\n          - {after: 30m, receivers: [a]}\n          - {after: 10m, receivers: [b]}\n"), "escalation[1].after", "g/A", "not later", 8, 21},
		{"escalation zero", ruleFile("      - alert: A\n        expr: up\n        escalation:\n          - after: 0s\n            receivers: [a]\n"), "escalation[0].after", "g/A", "not positive", 7, 20},
		{"escalation receivers", ruleFile("      - alert: A\n        expr: up\n        escalation:\n          - after: 1m\n"), "escalation[0].receivers", "g/A", "needs receivers", 7, 13},
		{"sql query", ruleFile("      - alert: A\n        sql:\n          range: 1m\n"), "sql.query", "g/A", "query is required", 6, 11},
		{"sql stream type", ruleFile("      - alert: A\n        sql: {query: x, stream_type: rum}\n"), "sql.stream_type", "g/A", "not one of", 5, 38},
		{"sql key", ruleFile("      - alert: A\n        sql: {query: x, org: y}\n"), "sql.org", "g/A", "unknown key", 5, 25},
		{"id text", ruleFile("      - alert: A\n        id: \"a\\tb\"\n        expr: up\n"), "id", "a\tb", "printable", 5, 13},
		{"rule kind", ruleFile("      - up == 0\n"), "rule", "#1", "expected a mapping", 4, 9},
		{"duplicate id", ruleFile("      - alert: A\n        id: x\n        expr: up\n      - alert: B\n        id: x\n        expr: up\n"), "id", "x", `"g" rule #1`, 8, 13},
		{"duplicate default id", ruleFile("      - alert: A\n        id: g/B\n        expr: up\n      - alert: B\n        expr: up\n"), "id", "g/B", "used by", 7, 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRules([]byte(tt.src), "rules.yaml")
			errs := ruleErrors(t, err)
			e := errs[0]
			assert.Equal(t, "rules.yaml", e.File)
			assert.Equal(t, tt.field, e.Field, "field: %v", err)
			assert.Equal(t, tt.rule, e.Rule, "rule: %v", err)
			assert.Equal(t, tt.line, e.Line, "line: %v", err)
			assert.Equal(t, tt.col, e.Column, "column: %v", err)
			assert.Contains(t, e.Error(), tt.msg)
			if e.Rule != "" {
				assert.Equal(t, "g", e.Group)
			}
		})
	}
}

func TestParseRulesCollectsErrors(t *testing.T) {
	src := ruleFile("      - alert: A\n        expr: up +\n        for: -1m\n      - alert: B\n        expr: up\n        severity: x\n")
	errs := ruleErrors(t, func() error { _, err := ParseRules([]byte(src), "f.yaml"); return err }())
	require.Len(t, errs, 3)
	assert.Equal(t, []string{"expr", "for", "severity"}, []string{errs[0].Field, errs[1].Field, errs[2].Field})
	assert.Equal(t, []int{5, 6, 9}, []int{errs[0].Line, errs[1].Line, errs[2].Line})

	var many string
	for range 30 {
		many += "      - alert: A\n        expr: up[\n"
	}
	errs = ruleErrors(t, func() error { _, err := ParseRules([]byte(ruleFile(many)), "f.yaml"); return err }())
	require.Len(t, errs, maxRuleErrors+1)
	assert.Contains(t, errs[maxRuleErrors].Error(), "10 more errors not shown")
}
