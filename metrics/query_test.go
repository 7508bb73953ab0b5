package metrics

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeProm answers the documented shapes and keeps the queries it saw.
type fakeProm struct {
	mu   sync.Mutex
	seen []*http.Request
	body map[string]string // by path suffix
	code int
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
	hs := httptest.NewServer(f)
	defer hs.Close()
	api := PromAPI{Endpoint: hs.URL, Org: "caddy-shopping", User: "u@x.io", Password: "p"}
	start, end := time.Unix(1700000000, 900_000_000), time.Unix(1700000600, 0)

	m, err := QueryRange(t.Context(), api, `rate(up[5m])`, start, end, 15*time.Second)
	require.NoError(t, err)
	assert.Equal(t, "matrix", m.Type)
	assert.Equal(t, []ResultSeries{{Metric: map[string]string{"__name__": "up", "job": "shop"},
		Samples: []Sample{{T: 1700000000000, V: 1.5}, {T: 1700000015000, V: 2}}}}, m.Series)
	assert.Equal(t, "t1", m.TraceID)

	v, err := Query(t.Context(), api, `up`, end)
	require.NoError(t, err)
	assert.Equal(t, Sample{T: 1700000000000, V: 0.5}, v.Series[0].Samples[0])

	s, err := QuerySeries(t.Context(), api, start, end, `up`, `down`)
	require.NoError(t, err)
	assert.Equal(t, []map[string]string{{"__name__": "up", "job": "shop"}}, s)

	require.Len(t, f.seen, 3)
	r := f.seen[0]
	assert.Equal(t, "/api/caddy-shopping/prometheus/api/v1/query_range", r.URL.Path)
	assert.Equal(t, url.Values{"query": {"rate(up[5m])"}, "start": {"1700000000"}, "end": {"1700000600"}, "step": {"15s"}}, r.URL.Query(),
		"integer seconds and a duration step")
	user, pass, ok := r.BasicAuth()
	assert.True(t, ok)
	assert.Equal(t, "u@x.io:p", user+":"+pass)
	assert.Equal(t, "1700000600", f.seen[1].URL.Query().Get("time"))
	assert.Equal(t, []string{"up", "down"}, f.seen[2].URL.Query()["match[]"])
	assert.Equal(t, "250ms", stepParam(250*time.Millisecond))
}

func TestQueryScalarAndErrors(t *testing.T) {
	f := &fakeProm{body: map[string]string{"/query": `{"status":"success","data":{"resultType":"scalar","result":[1700000000,"3"]}}`}}
	hs := httptest.NewServer(f)
	defer hs.Close()
	res, err := Query(t.Context(), PromAPI{Endpoint: hs.URL}, `1+2`, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, Sample{T: 1700000000000, V: 3}, res.Scalar)
	assert.Empty(t, f.seen[0].URL.Query().Get("time"), "no time: the server's now")
	assert.Equal(t, "/api/default/prometheus/api/v1/query", f.seen[0].URL.Path)

	f.code = http.StatusBadRequest
	f.body["/query"] = `{"status":"error","errorType":"bad_data","error":"parse error","trace_id":"t9"}`
	_, err = Query(t.Context(), PromAPI{Endpoint: hs.URL}, `rate(`, time.Time{})
	var qe *QueryError
	require.ErrorAs(t, err, &qe)
	assert.Equal(t, QueryError{StatusCode: 400, Type: "bad_data", Message: "parse error", TraceID: "t9"}, *qe)

	f.code = http.StatusUnauthorized
	f.body["/query"] = `Unauthorized Access`
	_, err = Query(t.Context(), PromAPI{Endpoint: hs.URL}, `up`, time.Time{})
	require.ErrorAs(t, err, &qe)
	assert.Equal(t, 401, qe.StatusCode)
	assert.Contains(t, err.Error(), "Unauthorized Access")

	_, err = Query(t.Context(), PromAPI{}, `up`, time.Time{})
	assert.Error(t, err)
}

func TestPromAPIFromEnv(t *testing.T) {
	t.Setenv("OPENOBSERVE_URL", "http://o2:5080")
	t.Setenv("OPENOBSERVE_ORG", "shop")
	t.Setenv("OPENOBSERVE_USER", "a@b.c")
	t.Setenv("OPENOBSERVE_TOKEN", "")
	t.Setenv("OPENOBSERVE_PASSWORD", "pw")
	assert.Equal(t, PromAPI{Endpoint: "http://o2:5080", Org: "shop", User: "a@b.c", Password: "pw"}, PromAPIFromEnv())
}

func TestExportThenQueryTheDevServer(t *testing.T) {
	c, srv, _, url := devClient(t)
	now := pinned().Add(-2 * time.Minute)
	r, err := NewRegistry(c, WithInterval(-1), WithClock(func() time.Time { return now }))
	require.NoError(t, err)
	defer r.Close()
	orders := Must(r.CounterVec(Desc{Name: "orders_total", Labels: []string{"status"}}))
	for range 3 {
		orders.With("paid").Add(5)
		orders.With("failed").Inc()
		require.NoError(t, r.Flush(t.Context()))
		now = now.Add(time.Minute)
	}
	require.NoError(t, c.Flush(t.Context()))
	user, pass := srv.RootUser()
	api := PromAPI{Endpoint: url, User: user, Password: pass}

	v, err := Query(t.Context(), api, `orders_total{status="paid"}`, pinned())
	require.NoError(t, err)
	require.Equal(t, "vector", v.Type)
	require.Len(t, v.Series, 1)
	assert.Equal(t, "paid", v.Series[0].Metric["status"])
	assert.Equal(t, 15.0, v.Series[0].Samples[0].V)

	m, err := QueryRange(t.Context(), api, `sum(orders_total)`, pinned().Add(-2*time.Minute), pinned(), time.Minute)
	require.NoError(t, err)
	require.Equal(t, "matrix", m.Type)
	require.Len(t, m.Series, 1)
	var got []float64
	for _, s := range m.Series[0].Samples {
		got = append(got, s.V)
	}
	assert.Equal(t, []float64{6, 12, 18}, got)
	assert.Equal(t, pinned().Add(-2*time.Minute).UnixMilli(), m.Series[0].Samples[0].T)

	series, err := QuerySeries(t.Context(), api, pinned().Add(-time.Hour), pinned(), `orders_total`)
	require.NoError(t, err)
	assert.Len(t, series, 2)
}
