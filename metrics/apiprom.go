package metrics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// errNoClient answers PromQL requests to a registry made without a client.
var errNoClient = errors.New("PromQL needs the registry's OpenObserve client, and it has none")

// promQuery answers GET /api/metrics/query?query=... with [Query], or
// with [QueryRange] when start is given, through the registry's client.
func (r *Registry) promQuery(ctx context.Context, w http.ResponseWriter, q url.Values) {
	if r.client == nil {
		apiError(w, http.StatusNotImplemented, errNoClient)
		return
	}
	pt, err := readPromTimes(q, r.cfg.now())
	if err != nil {
		apiError(w, http.StatusBadRequest, err)
		return
	}
	var res *QueryResult
	if pt.start.IsZero() {
		res, err = Query(ctx, r.client, q.Get("query"), pt.at)
	} else {
		res, err = QueryRange(ctx, r.client, q.Get("query"), pt.start, pt.end, pt.step)
	}
	if err != nil {
		promError(w, err)
		return
	}
	out := promAnswer{Type: res.Type, Series: []promSeriesJSON{}, TraceID: res.TraceID}
	if res.Type == "scalar" {
		out.Scalar = &[2]jsonFloat{jsonFloat(res.Scalar.T), jsonFloat(res.Scalar.V)}
	}
	for _, s := range res.Series {
		out.Series = append(out.Series, promSeriesJSON{Labels: s.Metric, Samples: samplesJSON(s.Samples)})
	}
	apiJSON(w, http.StatusOK, out)
}

// promTimes are the times of a PromQL request; a zero start means an
// instant query at at (zero: the server's now).
type promTimes struct {
	at, start, end time.Time
	step           time.Duration
}

// readPromTimes reads time, or start, end (default now) and step (a
// duration or whole seconds; empty lets the server choose).
func readPromTimes(q url.Values, now time.Time) (promTimes, error) {
	var pt promTimes
	var err error
	if pt.at, err = timeParam(q, "time", time.Time{}); err != nil {
		return pt, err
	}
	if pt.start, err = timeParam(q, "start", time.Time{}); err != nil || pt.start.IsZero() {
		return pt, err
	}
	if pt.end, err = timeParam(q, "end", now); err != nil {
		return pt, err
	}
	v := q.Get("step")
	if v == "" {
		return pt, nil
	}
	if pt.step, err = time.ParseDuration(v); err != nil {
		secs, perr := strconv.ParseInt(v, 10, 64)
		pt.step, err = time.Duration(secs)*time.Second, perr
	}
	if err != nil || pt.step <= 0 {
		return pt, fmt.Errorf("step %q: want a positive duration such as 15s", v)
	}
	return pt, nil
}

// timeParam reads the parameter k as Unix seconds or RFC 3339, or
// returns def when it is missing.
func timeParam(q url.Values, k string, def time.Time) (time.Time, error) {
	v := q.Get(k)
	if v == "" {
		return def, nil
	}
	ms, err := parseTime(v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", k, err)
	}
	return time.UnixMilli(ms), nil
}

// promSeries answers GET /api/metrics/series?match[]=... with
// [QuerySeries] through the registry's client, from from to to (default
// the last hour).
func (r *Registry) promSeries(ctx context.Context, w http.ResponseWriter, q url.Values) {
	if r.client == nil {
		apiError(w, http.StatusNotImplemented, errNoClient)
		return
	}
	to, err := timeParam(q, "to", r.cfg.now())
	if err != nil {
		apiError(w, http.StatusBadRequest, err)
		return
	}
	from, err := timeParam(q, "from", to.Add(-time.Hour))
	if err != nil {
		apiError(w, http.StatusBadRequest, err)
		return
	}
	sets, err := QuerySeries(ctx, r.client, from, to, q["match[]"]...)
	if err != nil {
		promError(w, err)
		return
	}
	if sets == nil {
		sets = []map[string]string{}
	}
	apiJSON(w, http.StatusOK, promSetsAnswer{Series: sets})
}

// promError passes the server's refusal on: 400 when the request was bad
// (400 or 422 from the server), else 502, since a 401 or a 5xx is about
// the registry's client, not the caller.
func promError(w http.ResponseWriter, err error) {
	var qe *QueryError
	if !errors.As(err, &qe) {
		apiError(w, http.StatusBadGateway, err)
		return
	}
	code := http.StatusBadGateway
	if qe.StatusCode == http.StatusBadRequest || qe.StatusCode == http.StatusUnprocessableEntity {
		code = http.StatusBadRequest
	}
	apiJSON(w, code, map[string]string{"error": err.Error(), "type": qe.Type})
}

type promAnswer struct {
	Type    string           `json:"type"`
	Series  []promSeriesJSON `json:"series"`
	Scalar  *[2]jsonFloat    `json:"scalar,omitempty"`
	TraceID string           `json:"trace_id,omitempty"`
}

type promSeriesJSON struct {
	Labels  map[string]string `json:"labels"`
	Samples [][2]jsonFloat    `json:"samples"`
}

type promSetsAnswer struct {
	Series []map[string]string `json:"series"`
}
