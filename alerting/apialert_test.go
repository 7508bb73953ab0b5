package alerting

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var apiEpoch = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

func TestAPIListAlerts(t *testing.T) {
	firing := Alert{ID: "f00d", RuleID: "shop/HighErrors", State: StateFiring, Value: 3.5,
		Labels:      map[string]string{"alertname": "HighErrors", "severity": "critical"},
		Annotations: map[string]string{"summary": "pay fails"}, ActiveAt: apiEpoch, FiredAt: apiEpoch.Add(5 * time.Minute),
		Ack: &Ack{By: "ana", At: apiEpoch.Add(6 * time.Minute), Comment: "on it"}}
	var got AlertFilter
	h := newAPI(&apiFake{alerts: func(f AlertFilter) []Alert {
		got = f
		if len(f.States) == 0 {
			return nil
		}
		return []Alert{firing}
	}})
	cases := []struct {
		query string
		want  AlertFilter
	}{
		{"", AlertFilter{}},
		{"?state=firing", AlertFilter{States: []State{StateFiring}}},
		{"?state=firing,pending&severity=critical", AlertFilter{States: []State{StateFiring, StatePending}, Severities: []Severity{Critical}}},
		{"?state=firing&state=resolved,&severity=low,%20high", AlertFilter{States: []State{StateFiring, StateResolved}, Severities: []Severity{Low, High}}},
		{"?state=&severity=&other=1", AlertFilter{}},
	}
	for _, c := range cases {
		w := apiDo(t, h, "GET", "/api/alerts"+c.query, "")
		require.Equal(t, http.StatusOK, w.Code, c.query)
		assert.Equal(t, c.want, got, c.query)
	}
	w := apiDo(t, h, "GET", "/api/alerts", "")
	assert.JSONEq(t, `{"alerts": []}`, w.Body.String())
	w = apiDo(t, h, "GET", "/api/alerts?state=firing", "")
	assert.JSONEq(t, `{"alerts": [{"id": "f00d", "rule_id": "shop/HighErrors",
		"labels": {"alertname": "HighErrors", "severity": "critical"}, "annotations": {"summary": "pay fails"},
		"state": "firing", "value": 3.5, "active_at": "2026-11-30T08:00:00Z", "fired_at": "2026-11-30T08:05:00Z",
		"ack": {"by": "ana", "at": "2026-11-30T08:06:00Z", "comment": "on it"}}]}`, w.Body.String())
}

// A ratio over nothing is infinite; the list still encodes.
func TestAPIListAlertsOddValues(t *testing.T) {
	h := newAPI(&apiFake{alerts: func(AlertFilter) []Alert {
		return []Alert{{ID: "a", Value: math.Inf(1)}, {ID: "b", Value: math.NaN()}, {ID: "c", Value: -0.25}}
	}})
	w := apiDo(t, h, "GET", "/api/alerts", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var out struct{ Alerts []map[string]any }
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out))
	require.Len(t, out.Alerts, 3)
	assert.Nil(t, out.Alerts[0]["value"])
	assert.Nil(t, out.Alerts[1]["value"])
	assert.Equal(t, -0.25, out.Alerts[2]["value"])
	assert.Equal(t, "inactive", out.Alerts[2]["state"], "the embedded alert's fields are kept")
}

func TestAPIListAlertsBadFilter(t *testing.T) {
	h := newAPI(&apiFake{alerts: func(AlertFilter) []Alert { t.Fatal("a bad filter reached the engine"); return nil }})
	for query, field := range map[string]string{
		"?state=burning":                "state",
		"?state=firing,FIRING":          "state",
		"?severity=urgent":              "severity",
		"?state=firing&severity=Medium": "severity",
	} {
		w := apiDo(t, h, "GET", "/api/alerts"+query, "")
		assert.Equal(t, http.StatusBadRequest, w.Code, query)
		assert.Equal(t, field, apiBody(t, w)["field"], query)
	}
}

func TestAPIAck(t *testing.T) {
	var gotID string
	var got Ack
	h := newAPI(&apiFake{ack: func(_ context.Context, id string, a Ack) error {
		if id == "cafe" {
			return ErrNotFound
		}
		gotID, got = id, a
		return nil
	}})
	w := apiDo(t, h, "POST", "/api/alerts/f00d/ack", `{"by": "ana", "comment": "on it"}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.JSONEq(t, `{"acked": "f00d"}`, w.Body.String())
	assert.Equal(t, "f00d", gotID)
	assert.Equal(t, Ack{By: "ana", Comment: "on it"}, got, "the engine stamps the time")

	cases := []struct {
		target, body string
		status       int
		field        any
	}{
		{"/api/alerts/f00d/ack", `{"comment": "who?"}`, 400, "by"},
		{"/api/alerts/f00d/ack", `{"by": "  "}`, 400, "by"},
		{"/api/alerts/f00d/ack", `{"by": 7}`, 400, "by"},
		{"/api/alerts/f00d/ack", `{"by": "ana", "at": "2026-11-30T08:00:00Z"}`, 400, "at"},
		{"/api/alerts/f00d/ack", `{"by": "ana", "comment": ["x"]}`, 400, "comment"},
		{"/api/alerts/cafe/ack", `{"by": "ana"}`, 404, nil},
	}
	for _, c := range cases {
		w := apiDo(t, h, "POST", c.target, c.body)
		assert.Equal(t, c.status, w.Code, c.body)
		assert.Equal(t, c.field, apiBody(t, w)["field"], c.body)
	}
}

func TestAPISilences(t *testing.T) {
	var got []Silence
	h := newAPI(&apiFake{
		silences: func() []Silence { return got },
		addSilence: func(_ context.Context, s Silence) (Silence, error) {
			s.ID = "s" + string(rune('1'+len(got)))
			got = append(got, s)
			return s, nil
		},
	}, apiClock(func() time.Time { return apiEpoch }))
	w := apiDo(t, h, "GET", "/api/alerts/silences", "")
	assert.JSONEq(t, `{"silences": []}`, w.Body.String())

	w = apiDo(t, h, "POST", "/api/alerts/silences", `{"matchers": ["alertname=\"HighErrors\"", "service=~\"pay.*\""],
		"starts_at": "2026-11-30T09:00:00+01:00", "ends_at": "2026-11-30T10:00:00Z", "created_by": "ana", "comment": "deploy"}`)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	assert.JSONEq(t, `{"id": "s1", "matchers": ["alertname=\"HighErrors\"", "service=~\"pay.*\""],
		"starts_at": "2026-11-30T09:00:00+01:00", "ends_at": "2026-11-30T10:00:00Z", "created_by": "ana", "comment": "deploy"}`, w.Body.String())

	w = apiDo(t, h, "POST", "/api/alerts/silences", `{"matchers": ["severity=\"low\""], "duration": "2h", "created_by": "bo"}`)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	require.Len(t, got, 2)
	assert.Equal(t, Silence{ID: "s2", Matchers: []string{`severity="low"`}, StartsAt: apiEpoch, EndsAt: apiEpoch.Add(2 * time.Hour), CreatedBy: "bo"}, got[1])

	w = apiDo(t, h, "GET", "/api/alerts/silences", "")
	require.Equal(t, http.StatusOK, w.Code)
	assert.Len(t, apiBody(t, w)["silences"], 2)
}

func TestAPISilenceBadInput(t *testing.T) {
	h := newAPI(&apiFake{addSilence: func(context.Context, Silence) (Silence, error) {
		t.Fatal("a bad silence reached the engine")
		return Silence{}, nil
	}}, apiClock(func() time.Time { return apiEpoch }))
	const by = `, "created_by": "ana"`
	cases := []struct{ body, field string }{
		{`{"duration": "1h"` + by + `}`, "matchers"},
		{`{"matchers": [], "duration": "1h"` + by + `}`, "matchers"},
		{`{"matchers": ["a=\"b\"", "a=~\"(\""], "duration": "1h"` + by + `}`, "matchers[1]"},
		{`{"matchers": ["a"], "duration": "1h"` + by + `}`, "matchers[0]"},
		{`{"matchers": "a=\"b\"", "duration": "1h"` + by + `}`, "matchers"},
		{`{"matchers": ["a=\"\"", "b=~\".*\""], "duration": "1h"` + by + `}`, "matchers"},
		{`{"matchers": ["a!=\"x\""], "duration": "1h"` + by + `}`, "matchers"},
		{`{"matchers": ["a=\"b\""]` + by + `}`, "ends_at"},
		{`{"matchers": ["a=\"b\""], "ends_at": "2026-11-30T07:00:00Z"` + by + `}`, "ends_at"},
		{`{"matchers": ["a=\"b\""], "ends_at": "tomorrow"` + by + `}`, "ends_at"},
		{`{"matchers": ["a=\"b\""], "starts_at": 1795000000, "duration": "1h"` + by + `}`, "starts_at"},
		{`{"matchers": ["a=\"b\""], "ends_at": "2026-11-30T10:00:00Z", "duration": "1h"` + by + `}`, "duration"},
		{`{"matchers": ["a=\"b\""], "duration": "0s"` + by + `}`, "duration"},
		{`{"matchers": ["a=\"b\""], "duration": "forever"` + by + `}`, "duration"},
		{`{"matchers": ["a=\"b\""], "duration": "1h"}`, "created_by"},
		{`{"matchers": ["a=\"b\""], "duration": "1h", "id": "s9"` + by + `}`, "id"},
	}
	for _, c := range cases {
		w := apiDo(t, h, "POST", "/api/alerts/silences", c.body)
		assert.Equal(t, http.StatusBadRequest, w.Code, c.body)
		assert.Equal(t, c.field, apiBody(t, w)["field"], c.body)
	}
}

// What the engine refuses in a silence is the caller's fault, except a
// shut-down engine.
func TestAPISilenceRefusedByEngine(t *testing.T) {
	for err, status := range map[error]int{errors.New("alerting: silence ends in the past"): 400, ErrClosed: 503} {
		h := newAPI(&apiFake{addSilence: func(context.Context, Silence) (Silence, error) { return Silence{}, err }})
		w := apiDo(t, h, "POST", "/api/alerts/silences", `{"matchers": ["a=\"b\""], "duration": "1h", "created_by": "ana"}`)
		assert.Equal(t, status, w.Code)
		assert.Equal(t, err.Error(), apiBody(t, w)["error"])
	}
}

func TestAPIExpireSilence(t *testing.T) {
	var expired []string
	h := newAPI(&apiFake{expireSilence: func(_ context.Context, id string) error {
		if id != "s1" {
			return ErrNotFound
		}
		expired = append(expired, id)
		return nil
	}})
	w := apiDo(t, h, "DELETE", "/api/alerts/silences/s1", "")
	assert.Equal(t, http.StatusNoContent, w.Code)
	assert.Equal(t, []string{"s1"}, expired)
	w = apiDo(t, h, "DELETE", "/api/alerts/silences/s2", "")
	assert.Equal(t, http.StatusNotFound, w.Code)
	assert.Equal(t, "alerting: not found", apiBody(t, w)["error"])
}
