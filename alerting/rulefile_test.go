package alerting

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadRulesPrometheusDocs(t *testing.T) {
	groups, err := LoadRules(filepath.Join("testdata", "rules", "prometheus-docs.yaml"))
	require.NoError(t, err)
	require.Len(t, groups, 3)

	assert.Equal(t, "mysql-recording", groups[1].Name)
	assert.Equal(t, time.Minute, groups[1].Interval)
	assert.Equal(t, time.Minute, groups[1].QueryOffset)
	assert.Zero(t, groups[1].Limit)
	rec := groups[1].Rules[1]
	assert.Equal(t, "mysql-recording/path:requests:rate5m", rec.ID)
	assert.Equal(t, "path:requests:rate5m", rec.Record)
	assert.Empty(t, rec.Severity, "recording rules have no severity")

	alerts := groups[2].Rules
	require.Len(t, alerts, 3)
	hi := alerts[0]
	assert.Equal(t, "alerts/HighRequestLatency", hi.ID)
	assert.Equal(t, "HighRequestLatency", hi.Name)
	assert.Equal(t, 10*time.Minute, hi.For)
	assert.Equal(t, 5*time.Minute, hi.KeepFiringFor)
	assert.Equal(t, map[string]string{"severity": "page", "team": "platform"}, hi.Labels)
	assert.Empty(t, hi.Severity, "a severity label that is not ours is left alone")
	assert.Equal(t, "Instance {{ $labels.instance }} down", alerts[1].Annotations["summary"])
	assert.Equal(t, Medium, alerts[2].Severity, "no severity label means medium")
	assert.False(t, alerts[2].Disabled)
}

func TestLoadRulesNodeExporter(t *testing.T) {
	groups, err := LoadRules(filepath.Join("testdata", "rules", "node-exporter.yaml"))
	require.NoError(t, err)
	require.Len(t, groups, 2)
	recs := groups[0].Rules
	require.Len(t, recs, 6)
	assert.Equal(t, "node-exporter.rules/instance:node_network_receive_bytes_excluding_lo:rate5m", recs[4].ID)
	assert.Equal(t, "node-exporter.rules/instance:node_network_receive_bytes_excluding_lo:rate5m#2", recs[5].ID)
	assert.True(t, strings.HasPrefix(recs[0].Expr, "count without (cpu, mode) (\n"))

	alerts := groups[1].Rules
	require.Len(t, alerts, 4)
	assert.Equal(t, time.Hour, alerts[0].For)
	assert.Equal(t, "warning", alerts[0].Labels[LabelSeverity])
	assert.Equal(t, Critical, alerts[3].Severity, "a severity label naming a severity sets it")
}

func TestLoadRulesExtensions(t *testing.T) {
	groups, err := LoadRules(filepath.Join("testdata", "rules", "o2kit.yaml"))
	require.NoError(t, err)
	require.Len(t, groups, 1)
	g := groups[0]
	assert.Equal(t, 30*time.Second, g.Interval)
	require.Len(t, g.Rules, 3)

	r := g.Rules[0]
	assert.Equal(t, "payments/error-rate", r.ID)
	assert.Equal(t, "Share of failed payments over five minutes.", r.Description)
	assert.Equal(t, High, r.Severity)
	assert.Equal(t, map[string]string{"service": "payments", "team": "checkout"}, r.Labels)
	assert.Equal(t, []string{"chat-payments"}, r.Receivers)
	assert.Equal(t, []Suppression{{Source: []string{`alertname="PaymentGatewayDown"`}, Equal: []string{"service"}}}, r.Suppress)
	assert.Equal(t, []Tier{
		{After: 10 * time.Minute, Receivers: []string{"oncall-sms"}},
		{After: 30 * time.Minute, Receivers: []string{"manager-email"}},
	}, r.Escalation)

	s := g.Rules[1]
	assert.True(t, s.Disabled)
	assert.Empty(t, s.Expr)
	require.NotNil(t, s.SQL)
	assert.Equal(t, SQLCondition{
		Query:      `SELECT service, count(*) AS value FROM "application-logs" WHERE level = 'ERROR' GROUP BY service HAVING count(*) > 10`,
		Range:      10 * time.Minute,
		StreamType: "logs",
	}, *s.SQL)
	assert.Equal(t, Critical, s.Severity)
	assert.Equal(t, "payments/CheckoutErrorLogs", s.ID)
	assert.Equal(t, Critical, g.Rules[2].Severity)
}

func TestParseRulesEmpty(t *testing.T) {
	for _, src := range []string{"", "# nothing\n", "groups:\n", "groups: []\n"} {
		groups, err := ParseRules([]byte(src), "empty.yaml")
		require.NoError(t, err, src)
		assert.Empty(t, groups, src)
	}
}

func TestParseRulesAliases(t *testing.T) {
	src := `groups:
  - name: g
    rules:
      - &high
        alert: &name High
        expr: &expr up == 0
        for: 5m
        labels:
          severity: &sev critical
      - <<: *high
        alert: High2
      - alert: *name
        expr: *expr
        labels: {severity: *sev}
`
	groups, err := ParseRules([]byte(src), "aliases.yaml")
	require.NoError(t, err)
	rules := groups[0].Rules
	require.Len(t, rules, 3)
	assert.Equal(t, "High2", rules[1].Name)
	assert.Equal(t, 5*time.Minute, rules[1].For)
	assert.Equal(t, "up == 0", rules[1].Expr)
	assert.Equal(t, "g/High#2", rules[2].ID)
	assert.Equal(t, Critical, rules[2].Severity)
}

func TestLoadRulesMissingFile(t *testing.T) {
	_, err := LoadRules(filepath.Join(t.TempDir(), "none.yaml"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestParseRulesMergeList(t *testing.T) {
	src := `base: &base {for: 1m, expr: up}
`
	_, err := ParseRules([]byte(src), "f.yaml")
	errs := ruleErrors(t, err)
	assert.Equal(t, "base", errs[0].Field, "only groups at the top")

	src = `groups:
  - name: g
    rules:
      - &a {alert: A, expr: up, for: 1m}
      - &b {alert: B, expr: down, keep_firing_for: 2m}
      - <<: [*b, *a]
        alert: C
      - <<: x
        alert: D
`
	_, err = ParseRules([]byte(src), "f.yaml")
	errs = ruleErrors(t, err)
	require.Len(t, errs, 2, "D has no expr, and its merge key no mapping")
	assert.Equal(t, []any{"rule", 8, 13}, []any{errs[1].Field, errs[1].Line, errs[1].Column})
	assert.Contains(t, errs[1].Error(), "merge key needs a mapping")

	groups, err := ParseRules([]byte(strings.Split(src, "      - <<: x")[0]), "f.yaml")
	require.NoError(t, err)
	c := groups[0].Rules[2]
	assert.Equal(t, Rule{ID: "g/C", Name: "C", Expr: "down", For: time.Minute, KeepFiringFor: 2 * time.Minute, Severity: Medium}, c,
		"the first merged mapping wins, the rule's own keys over both")
}

func TestParseRulesShapes(t *testing.T) {
	tests := []struct{ name, src, field, msg string }{
		{"groups scalar", "groups: x\n", "groups", "expected a list"},
		{"rules mapping", "groups:\n  - name: g\n    rules: {a: b}\n", "rules", "expected a list"},
		{"group scalar", "groups: [x]\n", "group", "expected a mapping"},
		{"labels list", ruleFile("      - alert: A\n        expr: up\n        labels: [a]\n"), "labels", "expected a mapping"},
		{"label value map", ruleFile("      - alert: A\n        expr: up\n        labels: {a: {b: c}}\n"), "labels.a", "expected a string"},
		{"key not string", ruleFile("      - alert: A\n        expr: up\n        ? [a]\n        : b\n"), "rule", "keys must be strings"},
		{"escalation map", ruleFile("      - alert: A\n        expr: up\n        escalation: {after: 1m}\n"), "escalation", "expected a list"},
		{"tier key", ruleFile("      - alert: A\n        expr: up\n        escalation: [{after: 1m, to: [a]}]\n"), "escalation[0].to", "unknown key"},
		{"sql range", ruleFile("      - alert: A\n        sql: {query: x, range: 1y2}\n"), "sql.range", "duration"},
		{"alias bomb", "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
			"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n" +
			"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n" +
			"groups: [{name: g, rules: [{alert: A, expr: up, receivers: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]}]}]\n", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRules([]byte(tt.src), "f.yaml")
			errs := ruleErrors(t, err)
			if tt.msg != "" {
				assert.Equal(t, tt.field, errs[0].Field, "%v", err)
				assert.Contains(t, errs[0].Error(), tt.msg)
			}
		})
	}
}

func TestParseRulesEnabled(t *testing.T) {
	for src, disabled := range map[string]bool{"enabled: true": false, "enabled: false": true, "enabled:": false} {
		groups, err := ParseRules([]byte(ruleFile("      - alert: A\n        expr: up\n        "+src+"\n")), "f.yaml")
		require.NoError(t, err, src)
		assert.Equal(t, disabled, groups[0].Rules[0].Disabled, src)
	}
}

func TestParseRulesGroupLabels(t *testing.T) {
	src := `groups:
  - name: g
    labels: {team: a, severity: low, env: prod}
    rules:
      - {alert: A, expr: up, labels: {team: b}}
      - {alert: B, expr: up, severity: high}
      - {record: r, expr: up}
`
	groups, err := ParseRules([]byte(src), "f.yaml")
	require.NoError(t, err)
	rs := groups[0].Rules
	assert.Equal(t, map[string]string{"team": "b", "severity": "low", "env": "prod"}, rs[0].Labels)
	assert.Equal(t, Low, rs[0].Severity)
	assert.Equal(t, map[string]string{"team": "a", "env": "prod"}, rs[1].Labels, "the rule's severity wins")
	assert.Equal(t, High, rs[1].Severity)
	assert.Equal(t, map[string]string{"team": "a", "severity": "low", "env": "prod"}, rs[2].Labels)

	// A template error in a group label is reported where the label is.
	src = "groups:\n  - name: g\n    labels: {team: '{{ x'}\n    rules:\n      - {alert: A, expr: up}\n"
	_, err = ParseRules([]byte(src), "f.yaml")
	errs := ruleErrors(t, err)
	assert.Equal(t, []any{"labels", "g/A", 3, 20}, []any{errs[0].Field, errs[0].Rule, errs[0].Line, errs[0].Column})
}

func TestParseRulesUTF8Names(t *testing.T) {
	// Prometheus 3 accepts any UTF-8 label name, as in its own
	// utf-8_lname.good.yaml.
	src := ruleFile(`      - alert: hola
        expr: 1
        labels:
          ins-tance: localhost
        annotations:
          "service.name": '{{ $labels.instance }}'
      - record: "http.requests:rate5m"
        expr: sum by ("service.name") (rate({"http.requests.total"}[5m]))
`)
	groups, err := ParseRules([]byte(src), "f.yaml")
	require.NoError(t, err)
	assert.Equal(t, "localhost", groups[0].Rules[0].Labels["ins-tance"])
	assert.Equal(t, "g/http.requests:rate5m", groups[0].Rules[1].ID)
}

func BenchmarkParseRules(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "rules", "node-exporter.yaml"))
	require.NoError(b, err)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRules(data, "node-exporter.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}
