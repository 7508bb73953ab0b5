package alerting

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// apiFullRule uses every key of a rule.
const apiFullRule = `{
	"id": "shop/HighErrors", "group": "shop", "alert": "HighErrors",
	"description": "Too many errors",
	"expr": "sum by (service) (rate(log_errors_total[5m])) > 1",
	"for": "5m", "keep_firing_for": "1h30m", "severity": "critical", "enabled": false,
	"labels": {"team": "pay"}, "annotations": {"summary": "{{ $labels.service }} fails"},
	"receivers": ["chat"],
	"suppress": [{"source": ["alertname=\"ShopDown\""], "equal": ["service"]}],
	"escalation": [{"after": "10m", "receivers": ["sms"]}, {"after": "30m", "receivers": ["mail"]}]
}`

var apiFullRuleValue = Rule{
	ID: "shop/HighErrors", Name: "HighErrors", Description: "Too many errors",
	Expr: "sum by (service) (rate(log_errors_total[5m])) > 1",
	For:  5 * time.Minute, KeepFiringFor: 90 * time.Minute, Severity: Critical, Disabled: true,
	Labels: map[string]string{"team": "pay"}, Annotations: map[string]string{"summary": "{{ $labels.service }} fails"},
	Receivers:  []string{"chat"},
	Suppress:   []Suppression{{Source: []string{`alertname="ShopDown"`}, Equal: []string{"service"}}},
	Escalation: []Tier{{After: 10 * time.Minute, Receivers: []string{"sms"}}, {After: 30 * time.Minute, Receivers: []string{"mail"}}},
}

// The answer is the stored rule in the body's shape, less the group.
const apiFullRuleOut = `{
	"id": "shop/HighErrors", "alert": "HighErrors",
	"description": "Too many errors",
	"expr": "sum by (service) (rate(log_errors_total[5m])) > 1",
	"for": "5m", "keep_firing_for": "1h30m", "severity": "critical", "enabled": false,
	"labels": {"team": "pay"}, "annotations": {"summary": "{{ $labels.service }} fails"},
	"receivers": ["chat"],
	"suppress": [{"source": ["alertname=\"ShopDown\""], "equal": ["service"]}],
	"escalation": [{"after": "10m", "receivers": ["sms"]}, {"after": "30m", "receivers": ["mail"]}]
}`

func TestAPIAddRule(t *testing.T) {
	var gotGroup string
	var got Rule
	h := newAPI(&apiFake{addRule: func(_ context.Context, g string, r Rule) (Rule, error) {
		gotGroup, got = g, r
		return r, nil
	}})
	w := apiDo(t, h, "POST", "/api/alerts/rules", apiFullRule)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	assert.Equal(t, "shop", gotGroup)
	assert.Equal(t, apiFullRuleValue, got)
	assert.JSONEq(t, apiFullRuleOut, w.Body.String())
}

func TestAPIAddRuleDefaults(t *testing.T) {
	var gotGroup string
	h := newAPI(&apiFake{addRule: func(_ context.Context, g string, r Rule) (Rule, error) {
		gotGroup = g
		r.ID = g + "/" + r.Name // as the engine defaults it
		return r, nil
	}})
	w := apiDo(t, h, "POST", "/api/alerts/rules",
		`{"name": "Slow", "sql": {"query": "SELECT 1 AS value", "range": "15m", "stream_type": "logs"}, "labels": {}, "receivers": [], "for": null}`)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	assert.Equal(t, "api", gotGroup)
	assert.JSONEq(t, `{"id": "api/Slow", "alert": "Slow", "enabled": true,
		"sql": {"query": "SELECT 1 AS value", "range": "15m", "stream_type": "logs"}}`, w.Body.String())

	w = apiDo(t, h, "POST", "/api/alerts/rules", `{"record": "job:errors:rate5m", "expr": "rate(errors[5m])", "name": "X", "alert": "X"}`)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	assert.JSONEq(t, `{"id": "api/X", "alert": "X", "record": "job:errors:rate5m", "expr": "rate(errors[5m])", "enabled": true}`, w.Body.String())
}

// Every malformed rule is a 400 naming the field, before the engine sees it.
func TestAPIRuleBadInput(t *testing.T) {
	cases := []struct{ body, field string }{
		{`{"alert": 5}`, "alert"},
		{`{"alert": "A", "name": "B"}`, "name"},
		{`{"colour": "red"}`, "colour"},
		{`{"Alert": "A"}`, "Alert"},
		{`{"for": 300}`, "for"},
		{`{"for": "5 minutes"}`, "for"},
		{`{"for": "-5m"}`, "for"},
		{`{"keep_firing_for": ""}`, "keep_firing_for"},
		{`{"enabled": "yes"}`, "enabled"},
		{`{"labels": ["a"]}`, "labels"},
		{`{"labels": {"a": 1}}`, "labels.a"},
		{`{"annotations": "x"}`, "annotations"},
		{`{"receivers": "chat"}`, "receivers"},
		{`{"receivers": ["chat", 7]}`, "receivers[1]"},
		{`{"sql": "SELECT 1"}`, "sql"},
		{`{"sql": {"range": "soon"}}`, "sql.range"},
		{`{"sql": {"table": "x"}}`, "sql.table"},
		{`{"suppress": {"source": []}}`, "suppress"},
		{`{"suppress": [{"source": "a=\"b\""}]}`, "suppress[0].source"},
		{`{"suppress": [{}, {"match": []}]}`, "suppress[1].match"},
		{`{"escalation": [{"after": "10m"}, {"after": 600}]}`, "escalation[1].after"},
		{`{"escalation": [null]}`, "escalation[0]"},
		{`{"escalation": [{"after": "1m", "to": ["sms"]}]}`, "escalation[0].to"},
		{`{"escalation": [{"receivers": [{}]}]}`, "escalation[0].receivers[0]"},
		{`{"severity": ["critical"]}`, "severity"},
		{`{"group": true}`, "group"},
		{`{"b": 1, "a": 2}`, "a"}, // the first in sorted order, every time
	}
	h := newAPI(&apiFake{addRule: func(context.Context, string, Rule) (Rule, error) {
		t.Fatal("a bad rule reached the engine")
		return Rule{}, nil
	}})
	for _, c := range cases {
		w := apiDo(t, h, "POST", "/api/alerts/rules", c.body)
		assert.Equal(t, http.StatusBadRequest, w.Code, c.body)
		out := apiBody(t, w)
		assert.Equal(t, c.field, out["field"], c.body)
		assert.Contains(t, out["error"], c.field+": ", c.body)
	}
}

func TestAPIRuleRefusedByEngine(t *testing.T) {
	h := newAPI(&apiFake{addRule: func(_ context.Context, g string, r Rule) (Rule, error) {
		return Rule{}, &RuleError{Group: g, Rule: r.Name, Field: "expr", Err: fmt.Errorf("1:5: parse error: unexpected end of input")}
	}})
	w := apiDo(t, h, "POST", "/api/alerts/rules", `{"alert": "A", "expr": "up >"}`)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Equal(t, map[string]any{"field": "expr",
		"error": `alerting: group "api", rule "A", field "expr": 1:5: parse error: unexpected end of input`}, apiBody(t, w))
}

func TestAPIListAndGetRules(t *testing.T) {
	rules := []Rule{apiFullRuleValue, {ID: "api/Up", Name: "Up", Expr: "up == 0"}}
	h := newAPI(&apiFake{rules: func() []Rule { return rules }})
	w := apiDo(t, h, "GET", "/api/alerts/rules", "")
	require.Equal(t, http.StatusOK, w.Code)
	assert.JSONEq(t, `{"rules": [`+apiFullRuleOut+`, {"id": "api/Up", "alert": "Up", "expr": "up == 0", "enabled": true}]}`, w.Body.String())

	for _, target := range []string{"/api/alerts/rules/shop/HighErrors", "/api/alerts/rules/shop%2FHighErrors"} {
		w = apiDo(t, h, "GET", target, "")
		require.Equal(t, http.StatusOK, w.Code, target)
		assert.JSONEq(t, apiFullRuleOut, w.Body.String())
	}
	w = apiDo(t, h, "GET", "/api/alerts/rules/shop/Nope", "")
	assert.Equal(t, http.StatusNotFound, w.Code)
	assert.Equal(t, `rule "shop/Nope": alerting: not found`, apiBody(t, w)["error"])

	rules = nil
	w = apiDo(t, h, "GET", "/api/alerts/rules", "")
	assert.JSONEq(t, `{"rules": []}`, w.Body.String())
}

func TestAPIUpdateRule(t *testing.T) {
	var gotID string
	var got Rule
	h := newAPI(&apiFake{updateRule: func(_ context.Context, id string, r Rule) (Rule, error) {
		if id == "api/Gone" {
			return Rule{}, fmt.Errorf("rule %q: %w", id, ErrNotFound)
		}
		gotID, got = id, r
		return r, nil
	}})
	w := apiDo(t, h, "PUT", "/api/alerts/rules/shop%2FHighErrors", apiFullRuleOut)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, "shop/HighErrors", gotID)
	assert.Equal(t, apiFullRuleValue, got)
	assert.JSONEq(t, apiFullRuleOut, w.Body.String())

	w = apiDo(t, h, "PUT", "/api/alerts/rules/shop/Other", `{"alert": "Other", "expr": "up == 0"}`)
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "shop/Other", got.ID, "the path's ID")

	cases := []struct {
		target, body string
		status       int
		field        any // nil: no field
	}{
		{"/api/alerts/rules/shop/HighErrors", apiFullRule, 400, "group"},
		{"/api/alerts/rules/shop/Other", `{"id": "shop/HighErrors"}`, 400, "id"},
		{"/api/alerts/rules/shop/Other", `{"for": "later"}`, 400, "for"},
		{"/api/alerts/rules/api/Gone", `{"alert": "Gone"}`, 404, nil},
		{"/api/alerts/rules/", `{"alert": "Gone"}`, 404, nil},
	}
	for _, c := range cases {
		w = apiDo(t, h, "PUT", c.target, c.body)
		assert.Equal(t, c.status, w.Code, c.target)
		assert.Equal(t, c.field, apiBody(t, w)["field"], c.target)
	}
}

func TestAPIDeleteRule(t *testing.T) {
	var deleted []string
	h := newAPI(&apiFake{deleteRule: func(_ context.Context, id string) error {
		if id == "api/Gone" {
			return ErrNotFound
		}
		deleted = append(deleted, id)
		return nil
	}})
	w := apiDo(t, h, "DELETE", "/api/alerts/rules/shop/HighErrors", "")
	assert.Equal(t, http.StatusNoContent, w.Code)
	assert.Empty(t, w.Body.String())
	assert.Equal(t, http.StatusNoContent, apiDo(t, h, "DELETE", "/api/alerts/rules/a%2Fb%20c", "").Code)
	assert.Equal(t, http.StatusNoContent, apiDo(t, h, "DELETE", "/api/alerts/rules/"+url.PathEscape("a//../b?c#d%"), "").Code)
	assert.Equal(t, []string{"shop/HighErrors", "a/b c", "a//../b?c#d%"}, deleted)
	assert.Equal(t, http.StatusNotFound, apiDo(t, h, "DELETE", "/api/alerts/rules/api/Gone", "").Code)
	assert.Equal(t, http.StatusNotFound, apiDo(t, h, "DELETE", "/api/alerts/rules/", "").Code)
}
