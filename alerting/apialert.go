package alerting

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// listAlerts answers GET /api/alerts. state and severity each take a
// comma-separated list, and may be repeated; each selects any of its
// values, both together must hold.
func (h *apiHandler) listAlerts(w http.ResponseWriter, r *http.Request) {
	f, err := apiAlertFilter(r.URL.Query())
	if err != nil {
		h.fail(w, err)
		return
	}
	alerts := h.api.Alerts(f)
	if alerts == nil {
		alerts = []Alert{} // [] rather than null
	}
	apiWriteJSON(w, http.StatusOK, map[string][]Alert{"alerts": alerts})
}

func apiAlertFilter(q url.Values) (AlertFilter, error) {
	var f AlertFilter
	for _, s := range apiList(q["state"]) {
		st, err := ParseState(s)
		if err != nil {
			return f, &apiInputError{Field: "state", Reason: "must be inactive, pending, firing or resolved"}
		}
		f.States = append(f.States, st)
	}
	for _, s := range apiList(q["severity"]) {
		if !Severity(s).Valid() {
			return f, &apiInputError{Field: "severity", Reason: "must be low, medium, high or critical"}
		}
		f.Severities = append(f.Severities, Severity(s))
	}
	return f, nil
}

// apiList splits comma-separated query values, dropping empty items.
func apiList(vs []string) []string {
	var out []string
	for _, v := range vs {
		for s := range strings.SplitSeq(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// ack answers POST /api/alerts/{id}/ack with body {"by", "comment"}; the
// engine stamps the time.
func (h *apiHandler) ack(w http.ResponseWriter, r *http.Request) {
	body, ok := h.body(w, r)
	if !ok {
		return
	}
	var (
		d apiReader
		a Ack
	)
	d.body(body, func(k, p string, v json.RawMessage) bool {
		switch k {
		case "by":
			d.str(p, v, &a.By)
		case "comment":
			d.str(p, v, &a.Comment)
		default:
			return false
		}
		return true
	})
	if strings.TrimSpace(a.By) == "" {
		d.fail("by", "is required: who acknowledges the alert")
	}
	if err := d.result(); err != nil {
		h.fail(w, err)
		return
	}
	id := r.PathValue("id")
	if err := h.api.Ack(r.Context(), id, a); err != nil {
		h.fail(w, err)
		return
	}
	apiWriteJSON(w, http.StatusOK, map[string]string{"acked": id})
}

func (h *apiHandler) listSilences(w http.ResponseWriter, _ *http.Request) {
	ss := h.api.Silences()
	if ss == nil {
		ss = []Silence{}
	}
	apiWriteJSON(w, http.StatusOK, map[string][]Silence{"silences": ss})
}

// addSilence answers POST /api/alerts/silences. Matchers are checked
// here so a bad one is named; whatever else the engine refuses is a 400.
func (h *apiHandler) addSilence(w http.ResponseWriter, r *http.Request) {
	body, ok := h.body(w, r)
	if !ok {
		return
	}
	s, err := apiDecodeSilence(body, h.cfg.now())
	if err != nil {
		h.fail(w, err)
		return
	}
	stored, err := h.api.AddSilence(r.Context(), s)
	switch {
	case err == nil:
		apiWriteJSON(w, http.StatusCreated, stored)
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrClosed):
		h.fail(w, err)
	default:
		apiWriteJSON(w, http.StatusBadRequest, apiErrorBody{Error: err.Error()})
	}
}

// apiDecodeSilence reads a silence body: matchers (required), starts_at
// (default now), and ends_at or duration (one of them required),
// created_by (required) and comment.
func apiDecodeSilence(body []byte, now time.Time) (Silence, error) {
	var (
		d   apiReader
		s   Silence
		dur = time.Duration(-1) // -1: not given
	)
	d.body(body, func(k, p string, v json.RawMessage) bool {
		switch k {
		case "matchers":
			d.strs(p, v, &s.Matchers)
		case "starts_at":
			d.time(p, v, &s.StartsAt)
		case "ends_at":
			d.time(p, v, &s.EndsAt)
		case "duration":
			d.duration(p, v, &dur)
		case "created_by":
			d.str(p, v, &s.CreatedBy)
		case "comment":
			d.str(p, v, &s.Comment)
		default:
			return false
		}
		return true
	})
	if d.err == nil {
		apiCheckSilence(&d, &s, dur, now)
	}
	return s, d.result()
}

// apiCheckSilence checks a decoded silence and fills in its times; dur
// is -1 when not given.
func apiCheckSilence(d *apiReader, s *Silence, dur time.Duration, now time.Time) {
	apiCheckMatchers(d, s.Matchers)
	if s.StartsAt.IsZero() {
		s.StartsAt = now
	}
	switch {
	case dur >= 0 && !s.EndsAt.IsZero():
		d.fail("duration", "give ends_at or duration, not both")
	case dur == 0:
		d.fail("duration", "must be longer than 0s")
	case dur > 0:
		s.EndsAt = s.StartsAt.Add(dur)
	case s.EndsAt.IsZero():
		d.fail("ends_at", "is required, or duration")
	case !s.EndsAt.After(s.StartsAt):
		d.fail("ends_at", "must be after starts_at")
	}
	if strings.TrimSpace(s.CreatedBy) == "" {
		d.fail("created_by", "is required: who creates the silence")
	}
}

// apiCheckMatchers checks a silence's matchers: each must parse, and one
// at least must not match the empty value, else the silence would mute
// every alert (the engine refuses such a silence, as Alertmanager does).
func apiCheckMatchers(d *apiReader, ms []string) {
	selective := false
	for i, m := range ms {
		parsed, err := parseMatchers([]string{m})
		if err != nil {
			d.fail("matchers["+strconv.Itoa(i)+"]", `must be a matcher such as name="v", name!="v", name=~"re" or name!~"re"`)
		}
		for _, p := range parsed {
			selective = selective || !p.Matches("")
		}
	}
	if !selective {
		d.fail("matchers", `needs a matcher that does not match the empty value, such as alertname="HighErrors"`)
	}
}

func (h *apiHandler) expireSilence(w http.ResponseWriter, r *http.Request) {
	if err := h.api.ExpireSilence(r.Context(), r.PathValue("id")); err != nil {
		h.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
