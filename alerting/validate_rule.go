package alerting

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
)

// validateNames is the scheme label, annotation and recorded metric names
// follow: Prometheus 3's default, any UTF-8 text, so that a rule file
// Prometheus accepts loads here too.
var validateNames = model.UTF8Validation

// validateExprParser parses rule conditions; a Parser is safe for
// concurrent use.
var validateExprParser = parser.NewParser(parser.Options{})

// ruleIssues checks everything about one rule that needs no other rule.
func ruleIssues(r *Rule) []ruleIssue {
	var out []ruleIssue
	out = append(out, kindIssues(r)...)
	if r.Expr != "" {
		out = append(out, exprIssues(r.Expr)...)
	}
	if r.SQL != nil {
		out = append(out, sqlIssues(r.SQL)...)
	}
	if r.ID != "" && !validText(r.ID) {
		out = append(out, issuef("id", "", "id %q is not printable UTF-8 text", r.ID))
	}
	if r.For < 0 {
		out = append(out, issuef("for", "", "for %v is negative", r.For))
	}
	if r.KeepFiringFor < 0 {
		out = append(out, issuef("keep_firing_for", "", "keep_firing_for %v is negative", r.KeepFiringFor))
	}
	out = append(out, severityIssues(r)...)
	templated := r.Record == ""
	out = append(out, labelMapIssues("labels", r.Labels, templated)...)
	out = append(out, labelMapIssues("annotations", r.Annotations, templated)...)
	out = append(out, routingIssues(r)...)
	return out
}

// kindIssues checks that the rule is either an alert or a recording rule,
// with exactly one condition, and that a recording rule sets nothing only
// alerts use.
func kindIssues(r *Rule) []ruleIssue {
	var out []ruleIssue
	switch {
	case r.Record != "" && r.Name != "":
		out = append(out, issuef("record", "", "record and alert are mutually exclusive"))
	case r.Record != "":
		if !validateNames.IsValidMetricName(r.Record) || strings.ContainsAny(r.Record, "{}") {
			out = append(out, issuef("record", "", "record %q is not a valid metric name", r.Record))
		}
		out = append(out, recordOnlyIssues(r)...)
	case r.Name == "":
		out = append(out, issuef("alert", "", "alert (or record) is required"))
	case !model.LabelValue(r.Name).IsValid():
		out = append(out, issuef("alert", "", "alert %q is not a valid label value", r.Name))
	}
	switch {
	case r.Expr != "" && r.SQL != nil:
		out = append(out, issuef("sql", "", "expr and sql are mutually exclusive"))
	case r.Expr == "" && r.SQL == nil:
		out = append(out, issuef("expr", "", "expr (or sql) is required"))
	}
	return out
}

// recordOnlyIssues names the alert-only fields a recording rule sets.
func recordOnlyIssues(r *Rule) []ruleIssue {
	set := []struct {
		field string
		on    bool
	}{
		{"sql", r.SQL != nil},
		{"for", r.For != 0},
		{"keep_firing_for", r.KeepFiringFor != 0},
		{"severity", r.Severity != ""},
		{"annotations", len(r.Annotations) > 0},
		{"receivers", len(r.Receivers) > 0},
		{"suppress", len(r.Suppress) > 0},
		{"escalation", len(r.Escalation) > 0},
	}
	var out []ruleIssue
	for _, s := range set {
		if s.on {
			out = append(out, issuef(s.field, "", "%s is not allowed in a recording rule", s.field))
		}
	}
	return out
}

// exprIssues parses a PromQL condition; a parse error carries the byte
// offset of its position in the expression.
func exprIssues(expr string) []ruleIssue {
	e, err := validateExprParser.ParseExpr(expr)
	if err != nil {
		is := issue("expr", "", err)
		var pes parser.ParseErrors
		var pe *parser.ParseErr
		switch {
		case errors.As(err, &pes) && len(pes) > 0:
			is.offset = int(pes[0].PositionRange.Start)
		case errors.As(err, &pe):
			is.offset = int(pe.PositionRange.Start)
		}
		if is.offset > len(expr) {
			is.offset = -1
		}
		return []ruleIssue{is}
	}
	if t := e.Type(); t != parser.ValueTypeVector && t != parser.ValueTypeScalar {
		is := issuef("expr", "", "expression gives a %s, not an instant vector or scalar", parser.DocumentedType(t))
		is.offset = 0
		return []ruleIssue{is}
	}
	return nil
}

// sqlIssues checks a server-side condition.
func sqlIssues(c *SQLCondition) []ruleIssue {
	var out []ruleIssue
	if strings.TrimSpace(c.Query) == "" {
		out = append(out, issuef("sql.query", "", "sql query is required"))
	}
	if c.Range < 0 {
		out = append(out, issuef("sql.range", "", "sql range %v is negative", c.Range))
	}
	switch c.StreamType {
	case "", "logs", "metrics", "traces":
	default:
		out = append(out, issuef("sql.stream_type", "",
			"sql stream_type %q is not one of logs, metrics, traces", c.StreamType))
	}
	return out
}

// severityIssues checks Severity and its agreement with a severity label.
func severityIssues(r *Rule) []ruleIssue {
	if r.Severity == "" {
		return nil
	}
	if !r.Severity.Valid() {
		return []ruleIssue{issuef("severity", "", "severity %q is not one of low, medium, high, critical", r.Severity)}
	}
	if s, ok := r.Labels[LabelSeverity]; ok && s != string(r.Severity) {
		return []ruleIssue{issuef("labels", LabelSeverity,
			"severity label %q disagrees with severity %q", s, r.Severity)}
	}
	return nil
}

// labelMapIssues checks the names and values of labels or annotations
// (whose names may be reserved ones); templated values must parse as
// Prometheus alert templates.
func labelMapIssues(field string, m map[string]string, templated bool) []ruleIssue {
	var out []ruleIssue
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		err := checkLabelName(k)
		if field == "annotations" && validateNames.IsValidLabelName(k) {
			err = nil // annotations may start with __
		}
		if err != nil {
			is := issue(field, k, err)
			is.onKey = true
			out = append(out, is)
		}
		if !model.LabelValue(v).IsValid() {
			out = append(out, issuef(field, k, "value of %q is not valid UTF-8", k))
		} else if templated {
			if err := parseAlertTemplate(k, v); err != nil {
				out = append(out, issue(field, k, fmt.Errorf("value of %q: %w", k, err)))
			}
		}
	}
	return out
}

// checkLabelName accepts a Prometheus label name that is not reserved.
func checkLabelName(name string) error {
	if !validateNames.IsValidLabelName(name) {
		return fmt.Errorf("%q is not a valid label name", name)
	}
	if strings.HasPrefix(name, "__") {
		return fmt.Errorf("label name %q is reserved (starts with __)", name)
	}
	return nil
}

// validText reports whether s is valid UTF-8 without control characters.
func validText(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0
}

// textPosition returns the 1-based line and column (in bytes) of offset in
// text.
func textPosition(text string, offset int) (line, col int) {
	offset = min(offset, len(text))
	start := strings.LastIndexByte(text[:offset], '\n') + 1
	return strings.Count(text[:offset], "\n") + 1, offset - start + 1
}
