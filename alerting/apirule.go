package alerting

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// apiDefaultGroup is the group of rules added through the API without one.
const apiDefaultGroup = "api"

// apiRule is a rule as the HTTP API writes it: the keys of a rule in a
// rule file, snake_case, durations as Prometheus duration strings.
type apiRule struct {
	ID            string            `json:"id"`
	Alert         string            `json:"alert,omitempty"`
	Record        string            `json:"record,omitempty"`
	Description   string            `json:"description,omitempty"`
	Expr          string            `json:"expr,omitempty"`
	SQL           *apiSQL           `json:"sql,omitempty"`
	For           string            `json:"for,omitempty"`
	KeepFiringFor string            `json:"keep_firing_for,omitempty"`
	Severity      Severity          `json:"severity,omitempty"`
	Enabled       bool              `json:"enabled"`
	Labels        map[string]string `json:"labels,omitempty"`
	Annotations   map[string]string `json:"annotations,omitempty"`
	Receivers     []string          `json:"receivers,omitempty"`
	Suppress      []apiSuppression  `json:"suppress,omitempty"`
	Escalation    []apiTier         `json:"escalation,omitempty"`
}

type apiSQL struct {
	Query      string `json:"query,omitempty"`
	Range      string `json:"range,omitempty"`
	StreamType string `json:"stream_type,omitempty"`
}

type apiSuppression struct {
	Source []string `json:"source,omitempty"`
	Equal  []string `json:"equal,omitempty"`
}

type apiTier struct {
	After     string   `json:"after,omitempty"`
	Receivers []string `json:"receivers,omitempty"`
}

// apiRuleOut converts a rule to its JSON shape.
func apiRuleOut(r Rule) apiRule {
	out := apiRule{ID: r.ID, Alert: r.Name, Record: r.Record, Description: r.Description, Expr: r.Expr,
		For: apiDuration(r.For), KeepFiringFor: apiDuration(r.KeepFiringFor), Severity: r.Severity,
		Enabled: !r.Disabled, Labels: r.Labels, Annotations: r.Annotations, Receivers: r.Receivers}
	if r.SQL != nil {
		out.SQL = &apiSQL{Query: r.SQL.Query, Range: apiDuration(r.SQL.Range), StreamType: r.SQL.StreamType}
	}
	for _, s := range r.Suppress {
		out.Suppress = append(out.Suppress, apiSuppression(s))
	}
	for _, t := range r.Escalation {
		out.Escalation = append(out.Escalation, apiTier{After: apiDuration(t.After), Receivers: t.Receivers})
	}
	return out
}

// apiDecodeRule reads a rule body: every key of [apiRule], plus "group"
// (returned apart, "" when absent) and "name" as another spelling of
// "alert". "enabled" defaults to true.
func apiDecodeRule(body []byte) (string, Rule, error) {
	var (
		d           apiReader
		r           Rule
		group, name string
		enabled     = true
	)
	d.body(body, func(k, p string, v json.RawMessage) bool {
		switch k {
		case "group":
			d.str(p, v, &group)
		case "name":
			d.str(p, v, &name)
		case "enabled":
			d.boolean(p, v, &enabled)
		default:
			return d.ruleField(&r, k, p, v)
		}
		return true
	})
	if name != "" && r.Name != "" && name != r.Name {
		d.fail("name", "differs from alert; give one of them")
	}
	if r.Name == "" {
		r.Name = name
	}
	r.Disabled = !enabled
	return group, r, d.result()
}

// ruleField reads one key of a rule into r; false for an unknown key.
func (d *apiReader) ruleField(r *Rule, k, p string, v json.RawMessage) bool {
	switch k {
	case "id":
		d.str(p, v, &r.ID)
	case "alert":
		d.str(p, v, &r.Name)
	case "record":
		d.str(p, v, &r.Record)
	case "description":
		d.str(p, v, &r.Description)
	case "expr":
		d.str(p, v, &r.Expr)
	case "severity":
		d.str(p, v, (*string)(&r.Severity))
	case "for":
		d.duration(p, v, &r.For)
	case "keep_firing_for":
		d.duration(p, v, &r.KeepFiringFor)
	case "labels":
		d.strMap(p, v, &r.Labels)
	case "annotations":
		d.strMap(p, v, &r.Annotations)
	case "receivers":
		d.strs(p, v, &r.Receivers)
	case "sql":
		r.SQL = d.sql(p, v)
	case "suppress":
		d.array(p, v, func(p string, v json.RawMessage) { r.Suppress = append(r.Suppress, d.suppression(p, v)) })
	case "escalation":
		d.array(p, v, func(p string, v json.RawMessage) { r.Escalation = append(r.Escalation, d.tier(p, v)) })
	default:
		return false
	}
	return true
}

func (d *apiReader) sql(path string, v json.RawMessage) *SQLCondition {
	var c SQLCondition
	d.object(path, v, func(k, p string, v json.RawMessage) bool {
		switch k {
		case "query":
			d.str(p, v, &c.Query)
		case "range":
			d.duration(p, v, &c.Range)
		case "stream_type":
			d.str(p, v, &c.StreamType)
		default:
			return false
		}
		return true
	})
	return &c
}

func (d *apiReader) suppression(path string, v json.RawMessage) Suppression {
	var s Suppression
	d.object(path, v, func(k, p string, v json.RawMessage) bool {
		switch k {
		case "source":
			d.strs(p, v, &s.Source)
		case "equal":
			d.strs(p, v, &s.Equal)
		default:
			return false
		}
		return true
	})
	return s
}

func (d *apiReader) tier(path string, v json.RawMessage) Tier {
	var t Tier
	d.object(path, v, func(k, p string, v json.RawMessage) bool {
		switch k {
		case "after":
			d.duration(p, v, &t.After)
		case "receivers":
			d.strs(p, v, &t.Receivers)
		default:
			return false
		}
		return true
	})
	return t
}

func (h *apiHandler) listRules(w http.ResponseWriter, _ *http.Request) {
	out := []apiRule{}
	for _, r := range h.api.Rules() {
		out = append(out, apiRuleOut(r))
	}
	apiWriteJSON(w, http.StatusOK, map[string][]apiRule{"rules": out})
}

func (h *apiHandler) getRule(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	for _, rule := range h.api.Rules() {
		if rule.ID == id {
			apiWriteJSON(w, http.StatusOK, apiRuleOut(rule))
			return
		}
	}
	h.fail(w, fmt.Errorf("rule %q: %w", id, ErrNotFound))
}

func (h *apiHandler) addRule(w http.ResponseWriter, r *http.Request) {
	body, ok := h.body(w, r)
	if !ok {
		return
	}
	group, rule, err := apiDecodeRule(body)
	if err != nil {
		h.fail(w, err)
		return
	}
	if group == "" {
		group = apiDefaultGroup
	}
	stored, err := h.api.AddRule(r.Context(), group, rule)
	if err != nil {
		h.fail(w, err)
		return
	}
	apiWriteJSON(w, http.StatusCreated, apiRuleOut(stored))
}

// updateRule replaces the rule at the path's ID. The body may repeat the
// ID but not change it, nor the group, which is fixed when a rule is added.
func (h *apiHandler) updateRule(w http.ResponseWriter, r *http.Request) {
	body, ok := h.body(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	group, rule, err := apiDecodeRule(body)
	switch {
	case id == "":
		err = ErrNotFound
	case err != nil:
	case group != "":
		err = &apiInputError{Field: "group", Reason: "is set when a rule is added and cannot change"}
	case rule.ID != "" && rule.ID != id:
		err = &apiInputError{Field: "id", Reason: "differs from the ID in the path"}
	}
	if err != nil {
		h.fail(w, err)
		return
	}
	rule.ID = id
	stored, err := h.api.UpdateRule(r.Context(), id, rule)
	if err != nil {
		h.fail(w, err)
		return
	}
	apiWriteJSON(w, http.StatusOK, apiRuleOut(stored))
}

func (h *apiHandler) deleteRule(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if id == "" {
		h.fail(w, ErrNotFound)
		return
	}
	if err := h.api.DeleteRule(r.Context(), id); err != nil {
		h.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
