package o2server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const promBase = "/api/default/prometheus/api/v1/"

// sample is one metrics JSON sample for ingestion.
type sample struct {
	name   string
	labels map[string]string
	at     time.Time
	value  float64
}

// ingestSamples posts samples to /ingest/metrics/_json as a client would.
func (c *tclient) ingestSamples(samples ...sample) {
	c.t.Helper()
	recs := make([]map[string]any, 0, len(samples))
	for _, s := range samples {
		rec := map[string]any{"__name__": s.name, "_timestamp": s.at.UnixMilli(), "value": s.value}
		for k, v := range s.labels {
			rec[k] = v
		}
		recs = append(recs, rec)
	}
	b, err := json.Marshal(recs)
	require.NoError(c.t, err)
	r := c.postJSON("/api/default/ingest/metrics/_json", string(b))
	require.Equal(c.t, http.StatusOK, r.status, r.text())
}

// counterSeries returns a counter rising by step every interval over n
// samples, the last at end.
func counterSeries(name string, lbls map[string]string, end time.Time, interval time.Duration, n int, step float64) []sample {
	out := make([]sample, n)
	for i := range n {
		out[i] = sample{name: name, labels: lbls, at: end.Add(-time.Duration(n-1-i) * interval), value: float64(i) * step}
	}
	return out
}

// promResp is a decoded PromQL answer.
type promResp struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
	TraceID   string `json:"trace_id"`
	Data      promData
}

// promData is the data of a query answer.
type promData struct {
	ResultType string          `json:"resultType"`
	Result     json.RawMessage `json:"result"`
}

// UnmarshalJSON leaves the data of metadata answers, which are arrays, out.
func (d *promData) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] != '{' {
		return nil
	}
	type plain promData
	return json.Unmarshal(b, (*plain)(d))
}

// promSeriesResult is a vector or matrix element.
type promSeriesResult struct {
	Metric map[string]string `json:"metric"`
	Value  point             `json:"value"`
	Values []point           `json:"values"`
}

// point is a [seconds, "value"] pair as text.
type point [2]string

// UnmarshalJSON reads the time as written and unquotes the value.
func (p *point) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || len(raw) != 2 {
		return fmt.Errorf("bad point %s: %v", b, err)
	}
	p[0] = string(raw[0])
	return json.Unmarshal(raw[1], &p[1])
}

// prom sends a GET with the parameters as name, value pairs.
func (c *tclient) prom(endpoint string, params ...string) (*tresp, promResp) {
	c.t.Helper()
	v := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		v.Add(params[i], params[i+1])
	}
	r := c.do(http.MethodGet, promBase+endpoint+"?"+v.Encode(), nil)
	var pr promResp
	if strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		require.NoError(c.t, json.Unmarshal(r.body, &pr), r.text())
	}
	return r, pr
}

// series decodes a vector or matrix result.
func (p promResp) series(t testing.TB) []promSeriesResult {
	t.Helper()
	var out []promSeriesResult
	require.NoError(t, json.Unmarshal(p.Data.Result, &out))
	return out
}

func num(t testing.TB, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err)
	return f
}

func unix(tm time.Time) string { return strconv.FormatInt(tm.Unix(), 10) }

func TestPromInstantRate(t *testing.T) {
	c := newTestServer(t)
	c.ingestSamples(counterSeries("http_requests_total", map[string]string{"job": "api", "code": "200"}, testNow, 15*time.Second, 41, 10)...)
	c.ingestSamples(counterSeries("http_requests_total", map[string]string{"job": "api", "code": "500"}, testNow, 15*time.Second, 41, 1)...)
	r, pr := c.prom("query", "query", `rate(http_requests_total[5m])`, "time", unix(testNow))
	require.Equal(t, http.StatusOK, r.status, r.text())
	assert.Equal(t, "success", pr.Status)
	assert.Equal(t, "vector", pr.Data.ResultType)
	assert.Len(t, pr.TraceID, 32)
	res := pr.series(t)
	require.Len(t, res, 2)
	assert.Equal(t, map[string]string{"job": "api", "code": "200"}, res[0].Metric, "largest value first")
	assert.Equal(t, unix(testNow), res[0].Value[0])
	assert.InDelta(t, 10.0/15, num(t, res[0].Value[1]), 1e-9)
	assert.InDelta(t, 1.0/15, num(t, res[1].Value[1]), 1e-9)
}

func TestPromRangeQuery(t *testing.T) {
	c := newTestServer(t)
	c.ingestSamples(counterSeries("jobs_done", map[string]string{"queue": "a"}, testNow, 15*time.Second, 41, 10)...)
	c.ingestSamples(counterSeries("jobs_done", map[string]string{"queue": "b"}, testNow, 15*time.Second, 41, 20)...)
	start := testNow.Add(-5 * time.Minute)
	r, pr := c.prom("query_range", "query", `increase(jobs_done[2m])`, "start", unix(start), "end", unix(testNow), "step", "1m")
	require.Equal(t, http.StatusOK, r.status, r.text())
	assert.Equal(t, "matrix", pr.Data.ResultType)
	res := pr.series(t)
	require.Len(t, res, 2)
	assert.Equal(t, map[string]string{"queue": "a"}, res[0].Metric, "sorted by labels")
	require.Len(t, res[0].Values, 6)
	for i, p := range res[0].Values {
		assert.Equal(t, unix(start.Add(time.Duration(i)*time.Minute)), p[0])
		assert.InDelta(t, 80.0, num(t, p[1]), 1e-9)
	}
	assert.InDelta(t, 160.0, num(t, res[1].Values[0][1]), 1e-9)
}

func TestPromSumBy(t *testing.T) {
	c := newTestServer(t)
	for _, l := range []map[string]string{
		{"svc": "a", "pod": "1"}, {"svc": "a", "pod": "2"}, {"svc": "b", "pod": "3"},
	} {
		c.ingestSamples(sample{name: "mem_bytes", labels: l, at: testNow.Add(-time.Minute), value: 100})
	}
	r, pr := c.prom("query", "query", `sum by (svc) (mem_bytes)`, "time", unix(testNow))
	require.Equal(t, http.StatusOK, r.status, r.text())
	want := `[{"metric":{"svc":"a"},"value":[` + unix(testNow) + `,"200"]},{"metric":{"svc":"b"},"value":[` + unix(testNow) + `,"100"]}]`
	assert.JSONEq(t, want, string(pr.Data.Result))
	assert.Equal(t, want, string(pr.Data.Result), "exact bytes")
}

func TestPromHistogramQuantile(t *testing.T) {
	c := newTestServer(t)
	// 100 observations: 50 under 0.1, 40 more under 0.5, 10 more under 1.
	buckets := map[string]float64{"0.1": 50, "0.5": 90, "1": 100, "+Inf": 100}
	for _, at := range []time.Time{testNow.Add(-5 * time.Minute), testNow} {
		for le, n := range buckets {
			v := n
			if at.Equal(testNow) {
				v = 2 * n
			}
			c.ingestSamples(sample{name: "req_seconds_bucket", labels: map[string]string{"le": le, "route": "/x"}, at: at, value: v})
		}
	}
	r, pr := c.prom("query", "query", `histogram_quantile(0.9, sum by (le) (rate(req_seconds_bucket[10m])))`, "time", unix(testNow))
	require.Equal(t, http.StatusOK, r.status, r.text())
	res := pr.series(t)
	require.Len(t, res, 1)
	assert.Empty(t, res[0].Metric)
	assert.InDelta(t, 0.5, num(t, res[0].Value[1]), 1e-9)
}

func TestPromParamErrors(t *testing.T) {
	c := newTestServer(t)
	now := unix(testNow)
	for _, tc := range []struct {
		name     string
		endpoint string
		params   []string
		msg      string
		traced   bool
	}{
		{"float step", "query_range", []string{"query", "up", "start", now, "end", now, "step", "15.5"}, "Invalid time format: .", true},
		{"negative step", "query_range", []string{"query", "up", "start", now, "end", now, "step", "-1"}, "Invalid time format: -", true},
		{"unknown unit", "query_range", []string{"query", "up", "start", now, "end", now, "step", "10z"}, "Invalid time format: z", true},
		{"bad start", "query_range", []string{"query", "up", "start", "yesterday", "end", now}, "invalid time format [string]", true},
		{"bad end", "query_range", []string{"query", "up", "start", now, "end", "2026-13-01T00:00:00Z"}, "invalid time format [string]", true},
		{"bad time", "query", []string{"query", "up", "time", "noon"}, "invalid time format [string]", false},
		{"empty time", "query", []string{"query", "up", "time", ""}, "invalid time format [string]", false},
		{"end before start", "query_range", []string{"query", "up", "start", now, "end", unix(testNow.Add(-time.Hour))}, "invalid result type: ", true},
		{"too many points", "query_range", []string{"query", "up", "start", "1", "end", now, "step", "1"}, msgTooManyPoints, true},
		{"string result", "query", []string{"query", `"hello"`}, "invalid result type: string", true},
		{"no metric name", "query", []string{"query", `{job="x"}`}, "Error during planning: VectorSelector: metric name is required", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, pr := c.prom(tc.endpoint, tc.params...)
			require.Equal(t, http.StatusBadRequest, r.status, r.text())
			assert.Equal(t, "application/json", r.header.Get("Content-Type"))
			assert.Equal(t, "error", pr.Status)
			assert.Equal(t, "bad_data", pr.ErrorType)
			assert.Equal(t, tc.msg, pr.Error)
			assert.Equal(t, tc.traced, pr.TraceID != "", r.text())
		})
	}
}

func TestPromBadQuery(t *testing.T) {
	c := newTestServer(t)
	for _, q := range []string{"rate(", "", "sum by (x"} {
		r, pr := c.prom("query", "query", q)
		require.Equal(t, http.StatusBadRequest, r.status, r.text())
		assert.True(t, strings.HasPrefix(pr.Error, "Execution error: "), pr.Error)
		assert.Len(t, pr.TraceID, 32)
	}
}

func TestPromAuth(t *testing.T) {
	c := newTestServer(t)
	anon := *c
	anon.user, anon.pass = "", ""
	r := anon.do(http.MethodGet, promBase+"query?query=up", nil)
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.JSONEq(t, `{"code":401,"message":"Unauthorized Access"}`, r.text())
	wrong := *c
	wrong.pass = "nope"
	r = wrong.do(http.MethodGet, promBase+"query_range?query=up", nil)
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Equal(t, "Unauthorized Access", r.text())
	passcode := *c
	passcode.pass = c.s.Passcode(c.user)
	r = passcode.do(http.MethodGet, promBase+"query?query=up", nil)
	assert.Equal(t, http.StatusUnauthorized, r.status, "passcodes work on ingestion routes only")
	token := *c
	token.user, token.pass = "default", c.s.IngestionToken("default")
	r = token.do(http.MethodGet, promBase+"query?query=up", nil)
	assert.Equal(t, http.StatusUnauthorized, r.status, "org tokens work on ingestion routes only")
	r = c.do(http.MethodGet, "/api/nowhere/prometheus/api/v1/query?query=up", nil)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Equal(t, "Organization not found", r.text())
}
