package alerting

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"
)

// maxRuleErrors bounds the errors one call reports, so that a file of
// garbage gives a readable answer.
const maxRuleErrors = 20

// defaultSQLRange is the window an SQL rule queries when Range is zero.
const defaultSQLRange = 5 * time.Minute

// ruleIssue is one problem found in a group or a rule, before it is placed
// in a file and turned into a [RuleError].
type ruleIssue struct {
	group, rule int    // indexes; rule is -1 for the group itself
	field       string // the rule-file key: "expr", "labels", "escalation[1].after"
	key         string // map key or list index under field; "" for the value itself
	onKey       bool   // the map key itself is wrong (a bad label name)
	offset      int    // expressions: byte offset of the error in the value, else -1
	err         error
}

// path names the node an issue is about, as the rule-file decoder records it.
func (is ruleIssue) path() string {
	p := is.field
	if is.key != "" {
		p += "." + is.key
		if is.onKey {
			p += "#key"
		}
	}
	return p
}

// issue builds a ruleIssue about field (and key) with no known offset.
func issue(field, key string, err error) ruleIssue {
	return ruleIssue{field: field, key: key, offset: -1, err: err}
}

// issuef is issue with a formatted cause.
func issuef(field, key, format string, args ...any) ruleIssue {
	return issue(field, key, fmt.Errorf(format, args...))
}

// Validate reports whether the rule is well formed: a valid alert name or
// recorded metric name, exactly one condition (a PromQL Expr that parses,
// or an SQL query), durations that are not negative, a known severity,
// valid label names, templates that parse, matchers that parse and
// escalation tiers in order. The error is a [*RuleError], or several
// joined with errors.Join; Field names the rule-file key at fault. For a
// bad expression, Line and Column are the error's position inside Expr.
//
// Validate does not fill defaults or compare IDs with other rules; see
// [Group.Validate].
func (r Rule) Validate() error {
	var errs []error
	for _, is := range ruleIssues(&r) {
		errs = append(errs, is.ruleError(&r, 0))
		if len(errs) == maxRuleErrors {
			break
		}
	}
	return errors.Join(errs...)
}

// Validate checks the group's name, interval, limit and query offset
// (none negative) and every rule as
// [Rule.Validate] does, and that the rules' IDs are unique, counting an
// empty ID as the group's name and the rule's name joined by "/" (with
// "#2", "#3"... on later rules of the group repeating a name, as recording
// rules often do). The error is a [*RuleError] or several joined with
// errors.Join.
func (g Group) Validate() error {
	_, err := normalizeGroups([]Group{g})
	return err
}

// normalizeGroups validates every group and rule and returns copies with
// the defaults filled in: a rule's ID is its group's name and its alert (or
// record) name joined by "/", with "#2", "#3"... added to later rules of
// the group that would get the same ID; an alert rule without a Severity
// takes its severity label's when that names a severity, and Medium when
// it has no severity label (a label such as "warning" is left alone);
// an SQL condition's Range is five minutes and its StreamType "logs".
// Group names and rule IDs must be unique across all groups given. The
// error is a [*RuleError] or several joined with errors.Join.
func normalizeGroups(groups []Group) ([]Group, error) {
	out, issues := normalizeIssues(groups)
	var errs []error
	for _, is := range issues {
		var r *Rule
		if is.rule >= 0 {
			r = &out[is.group].Rules[is.rule]
		}
		e := is.ruleError(r, is.rule)
		e.Group = out[is.group].Name
		errs = append(errs, e)
		if len(errs) == maxRuleErrors {
			break
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// ruleError turns the issue about rule r (at index; nil for the group
// itself) into a RuleError for rules without a file: Line and Column, when
// known, are the position inside the expression.
func (is ruleIssue) ruleError(r *Rule, index int) *RuleError {
	e := &RuleError{Field: is.field, Err: is.err}
	if r == nil {
		return e
	}
	e.Rule = r.displayName(index)
	if is.field == "expr" && is.offset >= 0 {
		e.Line, e.Column = textPosition(r.Expr, is.offset)
	}
	return e
}

// normalizeIssues is normalizeGroups returning the problems unplaced, for
// the rule-file decoder to place them.
func normalizeIssues(groups []Group) ([]Group, []ruleIssue) {
	var issues []ruleIssue
	out := make([]Group, len(groups))
	groupAt := map[string]int{}
	idAt := map[string][2]int{}
	for gi, g := range groups {
		out[gi] = cloneGroup(g)
		for _, is := range groupIssues(&g) {
			is.group, is.rule = gi, -1
			issues = append(issues, is)
		}
		if prev, ok := groupAt[g.Name]; ok {
			is := issuef("name", "", "group name %q is used by group #%d too", g.Name, prev+1)
			is.group, is.rule = gi, -1
			issues = append(issues, is)
		} else {
			groupAt[g.Name] = gi
		}
		fillRuleDefaults(&out[gi])
		for ri := range out[gi].Rules {
			r := &out[gi].Rules[ri]
			rs := ruleIssues(r)
			if prev, ok := idAt[r.ID]; ok && r.ID != "" {
				rs = append(rs, issuef("id", "", "rule id %q is used by %s too",
					r.ID, placeName(groups, prev)))
			} else {
				idAt[r.ID] = [2]int{gi, ri}
			}
			for _, is := range rs {
				is.group, is.rule = gi, ri
				issues = append(issues, is)
			}
		}
	}
	return out, issues
}

// placeName names rule ri of group gi for a message.
func placeName(groups []Group, at [2]int) string {
	return fmt.Sprintf("group %q rule #%d", groups[at[0]].Name, at[1]+1)
}

// groupIssues checks the group's own fields.
func groupIssues(g *Group) []ruleIssue {
	var out []ruleIssue
	if g.Name == "" {
		out = append(out, issuef("name", "", "group name is required"))
	} else if !validText(g.Name) {
		out = append(out, issuef("name", "", "group name %q is not valid UTF-8 text", g.Name))
	}
	if g.Interval < 0 {
		out = append(out, issuef("interval", "", "interval %v is negative", g.Interval))
	}
	if g.Limit < 0 {
		out = append(out, issuef("limit", "", "limit %d is negative", g.Limit))
	}
	if g.QueryOffset < 0 {
		out = append(out, issuef("query_offset", "", "query offset %v is negative", g.QueryOffset))
	}
	return out
}

// fillRuleDefaults sets the defaulted IDs, severities and SQL settings of
// the group's rules (already cloned).
func fillRuleDefaults(g *Group) {
	seen := map[string]int{}
	for i := range g.Rules {
		r := &g.Rules[i]
		if r.ID == "" && (r.Name != "" || r.Record != "") {
			id := g.Name + "/" + r.Name
			if r.Record != "" && r.Name == "" {
				id = g.Name + "/" + r.Record
			}
			seen[id]++
			if n := seen[id]; n > 1 {
				id += "#" + strconv.Itoa(n)
			}
			r.ID = id
		}
		if r.Record == "" && r.Severity == "" {
			s, ok := r.Labels[LabelSeverity]
			switch {
			case !ok:
				r.Severity = Medium
			case Severity(s).Valid():
				r.Severity = Severity(s)
			}
		}
		if r.SQL != nil {
			if r.SQL.Range == 0 {
				r.SQL.Range = defaultSQLRange
			}
			if r.SQL.StreamType == "" {
				r.SQL.StreamType = "logs"
			}
		}
	}
}

// cloneGroup copies the group deeply enough that filling defaults never
// writes to the caller's values.
func cloneGroup(g Group) Group {
	g.Rules = slices.Clone(g.Rules)
	for i := range g.Rules {
		r := &g.Rules[i]
		r.Labels = maps.Clone(r.Labels)
		r.Annotations = maps.Clone(r.Annotations)
		r.Receivers = slices.Clone(r.Receivers)
		r.Suppress = slices.Clone(r.Suppress)
		for j := range r.Suppress {
			r.Suppress[j].Source = slices.Clone(r.Suppress[j].Source)
			r.Suppress[j].Equal = slices.Clone(r.Suppress[j].Equal)
		}
		r.Escalation = slices.Clone(r.Escalation)
		for j := range r.Escalation {
			r.Escalation[j].Receivers = slices.Clone(r.Escalation[j].Receivers)
		}
		if r.SQL != nil {
			sql := *r.SQL
			r.SQL = &sql
		}
	}
	return g
}

// displayName names a rule in errors: its ID, else its alert or record
// name, else "#n" from its index.
func (r *Rule) displayName(index int) string {
	switch {
	case r.ID != "":
		return r.ID
	case r.Name != "":
		return r.Name
	case r.Record != "":
		return r.Record
	}
	return "#" + strconv.Itoa(index+1)
}
