package metrics

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// API returns an http.Handler serving the read and ingest endpoints of
// the registry, to mount on a service's mux:
//
//   - POST /api/metrics: [Registry.IngestHandler]
//   - GET /api/metrics/query: [Registry.QueryHandler], window functions
//     over the window store, or PromQL through the registry's client
//   - GET /api/metrics/series: [Registry.SeriesHandler], the same two ways
//
// The PromQL forms read OpenObserve with the client's credentials: mount
// the handler where only trusted callers reach it.
func (r *Registry) API() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /api/metrics", r.IngestHandler())
	mux.Handle("GET /api/metrics/query", r.QueryHandler())
	mux.Handle("GET /api/metrics/series", r.SeriesHandler())
	return mux
}

// QueryHandler answers GET requests that apply a window function to the
// window store:
//
//	?name=orders_total&fn=rate&window=5m&match=status%3D"paid"
//
// name is the metric; fn is sum, avg, min, max, count, last, stddev,
// rate, irate, increase, resets, quantile (with q), slope, forecast (with ahead, a duration), holt (with
// alpha, beta and steps), or zscore, ewma and mad (the anomaly score of
// the last sample); window defaults to 5m; end (Unix seconds or RFC 3339)
// defaults to now; each match is label=value, label!=value, label=~re or
// label!~re. The answer is
// {"fn","window","end","result":[{"name","labels","value"}]}, times in
// Unix milliseconds. Bad parameters get 400 {"error": "..."}.
//
// With a query parameter it asks OpenObserve instead, through the
// registry's client with its credentials (mount it where only trusted
// callers reach it): query is PromQL, evaluated at time ([Query]; default
// the server's now) or, with start, from start to end (default now) every
// step ([QueryRange]; a duration or seconds, default the server's
// choice); times are Unix seconds or RFC 3339. The answer is
// {"type","series":[{"labels","samples":[[ms, value], ...]}],"trace_id"},
// plus "scalar":[ms, value] for a scalar. A query the server refuses gets
// 400 {"error","type"}, other failures 502, and a registry without a
// client 501.
func (r *Registry) QueryHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		q := req.URL.Query()
		if q.Has("query") {
			r.promQuery(req.Context(), w, q)
			return
		}
		f, err := windowFunc(q)
		if err != nil {
			apiError(w, http.StatusBadRequest, err)
			return
		}
		window, end, ms, err := r.selection(q)
		if err != nil {
			apiError(w, http.StatusBadRequest, err)
			return
		}
		if q.Get("name") == "" {
			apiError(w, http.StatusBadRequest, errors.New("name is required"))
			return
		}
		out := queryAnswer{Fn: q.Get("fn"), Window: window.String(), End: end, Result: []queryPoint{}}
		for _, p := range r.store.Eval(f, q.Get("name"), end, window, ms...) {
			out.Result = append(out.Result, queryPoint{Name: p.Name, Labels: labelMap(p.Labels), Value: jsonFloat(p.V)})
		}
		apiJSON(w, http.StatusOK, out)
	})
}

// SeriesHandler answers GET requests for the stored samples of the
// series called name (every metric when empty) that satisfy the match
// parameters (as for [Registry.QueryHandler]) between from and to (Unix
// seconds or RFC 3339; default the last hour):
// {"series":[{"name","labels","samples":[[ms, value], ...]}]}. A NaN or
// infinite sample value is written as null.
//
// With match[] parameters (PromQL selectors such as
// orders_total{status="paid"}) it lists the label sets OpenObserve holds
// between from and to instead, with [QuerySeries] through the registry's
// client: {"series":[{"__name__": ..., label: value, ...}]}. Errors are
// answered as by [Registry.QueryHandler].
func (r *Registry) SeriesHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		q := req.URL.Query()
		if q.Has("match[]") {
			r.promSeries(req.Context(), w, q)
			return
		}
		_, end, ms, err := r.selection(q)
		if err != nil {
			apiError(w, http.StatusBadRequest, err)
			return
		}
		from, err := timeParam(q, "from", time.UnixMilli(end).Add(-time.Hour))
		if err != nil {
			apiError(w, http.StatusBadRequest, err)
			return
		}
		to, err := timeParam(q, "to", time.UnixMilli(end))
		if err != nil {
			apiError(w, http.StatusBadRequest, err)
			return
		}
		out := seriesAnswer{Series: []seriesJSON{}}
		for _, s := range r.store.Select(q.Get("name"), from.UnixMilli(), to.UnixMilli(), ms...) {
			out.Series = append(out.Series, seriesJSON{Name: s.Name, Labels: labelMap(s.Labels), Samples: samplesJSON(s.Samples)})
		}
		apiJSON(w, http.StatusOK, out)
	})
}

type queryAnswer struct {
	Fn     string       `json:"fn"`
	Window string       `json:"window"`
	End    int64        `json:"end"`
	Result []queryPoint `json:"result"`
}

type queryPoint struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels"`
	Value  jsonFloat         `json:"value"`
}

type seriesAnswer struct {
	Series []seriesJSON `json:"series"`
}

type seriesJSON struct {
	Name    string            `json:"name"`
	Labels  map[string]string `json:"labels"`
	Samples [][2]jsonFloat    `json:"samples"`
}

// jsonFloat writes NaN and infinities, which JSON cannot carry, as null.
type jsonFloat float64

// MarshalJSON implements json.Marshaler.
func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// samplesJSON writes samples as [ms, value] pairs.
func samplesJSON(ss []Sample) [][2]jsonFloat {
	out := make([][2]jsonFloat, len(ss))
	for i, p := range ss {
		out[i] = [2]jsonFloat{jsonFloat(p.T), jsonFloat(p.V)}
	}
	return out
}

func labelMap(ls Labels) map[string]string {
	m := make(map[string]string, len(ls))
	for _, l := range ls {
		m[l.Name] = l.Value
	}
	return m
}

// selection reads window, end and match.
func (r *Registry) selection(q map[string][]string) (time.Duration, int64, []Matcher, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	window := 5 * time.Minute
	if v := get("window"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return 0, 0, nil, fmt.Errorf("window %q: want a positive duration such as 5m", v)
		}
		window = d
	}
	end := r.cfg.now().UnixMilli()
	if v := get("end"); v != "" {
		t, err := parseTime(v)
		if err != nil {
			return 0, 0, nil, fmt.Errorf("end: %w", err)
		}
		end = t
	}
	var ms []Matcher
	for _, m := range q["match"] {
		mt, err := parseMatcher(m)
		if err != nil {
			return 0, 0, nil, err
		}
		ms = append(ms, mt)
	}
	return window, end, ms, nil
}

// maxUnixSeconds bounds the Unix seconds parseTime takes, so that their
// milliseconds fit an int64 (about 290 million years).
const maxUnixSeconds = 9e15

// parseTime reads Unix seconds (a fraction allowed) or RFC 3339, and
// returns Unix milliseconds.
func parseTime(v string) (int64, error) {
	if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		if math.Abs(f) > maxUnixSeconds {
			return 0, fmt.Errorf("%q: out of range", v)
		}
		return int64(math.Round(f * 1000)), nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return 0, fmt.Errorf("%q: want Unix seconds or RFC 3339", v)
	}
	return t.UnixMilli(), nil
}

// parseMatcher reads label=value, label!=value, label=~re or label!~re;
// the value may be double-quoted.
func parseMatcher(s string) (Matcher, error) {
	for _, op := range []string{"!=", "=~", "!~", "="} {
		i := strings.Index(s, op)
		if i <= 0 {
			continue
		}
		name, val := s[:i], s[i+len(op):]
		if uq, err := strconv.Unquote(val); err == nil {
			val = uq
		}
		switch op {
		case "=":
			return Equal(name, val), nil
		case "!=":
			return NotEqual(name, val), nil
		case "=~":
			return Regexp(name, val)
		default:
			return NotRegexp(name, val)
		}
	}
	return nil, fmt.Errorf("match %q: want label=value, label!=value, label=~re or label!~re", s)
}

func apiJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, code int, err error) {
	apiJSON(w, code, map[string]string{"error": err.Error()})
}
