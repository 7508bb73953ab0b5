package alerting

import (
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRulesExprPosition(t *testing.T) {
	// line and col are where the parser's own position (line:col inside
	// the expression) lands in the file.
	tests := []struct {
		name, expr string
		line, col  int
	}{
		{"plain", "        expr: sum(rate(x[5m])) by (job) >\n", 5, 42},
		{"plain with comment", "        expr: up == # oops\n", 5, 20},
		{"double quoted", "        expr: \"sum(up) / \"\n", 5, 26},
		{"single quoted", "        expr: 'sum(up) / '\n", 5, 26},
		{"quoted with escape", "        expr: \"sum(up)\\t/ \"\n", 5, 15},
		{"plain multi-line", "        expr: sum(up)\n          /\n          count(up +)\n", 7, 21},
		{"literal", "        expr: |\n          sum(\n            up +\n          )\n", 8, 11},
		{"literal keep", "        expr: |+\n          sum(up)\n\n          / )\n\n", 8, 14},
		{"folded", "        expr: >-\n          sum(up)\n          /\n          count(up +)\n", 8, 21},
		{"folded blank line", "        expr: >\n          sum(up)\n\n          / count(up +)\n", 8, 23},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := ruleFile("      - alert: A\n" + tt.expr)
			errs := ruleErrors(t, func() error { _, err := ParseRules([]byte(src), "f.yaml"); return err }())
			require.Len(t, errs, 1)
			e := errs[0]
			assert.Equal(t, "expr", e.Field)
			assert.Equal(t, []int{tt.line, tt.col}, []int{e.Line, e.Column}, "%v", e)
			var pe parser.ParseErrors
			assert.ErrorAs(t, e, &pe, "the parser's error is the cause")
		})
	}
}

func TestRulefileTextPosFallback(t *testing.T) {
	// A value that does not match the file text maps to the node itself.
	src := ruleFile("      - alert: A\n        expr: \"a\\\n          b +\"\n")
	errs := ruleErrors(t, func() error { _, err := ParseRules([]byte(src), "f.yaml"); return err }())
	assert.Equal(t, []int{5, 15}, []int{errs[0].Line, errs[0].Column})
}
