package alerting

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"time"
)

// alertAPI is what the HTTP API needs of the engine. Every method may be
// called concurrently, once per request.
type alertAPI interface {
	Rules() []Rule
	AddRule(ctx context.Context, group string, r Rule) (Rule, error)
	UpdateRule(ctx context.Context, id string, r Rule) (Rule, error)
	DeleteRule(ctx context.Context, id string) error
	Alerts(f AlertFilter) []Alert
	Ack(ctx context.Context, id string, a Ack) error
	Silences() []Silence
	AddSilence(ctx context.Context, s Silence) (Silence, error)
	ExpireSilence(ctx context.Context, id string) error
	TestReceiver(ctx context.Context, name string) error
}

// HandlerOption configures the HTTP API returned by [Engine.Handler].
type HandlerOption interface{ applyHandler(*apiConfig) }

type apiOptionFunc func(*apiConfig)

func (f apiOptionFunc) applyHandler(c *apiConfig) { f(c) }

type apiConfig struct {
	auth    func(http.Handler) http.Handler
	maxBody int64
	now     func() time.Time
	report  func(error) // nil: unreported
}

// apiDefaultMaxBody is the default of [WithMaxBody].
const apiDefaultMaxBody = 1 << 20

// WithAuth puts the service's own authentication middleware in front of
// every route, including the answers for unknown paths and methods.
// Default none: mount the handler where only trusted callers reach it.
// A nil mw keeps the default.
func WithAuth(mw func(http.Handler) http.Handler) HandlerOption {
	return apiOptionFunc(func(c *apiConfig) { c.auth = mw })
}

// WithMaxBody sets the largest request body in bytes; larger ones get 413.
// Default 1 MiB; values below 1 keep the default.
func WithMaxBody(n int64) HandlerOption {
	return apiOptionFunc(func(c *apiConfig) { c.maxBody = n })
}

// apiClock sets the clock a silence's default start and its duration are
// counted from. Default time.Now; the engine passes its own clock.
func apiClock(now func() time.Time) HandlerOption {
	return apiOptionFunc(func(c *apiConfig) { c.now = now })
}

// apiReport sets where the causes of 500 answers go, which the answers
// leave out. Default nowhere; the engine passes its error handler.
func apiReport(f func(error)) HandlerOption {
	return apiOptionFunc(func(c *apiConfig) { c.report = f })
}

// newAPI returns the handler serving the alerting HTTP API over a:
//
//	GET    /api/alerts/rules             {"rules": [rule, ...]}
//	POST   /api/alerts/rules             a rule → 201 with the stored rule
//	GET    /api/alerts/rules/{id}        the rule, or 404
//	PUT    /api/alerts/rules/{id}        a rule replacing it → 200 with the stored rule
//	DELETE /api/alerts/rules/{id}        204
//	GET    /api/alerts?state=firing,pending&severity=critical   {"alerts": [alert, ...]}
//	POST   /api/alerts/{id}/ack          {"by": ..., "comment": ...} → 200 {"acked": id}
//	GET    /api/alerts/silences          {"silences": [silence, ...]}
//	POST   /api/alerts/silences          a silence → 201 with the stored silence
//	DELETE /api/alerts/silences/{id}     expires it → 204
//	POST   /api/alerts/receivers/{name}/test   sends a test notification → 200, 404 or 502
//
// Mount the handler on both "/api/alerts" and "/api/alerts/" (or on "/"):
// the alert list is the bare path.
//
// Rule IDs may hold "/" (the default ID is "group/name"). Clients escape
// the ID as one path segment (url.PathEscape: "shop%2FHighErrors"), which
// reaches any ID; "shop/HighErrors" unescaped reaches the same rule, but
// an ID with empty, "." or ".." segments sent that way is redirected to
// its cleaned path, as http.ServeMux does.
//
// POST and PUT bodies must be application/json (else 415) and at most
// [WithMaxBody] bytes (else 413). Every error is a JSON object {"error":
// ..., "field": ...}, field naming the JSON field or query parameter at
// fault when there is one: 400 for bad input, 404 for an unknown rule,
// alert or silence, 405 (with Allow) for a method a path does not serve,
// 503 after the engine shut down, 500 for anything else, without its
// details.
func newAPI(a alertAPI, opts ...HandlerOption) http.Handler {
	cfg := apiConfig{maxBody: apiDefaultMaxBody, now: time.Now}
	for _, o := range opts {
		if o != nil {
			o.applyHandler(&cfg)
		}
	}
	if cfg.maxBody < 1 {
		cfg.maxBody = apiDefaultMaxBody
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	h := &apiHandler{api: a, cfg: cfg, mux: http.NewServeMux()}
	h.routes()
	if cfg.auth != nil {
		return cfg.auth(h)
	}
	return h
}

type apiHandler struct {
	api alertAPI
	cfg apiConfig
	mux *http.ServeMux
}

func (h *apiHandler) routes() {
	h.mux.HandleFunc("GET /api/alerts/rules", h.listRules)
	h.mux.HandleFunc("POST /api/alerts/rules", h.addRule)
	h.mux.HandleFunc("GET /api/alerts/rules/{id...}", h.getRule)
	h.mux.HandleFunc("PUT /api/alerts/rules/{id...}", h.updateRule)
	h.mux.HandleFunc("DELETE /api/alerts/rules/{id...}", h.deleteRule)
	h.mux.HandleFunc("GET /api/alerts", h.listAlerts)
	h.mux.HandleFunc("POST /api/alerts/{id}/ack", h.ack)
	h.mux.HandleFunc("GET /api/alerts/silences", h.listSilences)
	h.mux.HandleFunc("POST /api/alerts/silences", h.addSilence)
	h.mux.HandleFunc("DELETE /api/alerts/silences/{id}", h.expireSilence)
	h.mux.HandleFunc("POST /api/alerts/receivers/{name}/test", h.testReceiver)
	// Without this, PUT or DELETE of the bare path is redirected to
	// ".../rules/" and reaches the {id...} routes with an empty ID.
	h.mux.HandleFunc("/api/alerts/rules", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Allow", "GET, HEAD, POST")
		apiWriteJSON(w, http.StatusMethodNotAllowed, apiErrorBody{Error: http.StatusText(http.StatusMethodNotAllowed)})
	})
}

// ServeHTTP routes r, answering unknown paths (404) and methods (405) in
// JSON like every other error.
func (h *apiHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := h.mux.Handler(r); pattern != "" {
		h.mux.ServeHTTP(w, r)
		return
	}
	// No route: the mux answers 404, 405 with Allow, or a redirect to the
	// cleaned path with Location.
	c := apiCapture{header: http.Header{}}
	h.mux.ServeHTTP(&c, r)
	for _, k := range []string{"Allow", "Location"} {
		if v := c.header.Get(k); v != "" {
			w.Header().Set(k, v)
		}
	}
	if c.status == http.StatusNotFound || c.status == http.StatusMethodNotAllowed {
		apiWriteJSON(w, c.status, apiErrorBody{Error: http.StatusText(c.status)})
		return
	}
	w.WriteHeader(c.status)
}

// apiCapture keeps the status and headers the mux answers an unmatched
// request with, dropping its plain-text body.
type apiCapture struct {
	header http.Header
	status int
}

func (c *apiCapture) Header() http.Header         { return c.header }
func (c *apiCapture) WriteHeader(status int)      { c.status = status }
func (c *apiCapture) Write(b []byte) (int, error) { return len(b), nil }

// apiErrorBody is the body of every error answer.
type apiErrorBody struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

// apiWriteJSON answers status with v as JSON, or a bare 500 when v cannot
// be encoded, rather than a 200 with a truncated body.
func apiWriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// fail answers err: 400 naming the field for bad input or an invalid
// rule, 404 for an unknown ID, 503 after shutdown, else a bare 500, whose
// cause goes to the engine's error report instead.
func (h *apiHandler) fail(w http.ResponseWriter, err error) {
	var in *apiInputError
	var re *RuleError
	switch {
	case errors.As(err, &in):
		apiWriteJSON(w, http.StatusBadRequest, apiErrorBody{Error: in.Error(), Field: in.Field})
	case errors.As(err, &re):
		apiWriteJSON(w, http.StatusBadRequest, apiErrorBody{Error: re.Error(), Field: re.Field})
	case errors.Is(err, ErrNotFound):
		apiWriteJSON(w, http.StatusNotFound, apiErrorBody{Error: err.Error()})
	case errors.Is(err, ErrClosed):
		apiWriteJSON(w, http.StatusServiceUnavailable, apiErrorBody{Error: ErrClosed.Error()})
	default:
		if h.cfg.report != nil {
			h.cfg.report(err)
		}
		apiWriteJSON(w, http.StatusInternalServerError, apiErrorBody{Error: "internal error"})
	}
}

// body returns the request body of a POST or PUT, or answers 415 for a
// body that is not JSON and 413 for one over the limit.
func (h *apiHandler) body(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		apiWriteJSON(w, http.StatusUnsupportedMediaType, apiErrorBody{Error: "Content-Type must be application/json"})
		return nil, false
	}
	b, err := apiReadBody(w, r, h.cfg.maxBody)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			apiWriteJSON(w, http.StatusRequestEntityTooLarge, apiErrorBody{Error: "body exceeds " + strconv.FormatInt(h.cfg.maxBody, 10) + " bytes"})
			return nil, false
		}
		apiWriteJSON(w, http.StatusBadRequest, apiErrorBody{Error: "reading the body failed", Field: "body"})
		return nil, false
	}
	return b, true
}
