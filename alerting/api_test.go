package alerting

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// apiFake is an alertAPI whose methods call its function fields; a nil
// field answers with zero values.
type apiFake struct {
	rules         func() []Rule
	addRule       func(ctx context.Context, group string, r Rule) (Rule, error)
	updateRule    func(ctx context.Context, id string, r Rule) (Rule, error)
	deleteRule    func(ctx context.Context, id string) error
	alerts        func(f AlertFilter) []Alert
	ack           func(ctx context.Context, id string, a Ack) error
	silences      func() []Silence
	addSilence    func(ctx context.Context, s Silence) (Silence, error)
	expireSilence func(ctx context.Context, id string) error
	testReceiver  func(ctx context.Context, name string) error
}

func (f *apiFake) TestReceiver(ctx context.Context, name string) error {
	if f.testReceiver == nil {
		return nil
	}
	return f.testReceiver(ctx, name)
}

var _ alertAPI = (*apiFake)(nil)

func (f *apiFake) Rules() []Rule {
	if f.rules == nil {
		return nil
	}
	return f.rules()
}

func (f *apiFake) AddRule(ctx context.Context, group string, r Rule) (Rule, error) {
	if f.addRule == nil {
		return r, nil
	}
	return f.addRule(ctx, group, r)
}

func (f *apiFake) UpdateRule(ctx context.Context, id string, r Rule) (Rule, error) {
	if f.updateRule == nil {
		return r, nil
	}
	return f.updateRule(ctx, id, r)
}

func (f *apiFake) DeleteRule(ctx context.Context, id string) error {
	if f.deleteRule == nil {
		return nil
	}
	return f.deleteRule(ctx, id)
}

func (f *apiFake) Alerts(af AlertFilter) []Alert {
	if f.alerts == nil {
		return nil
	}
	return f.alerts(af)
}

func (f *apiFake) Ack(ctx context.Context, id string, a Ack) error {
	if f.ack == nil {
		return nil
	}
	return f.ack(ctx, id, a)
}

func (f *apiFake) Silences() []Silence {
	if f.silences == nil {
		return nil
	}
	return f.silences()
}

func (f *apiFake) AddSilence(ctx context.Context, s Silence) (Silence, error) {
	if f.addSilence == nil {
		return s, nil
	}
	return f.addSilence(ctx, s)
}

func (f *apiFake) ExpireSilence(ctx context.Context, id string) error {
	if f.expireSilence == nil {
		return nil
	}
	return f.expireSilence(ctx, id)
}

// apiDo serves one request; a body is sent as application/json.
func apiDo(t *testing.T, h http.Handler, method, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// apiBody decodes a JSON answer.
func apiBody(t *testing.T, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	var out map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out), w.Body.String())
	return out
}

// apiRoutes is one good request per route.
var apiRoutes = []struct{ method, target, body string }{
	{"GET", "/api/alerts/rules", ""},
	{"POST", "/api/alerts/rules", `{"alert": "A", "expr": "up == 0"}`},
	{"GET", "/api/alerts/rules/api/A", ""},
	{"PUT", "/api/alerts/rules/api/A", `{"alert": "A", "expr": "up == 0"}`},
	{"DELETE", "/api/alerts/rules/api/A", ""},
	{"GET", "/api/alerts?state=firing", ""},
	{"POST", "/api/alerts/f00d/ack", `{"by": "ana"}`},
	{"GET", "/api/alerts/silences", ""},
	{"POST", "/api/alerts/silences", `{"matchers": ["a=\"b\""], "duration": "1h", "created_by": "ana"}`},
	{"DELETE", "/api/alerts/silences/s1", ""},
	{"POST", "/api/alerts/receivers/ops/test", ""},
}

func TestAPIEveryRouteAnswers(t *testing.T) {
	h := newAPI(&apiFake{rules: func() []Rule { return []Rule{{ID: "api/A", Name: "A"}} }})
	for _, rt := range apiRoutes {
		w := apiDo(t, h, rt.method, rt.target, rt.body)
		assert.Less(t, w.Code, 300, "%s %s: %s", rt.method, rt.target, w.Body)
	}
}

// WithAuth's middleware sees every request, and what it refuses never
// reaches the engine, whatever the route, path or method.
func TestAPIAuthGuardsEveryRoute(t *testing.T) {
	engine := &apiFake{}
	calls := 0
	engine.rules = func() []Rule { calls++; return nil }
	engine.alerts = func(AlertFilter) []Alert { calls++; return nil }
	engine.silences = func() []Silence { calls++; return nil }
	engine.addRule = func(context.Context, string, Rule) (Rule, error) { calls++; return Rule{}, nil }
	engine.updateRule = func(context.Context, string, Rule) (Rule, error) { calls++; return Rule{}, nil }
	engine.deleteRule = func(context.Context, string) error { calls++; return nil }
	engine.ack = func(context.Context, string, Ack) error { calls++; return nil }
	engine.addSilence = func(context.Context, Silence) (Silence, error) { calls++; return Silence{}, nil }
	engine.expireSilence = func(context.Context, string) error { calls++; return nil }
	seen := 0
	auth := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen++
			if r.Header.Get("Authorization") != "Bearer ok" {
				http.Error(w, "no", http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	h := newAPI(engine, WithAuth(auth))
	extra := []struct{ method, target, body string }{{"PATCH", "/api/alerts/rules", ""}, {"GET", "/api/alerts/nowhere/x", ""}}
	for _, rt := range append(apiRoutes, extra...) {
		w := apiDo(t, h, rt.method, rt.target, rt.body)
		assert.Equal(t, http.StatusUnauthorized, w.Code, "%s %s", rt.method, rt.target)
	}
	assert.Equal(t, len(apiRoutes)+len(extra), seen)
	assert.Zero(t, calls)

	r := httptest.NewRequest("GET", "/api/alerts/rules", nil)
	r.Header.Set("Authorization", "Bearer ok")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, 1, calls)
}

func TestAPIUnknownPathAndMethodAnswerJSON(t *testing.T) {
	h := newAPI(&apiFake{})
	w := apiDo(t, h, "PATCH", "/api/alerts/rules", "")
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
	assert.Equal(t, "GET, HEAD, POST", w.Header().Get("Allow"))
	assert.Equal(t, "Method Not Allowed", apiBody(t, w)["error"])

	w = apiDo(t, h, "POST", "/api/alerts/silences/s1", `{}`)
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
	assert.Equal(t, "DELETE", w.Header().Get("Allow"))

	w = apiDo(t, h, "GET", "/api/alerts/x/y/z", "")
	assert.Equal(t, http.StatusNotFound, w.Code)
	assert.Equal(t, "Not Found", apiBody(t, w)["error"])

	w = apiDo(t, h, "POST", "/api/alerts//ack", `{"by": "ana"}`)
	assert.Equal(t, http.StatusTemporaryRedirect, w.Code, "the mux's redirect to the cleaned path")
	assert.Equal(t, "/api/alerts/ack", w.Header().Get("Location"))
}

// apiBrokenBody fails mid-read, as a dropped connection does.
type apiBrokenBody struct{}

func (apiBrokenBody) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestAPIBodyThatBreaksOff(t *testing.T) {
	h := newAPI(&apiFake{}, apiClock(nil))
	r := httptest.NewRequest("POST", "/api/alerts/f00d/ack", apiBrokenBody{})
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Equal(t, map[string]any{"error": "reading the body failed", "field": "body"}, apiBody(t, w))
}

// Every POST and PUT takes only JSON, and only up to the body limit.
func TestAPIBodyChecks(t *testing.T) {
	h := newAPI(&apiFake{}, WithMaxBody(64))
	for _, rt := range apiRoutes {
		if rt.body == "" {
			continue
		}
		r := httptest.NewRequest(rt.method, rt.target, strings.NewReader(rt.body))
		r.Header.Set("Content-Type", "text/plain")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		assert.Equal(t, http.StatusUnsupportedMediaType, w.Code, rt.target)

		r = httptest.NewRequest(rt.method, rt.target, strings.NewReader(rt.body))
		w = httptest.NewRecorder()
		h.ServeHTTP(w, r)
		assert.Equal(t, http.StatusUnsupportedMediaType, w.Code, "no Content-Type: %s", rt.target)

		big := `{"comment": "` + strings.Repeat("x", 100) + `"}`
		w = apiDo(t, h, rt.method, rt.target, big)
		assert.Equal(t, http.StatusRequestEntityTooLarge, w.Code, rt.target)
		assert.Equal(t, "body exceeds 64 bytes", apiBody(t, w)["error"])

		for _, bad := range []string{`{"by": `, `[1]`, `null`, `{} x`, `"s"`} {
			w = apiDo(t, h, rt.method, rt.target, bad)
			assert.Equal(t, http.StatusBadRequest, w.Code, "%s %q", rt.target, bad)
			assert.Equal(t, "body", apiBody(t, w)["field"], "%s %q", rt.target, bad)
		}
	}
	r := httptest.NewRequest("POST", "/api/alerts/f00d/ack", strings.NewReader(`{"by": "ana"}`))
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	assert.Equal(t, http.StatusOK, w.Code, "parameters of the media type are fine")
}

func TestAPIDefaultMaxBodyIsOneMiB(t *testing.T) {
	for _, opt := range []HandlerOption{nil, WithMaxBody(0), WithMaxBody(-3)} {
		h := newAPI(&apiFake{}, opt)
		body := `{"by": "ana", "comment": "` + strings.Repeat("x", 1<<20) + `"}`
		assert.Equal(t, http.StatusRequestEntityTooLarge, apiDo(t, h, "POST", "/api/alerts/f/ack", body).Code)
		body = `{"by": "ana", "comment": "` + strings.Repeat("x", 1<<20-40) + `"}`
		assert.Equal(t, http.StatusOK, apiDo(t, h, "POST", "/api/alerts/f/ack", body).Code)
	}
}

// Engine errors map to statuses; an unexpected one says nothing of
// itself, so internals (a path, a credential in a URL) never leak.
func TestAPIEngineErrors(t *testing.T) {
	cases := []struct {
		err    error
		status int
		text   string
	}{
		{&RuleError{Rule: "api/A", Field: "expr", Err: errors.New("bad")}, 400, `alerting: rule "api/A", field "expr": bad`},
		{ErrNotFound, 404, "alerting: not found"},
		{ErrClosed, 503, "alerting: engine is shut down"},
		{errors.New("dial https://user:secret@db: refused"), 500, "internal error"},
	}
	for _, c := range cases {
		var reported []error
		h := newAPI(&apiFake{deleteRule: func(context.Context, string) error { return c.err }},
			apiReport(func(err error) { reported = append(reported, err) }))
		w := apiDo(t, h, "DELETE", "/api/alerts/rules/api/A", "")
		assert.Equal(t, c.status, w.Code)
		assert.Equal(t, c.text, apiBody(t, w)["error"])
		assert.NotContains(t, w.Body.String(), "secret")
		if c.status == 500 {
			assert.Equal(t, []error{c.err}, reported, "the cause is kept for the operator")
		} else {
			assert.Empty(t, reported)
		}
	}
	h := newAPI(&apiFake{deleteRule: func(context.Context, string) error { return errors.New("x") }})
	assert.Equal(t, 500, apiDo(t, h, "DELETE", "/api/alerts/rules/api/A", "").Code, "no report set")
}

func TestAPIWriteJSONRefusesToTruncate(t *testing.T) {
	w := httptest.NewRecorder()
	apiWriteJSON(w, http.StatusOK, map[string]any{"c": make(chan int)})
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.JSONEq(t, `{"error": "internal error"}`, w.Body.String())
}

// Mounted as its doc says, on a service's own mux, every route is reached.
func TestAPIMountedOnServiceMux(t *testing.T) {
	h := newAPI(&apiFake{rules: func() []Rule { return []Rule{{ID: "api/A", Name: "A"}} }})
	mux := http.NewServeMux()
	mux.Handle("/api/alerts", h)
	mux.Handle("/api/alerts/", h)
	for _, rt := range apiRoutes {
		w := apiDo(t, mux, rt.method, rt.target, rt.body)
		assert.Less(t, w.Code, 300, "%s %s: %s", rt.method, rt.target, w.Body)
	}
}
