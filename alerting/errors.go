package alerting

import (
	"errors"
	"fmt"
	"strings"
)

// Errors of the engine and its HTTP API.
var (
	// ErrNotFound is returned for a rule, alert or silence ID that is not
	// known (or, for an ack, an alert that is not firing).
	ErrNotFound = errors.New("alerting: not found")
	// ErrClosed is returned by calls after Shutdown.
	ErrClosed = errors.New("alerting: engine is shut down")
)

// RuleError is an invalid rule: where it is and what is wrong with it.
// Rule files give File, Line and Column (1-based, of the offending value;
// for a bad expression, of the error inside it). Err is the cause, such as
// the PromQL parser's error.
type RuleError struct {
	File   string
	Line   int
	Column int
	Group  string
	Rule   string // the rule's ID or name; "#n" (1-based) when it has neither
	Field  string // the key at fault: "expr", "for", "labels", "severity"...
	Err    error
}

// Error reads "file:line:col: group "g", rule "r", field "f": cause" with
// the parts that are known.
func (e *RuleError) Error() string {
	var b strings.Builder
	b.WriteString("alerting: ")
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
		}
		b.WriteString(": ")
	}
	sep := ""
	if e.Group != "" {
		fmt.Fprintf(&b, "group %q", e.Group)
		sep = ", "
	}
	if e.Rule != "" {
		fmt.Fprintf(&b, "%srule %q", sep, e.Rule)
		sep = ", "
	}
	if e.Field != "" {
		fmt.Fprintf(&b, "%sfield %q", sep, e.Field)
		sep = ", "
	}
	if sep != "" {
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *RuleError) Unwrap() error { return e.Err }

// AlertFilter selects alerts by state and severity; an empty list selects
// every value.
type AlertFilter struct {
	States     []State
	Severities []Severity
}
