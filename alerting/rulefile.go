package alerting

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// LoadRules reads the rule file at path; see [ParseRules].
func LoadRules(path string) ([]Group, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("alerting: %w", err)
	}
	return ParseRules(data, path)
}

// ParseRules decodes a rule file in the Prometheus rule-file shape and
// returns its groups, checked as [Group.Validate] checks them and with
// defaults filled in: a rule without an id gets its group's name and its
// alert (or record) name joined by "/", with "#2", "#3"... on later rules
// of the group that would repeat one; an alert rule without a severity
// takes its severity label's value when that names a severity, else
// [Medium] when it has no severity label; an SQL condition's range is five
// minutes and its stream type "logs". filename is only used in errors.
//
// A Prometheus rule file loads unchanged: a top-level "groups" list, each
// group with "name", "interval", "limit", "query_offset", "labels" (added
// to every rule's labels; the rule's own win) and "rules", and each rule
// with "alert" or "record", "expr", "for", "keep_firing_for", "labels"
// and "annotations"; a group's "limit" and "query_offset" become
// [Group.Limit] and [Group.QueryOffset]. Rules may also have these keys:
//
//	id: payments/high-error-rate   # default: group name "/" alert name
//	description: Error rate of the payment service
//	severity: high                 # low, medium, high or critical
//	enabled: false                 # default true
//	receivers: [oncall-sms]        # instead of the route tree's choice
//	suppress:                      # while such an alert fires
//	  - source: ['alertname="ServiceDown"']
//	    equal: [service]
//	escalation:                    # tiers for unacknowledged alerts
//	  - after: 10m
//	    receivers: [oncall-sms]
//	sql:                           # instead of expr: a server-side query
//	  query: SELECT service, count(*) AS value FROM "application-logs" ...
//	  range: 5m
//	  stream_type: logs
//
// Durations use Prometheus' syntax ("90s", "1h30m", "1d"). Unknown and
// repeated keys are errors. Every problem of the file is reported (up to
// 20), each as a [*RuleError] with the file, line and column of the value
// at fault — for an expression that does not parse, of the error inside
// it — joined with errors.Join.
func ParseRules(data []byte, filename string) ([]Group, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, rulefileSyntaxError(filename, err)
	}
	d := &rulefileDecoder{file: filename, src: data, gi: -1, ri: -1}
	groups := d.decodeFile(&root)
	out, issues := normalizeIssues(groups)
	errs := d.errors(out)
	for _, is := range issues {
		if !d.skip(is) {
			errs = append(errs, d.place(is, out))
		}
	}
	if len(errs) == 0 {
		return out, nil
	}
	slices.SortStableFunc(errs, func(a, b *RuleError) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return nil, joinRuleErrors(errs)
}

// joinRuleErrors joins at most maxRuleErrors errors, saying when there
// were more.
func joinRuleErrors(errs []*RuleError) error {
	out := make([]error, 0, min(len(errs), maxRuleErrors)+1)
	for _, e := range errs[:min(len(errs), maxRuleErrors)] {
		out = append(out, e)
	}
	if len(errs) > maxRuleErrors {
		out = append(out, &RuleError{File: errs[0].File,
			Err: fmt.Errorf("%d more errors not shown", len(errs)-maxRuleErrors)})
	}
	return errors.Join(out...)
}

// rulefileSyntaxLine reads the line number from a YAML syntax error.
var rulefileSyntaxLine = regexp.MustCompile(`^yaml: line (\d+): `)

// rulefileSyntaxError turns a YAML syntax error into a RuleError.
func rulefileSyntaxError(file string, err error) error {
	e := &RuleError{File: file, Err: err}
	if m := rulefileSyntaxLine.FindStringSubmatch(err.Error()); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Column = 1
		e.Err = errors.New(strings.TrimPrefix(err.Error(), m[0]))
	}
	return e
}

// rulefileLoc records where the parts of one group or rule are in the
// file, by issue path (see ruleIssue.path).
type rulefileLoc struct {
	node  *yaml.Node
	paths map[string]*yaml.Node
	bad   map[string]bool // top-level keys that failed to decode
}

// rulefileFail is a problem found while decoding, at a node.
type rulefileFail struct {
	gi, ri int // group and rule index, -1 when outside
	field  string
	node   *yaml.Node
	err    error
}

// rulefileDecoder walks a rule file's YAML nodes into groups, recording
// where everything is.
type rulefileDecoder struct {
	file   string
	src    []byte
	lines  [][]byte // src split into lines, when a position needs them
	gi, ri int      // where the walk is: group and rule index, -1 outside
	groups []rulefileLoc
	rules  [][]rulefileLoc
	fails  []rulefileFail
	budget int // nodes visited, to bound work on aliases
}

// at returns the location record of the current group or rule.
func (d *rulefileDecoder) at() *rulefileLoc {
	switch {
	case d.gi < 0:
		return nil
	case d.ri < 0:
		return &d.groups[d.gi]
	}
	return &d.rules[d.gi][d.ri]
}

// fail records a problem with field at node n of the current rule or group.
func (d *rulefileDecoder) fail(field string, n *yaml.Node, err error) {
	d.fails = append(d.fails, rulefileFail{gi: d.gi, ri: d.ri, field: field, node: n, err: err})
	if loc := d.at(); loc != nil {
		loc.bad[rulefileTop(field)] = true
	}
}

// failf is fail with a formatted cause.
func (d *rulefileDecoder) failf(field string, n *yaml.Node, format string, args ...any) {
	d.fail(field, n, fmt.Errorf(format, args...))
}

// rulefileTop returns the top-level key of a field path: "sql" for
// "sql.query", "suppress" for "suppress[0].source".
func rulefileTop(field string) string {
	if i := strings.IndexAny(field, ".["); i >= 0 {
		return field[:i]
	}
	return field
}

// skip reports whether a validation issue is about a key that already
// failed to decode, so it would only repeat that error.
func (d *rulefileDecoder) skip(is ruleIssue) bool {
	loc := &d.groups[is.group]
	if is.rule >= 0 {
		loc = &d.rules[is.group][is.rule]
	}
	return loc.bad[rulefileTop(is.field)]
}
