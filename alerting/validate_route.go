package alerting

import (
	"context"
	"strconv"
	"strings"

	"github.com/prometheus/prometheus/template"
)

// validateTemplateDefs declare the variables Prometheus gives alert
// templates, as its rules package does before expanding them.
const validateTemplateDefs = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}" +
	"{{$externalURL := .ExternalURL}}{{$value := .Value}}"

// parseAlertTemplate parses a label or annotation value as a Prometheus
// alert template, with Prometheus' template functions (humanize, query,
// printf...) defined.
func parseAlertTemplate(name, text string) error {
	if !strings.Contains(text, "{{") {
		return nil
	}
	te := template.NewTemplateExpander(context.Background(), validateTemplateDefs+text,
		"__alert_"+name, nil, 0, nil, nil, nil)
	return te.ParseTest()
}

// routingIssues checks the rule's receivers, suppressions and escalation
// tiers.
func routingIssues(r *Rule) []ruleIssue {
	var out []ruleIssue
	out = append(out, receiverIssues("receivers", r.Receivers)...)
	for i, s := range r.Suppress {
		field := "suppress[" + strconv.Itoa(i) + "]"
		if len(s.Source) == 0 {
			out = append(out, issuef(field+".source", "", "suppress needs at least one source matcher"))
		}
		for j, m := range s.Source {
			if _, err := parseMatchers([]string{m}); err != nil {
				out = append(out, issue(field+".source", strconv.Itoa(j), err))
			}
		}
		for j, l := range s.Equal {
			if err := checkLabelName(l); err != nil {
				out = append(out, issue(field+".equal", strconv.Itoa(j), err))
			}
		}
	}
	for i, t := range r.Escalation {
		field := "escalation[" + strconv.Itoa(i) + "]"
		switch {
		case t.After <= 0:
			out = append(out, issuef(field+".after", "", "escalation after %v is not positive", t.After))
		case i > 0 && t.After <= r.Escalation[i-1].After:
			out = append(out, issuef(field+".after", "",
				"escalation after %v is not later than the tier before (%v)", t.After, r.Escalation[i-1].After))
		}
		if len(t.Receivers) == 0 {
			out = append(out, issuef(field+".receivers", "", "escalation tier needs receivers"))
		}
		out = append(out, receiverIssues(field+".receivers", t.Receivers)...)
	}
	return out
}

// receiverIssues checks a list of receiver names.
func receiverIssues(field string, names []string) []ruleIssue {
	var out []ruleIssue
	for i, n := range names {
		if strings.TrimSpace(n) == "" || !validText(n) {
			out = append(out, issuef(field, strconv.Itoa(i), "receiver name %q is empty or not printable text", n))
		}
	}
	return out
}
