package metrics

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
)

// fakeProm answers the documented shapes and keeps the queries it saw.
type fakeProm struct {
	mu   sync.Mutex
	seen []*http.Request
	body map[string]string // by path suffix
	code int
}

// fakeClient returns a client of h on a loopback port, signed in as
// u@x.io in the org caddy-shopping, with no retries.
func fakeClient(t *testing.T, h http.Handler, opts ...o2kit.Option) *o2kit.Client {
	t.Helper()
	hs := httptest.NewServer(h)
	base := []o2kit.Option{o2kit.WithEndpoint(hs.URL), o2kit.WithOrg("caddy-shopping"), o2kit.WithBasicAuth("u@x.io", "p"),
		o2kit.WithMaxRetries(0), o2kit.WithErrorHandler(o2kit.ErrorHandlerFunc(func(err error) { t.Log(err) }))}
	c, err := o2kit.New(append(base, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = c.Shutdown(context.Background())
		hs.Close()
	})
	return c
}

func (f *fakeProm) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.seen = append(f.seen, r)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if f.code != 0 {
		w.WriteHeader(f.code)
	}
	for suffix, b := range f.body {
		if len(r.URL.Path) >= len(suffix) && r.URL.Path[len(r.URL.Path)-len(suffix):] == suffix {
			_, _ = w.Write([]byte(b))
			return
		}
	}
}

func TestQueryAgainstDocumentedShapes(t *testing.T) {
	f := &fakeProm{body: map[string]string{
		"/query_range": `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","job":"shop"},"values":[[1700000000,"1.5"],[1700000015,"2"]]}]},"trace_id":"t1"}`,
		"/query":       `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"shop"},"value":[1700000000,"0.5"]}]},"trace_id":"t2"}`,
		"/series":      `{"status":"success","data":[{"__name__":"up","job":"shop"}]}`,
	}}
	c := fakeClient(t, f)
	start, end := time.Unix(1700000000, 900_000_000), time.Unix(1700000600, 0)

	m, err := QueryRange(t.Context(), c, `rate(up[5m])`, start, end, 15*time.Second)
	require.NoError(t, err)
	assert.Equal(t, "matrix", m.Type)
	assert.Equal(t, []ResultSeries{{Metric: map[string]string{"__name__": "up", "job": "shop"},
		Samples: []Sample{{T: 1700000000000, V: 1.5}, {T: 1700000015000, V: 2}}}}, m.Series)
	assert.Equal(t, "t1", m.TraceID)

	v, err := Query(t.Context(), c, `up`, end)
	require.NoError(t, err)
	assert.Equal(t, Sample{T: 1700000000000, V: 0.5}, v.Series[0].Samples[0])

	s, err := QuerySeries(t.Context(), c, start, end, `up`)
	require.NoError(t, err)
	assert.Equal(t, []map[string]string{{"__name__": "up", "job": "shop"}}, s)

	require.Len(t, f.seen, 3)
	r := f.seen[0]
	assert.Equal(t, http.MethodGet, r.Method)
	assert.Equal(t, "/api/caddy-shopping/prometheus/api/v1/query_range", r.URL.Path, "the client's org")
	assert.Equal(t, url.Values{"query": {"rate(up[5m])"}, "start": {"1700000000"}, "end": {"1700000600"}, "step": {"15s"}}, r.URL.Query(),
		"integer seconds and a duration step")
	user, pass, ok := r.BasicAuth()
	assert.True(t, ok, "the client's credentials")
	assert.Equal(t, "u@x.io:p", user+":"+pass)
	assert.Equal(t, "1700000600", f.seen[1].URL.Query().Get("time"))
	assert.Equal(t, []string{"up"}, f.seen[2].URL.Query()["match[]"])
	assert.Equal(t, "250ms", stepParam(250*time.Millisecond))
}

func TestQueryScalarAndErrors(t *testing.T) {
	f := &fakeProm{body: map[string]string{"/query": `{"status":"success","data":{"resultType":"scalar","result":[1700000000,"3"]}}`}}
	c := fakeClient(t, f, o2kit.WithOrg("default"))
	res, err := Query(t.Context(), c, `1+2`, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, Sample{T: 1700000000000, V: 3}, res.Scalar)
	assert.Empty(t, f.seen[0].URL.Query().Get("time"), "no time: the server's now")
	assert.Equal(t, "/api/default/prometheus/api/v1/query", f.seen[0].URL.Path)

	f.code = http.StatusBadRequest
	f.body["/query"] = `{"status":"error","errorType":"bad_data","error":"parse error","trace_id":"t9"}`
	_, err = Query(t.Context(), c, `rate(`, time.Time{})
	var qe *QueryError
	require.ErrorAs(t, err, &qe)
	assert.Equal(t, QueryError{StatusCode: 400, Type: "bad_data", Message: "parse error", TraceID: "t9"}, *qe)

	f.code = http.StatusUnauthorized
	f.body["/query"] = `Unauthorized Access`
	_, err = Query(t.Context(), c, `up`, time.Time{})
	require.ErrorAs(t, err, &qe)
	assert.Equal(t, 401, qe.StatusCode)
	assert.Contains(t, err.Error(), "Unauthorized Access")

	f.code = 0
	f.body["/query"] = `{"status":"success","data":"not an object"}`
	_, err = Query(t.Context(), c, `up`, time.Time{})
	assert.ErrorContains(t, err, "unreadable data")

	_, err = Query(t.Context(), nil, `up`, time.Time{})
	assert.ErrorContains(t, err, "no client")
	require.NoError(t, c.Shutdown(t.Context()))
	_, err = QueryRange(t.Context(), c, `up`, time.Unix(0, 0), time.Unix(60, 0), 0)
	assert.ErrorIs(t, err, o2kit.ErrClosed, "the client's own errors come through")
}

// TestQueryRetriesThroughTheClient: a 503 from the dev server is retried
// by the client's transport, as its other requests are.
func TestQueryRetriesThroughTheClient(t *testing.T) {
	c, srv, _ := devClient(t, o2kit.WithMaxRetries(2))
	var mu sync.Mutex
	tries := 0
	srv.SetFaultFunc(func(*http.Request) (o2server.Fault, bool) {
		mu.Lock()
		defer mu.Unlock()
		tries++
		return o2server.Fault{Status: http.StatusServiceUnavailable}, tries == 1
	})
	res, err := Query(t.Context(), c, `vector(2)`, pinned())
	require.NoError(t, err)
	assert.Equal(t, 2, tries, "answered at the second try")
	require.Len(t, res.Series, 1)
	assert.Equal(t, 2.0, res.Series[0].Samples[0].V)

	_, err = Query(t.Context(), c, `sum(`, pinned())
	var qe *QueryError
	require.ErrorAs(t, err, &qe, "the dev server's error envelope")
	assert.Equal(t, http.StatusBadRequest, qe.StatusCode)
	assert.Equal(t, "bad_data", qe.Type)
}

// TestExportThenQueryTheDevServer exports three collections of a counter
// vector (see promRegistry) and reads them back with PromQL.
func TestExportThenQueryTheDevServer(t *testing.T) {
	r, _ := promRegistry(t)
	c := r.client

	v, err := Query(t.Context(), c, `orders_total{status="paid"}`, pinned())
	require.NoError(t, err)
	require.Equal(t, "vector", v.Type)
	require.Len(t, v.Series, 1)
	assert.Equal(t, "paid", v.Series[0].Metric["status"])
	assert.Equal(t, 15.0, v.Series[0].Samples[0].V)

	m, err := QueryRange(t.Context(), c, `sum(orders_total)`, pinned().Add(-2*time.Minute), pinned(), time.Minute)
	require.NoError(t, err)
	require.Equal(t, "matrix", m.Type)
	require.Len(t, m.Series, 1)
	var got []float64
	for _, s := range m.Series[0].Samples {
		got = append(got, s.V)
	}
	assert.Equal(t, []float64{6, 12, 18}, got)
	assert.Equal(t, pinned().Add(-2*time.Minute).UnixMilli(), m.Series[0].Samples[0].T)

	series, err := QuerySeries(t.Context(), c, pinned().Add(-time.Hour), pinned(), `orders_total`)
	require.NoError(t, err)
	assert.Len(t, series, 2)
}

// TestQuerySeriesOneMatcherPerRequest: each request carries one match[],
// and label sets found by several selectors are listed once.
func TestQuerySeriesOneMatcherPerRequest(t *testing.T) {
	var mu sync.Mutex
	var matches [][]string
	answers := map[string]string{
		`up`:           `[{"__name__":"up","job":"shop"},{"__name__":"up","job":"db"}]`,
		`up{job="db"}`: `[{"job":"db","__name__":"up"}]`,
		`down`:         `[{"__name__":"down","job":"shop"}]`,
		"":             `[]`,
	} // other selectors get bad_data
	hs := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := r.URL.Query()["match[]"]
		mu.Lock()
		matches = append(matches, m)
		mu.Unlock()
		if len(m) > 1 {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte("Failed to deserialize query string: duplicate field `match[]`"))
			return
		}
		a := answers[r.URL.Query().Get("match[]")]
		if a == "" && len(m) == 1 {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"status":"error","errorType":"bad_data","error":"parse promql error"}`))
			return
		}
		_, _ = w.Write([]byte(`{"status":"success","data":` + a + `}`))
	})
	c := fakeClient(t, hs)
	start, end := time.Unix(1700000000, 0), time.Unix(1700003600, 0)

	got, err := QuerySeries(t.Context(), c, start, end, `up`, `up{job="db"}`, `down`)
	require.NoError(t, err)
	assert.Equal(t, []map[string]string{
		{"__name__": "up", "job": "shop"}, {"__name__": "up", "job": "db"}, {"__name__": "down", "job": "shop"},
	}, got, "in the order first seen, up{job=db} once")
	assert.Equal(t, [][]string{{`up`}, {`up{job="db"}`}, {`down`}}, matches)

	matches = nil
	got, err = QuerySeries(t.Context(), c, start, end)
	require.NoError(t, err)
	assert.Empty(t, got)
	assert.Equal(t, [][]string{nil}, matches, "one request, no match[]")

	matches = nil
	_, err = QuerySeries(t.Context(), c, start, end, `up`, `broken{`, `down`)
	var qe *QueryError
	require.ErrorAs(t, err, &qe)
	assert.Equal(t, "bad_data", qe.Type)
	assert.Len(t, matches, 2, "the failed selector ends the listing")
}

func TestQuerySeriesOnTheDevServer(t *testing.T) {
	c, _, _ := devClient(t)
	r, err := NewRegistry(c, WithInterval(-1), WithClock(pinned))
	require.NoError(t, err)
	defer r.Close()
	orders := Must(r.CounterVec(Desc{Name: "orders_total", Labels: []string{"status"}}))
	orders.With("paid").Inc()
	orders.With("failed").Inc()
	Must(r.Gauge(Desc{Name: "queue_depth"})).Set(3)
	require.NoError(t, r.Flush(t.Context()))
	require.NoError(t, c.Flush(t.Context()))
	start, end := pinned().Add(-time.Hour), pinned().Add(time.Minute)

	q := url.Values{"match[]": {"orders_total", "queue_depth"}}
	resp, err := c.API(t.Context(), o2kit.APIRequest{Path: "prometheus/api/v1/series", Query: q})
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, "the server takes one match[] only")
	assert.Contains(t, string(resp.Body), "duplicate field `match[]`")

	got, err := QuerySeries(t.Context(), c, start, end, `orders_total{status="paid"}`, `orders_total`, `queue_depth`)
	require.NoError(t, err)
	var names []string
	for _, ls := range got {
		names = append(names, ls["__name__"]+"/"+ls["status"])
	}
	assert.ElementsMatch(t, []string{"orders_total/paid", "orders_total/failed", "queue_depth/"}, names)
}
