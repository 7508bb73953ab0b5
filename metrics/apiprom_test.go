package metrics

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
)

// promRegistry exports orders_total three times, a minute apart, to a dev
// server, and returns the registry and the server.
func promRegistry(t *testing.T, opts ...o2kit.Option) (*Registry, *o2server.Server) {
	t.Helper()
	c, srv, _ := devClient(t, opts...)
	now := pinned().Add(-2 * time.Minute)
	r, err := NewRegistry(c, WithInterval(-1), WithClock(func() time.Time { return now }))
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	orders := Must(r.CounterVec(Desc{Name: "orders_total", Labels: []string{"status"}}))
	for range 3 {
		orders.With("paid").Add(5)
		orders.With("failed").Inc()
		require.NoError(t, r.Flush(t.Context()))
		now = now.Add(time.Minute)
	}
	require.NoError(t, c.Flush(t.Context()))
	return r, srv
}

func TestQueryHandlerAsksOpenObserve(t *testing.T) {
	r, _ := promRegistry(t)
	api := r.API()
	at := fmt.Sprint(pinned().Unix())

	code, out := call(t, api, "GET", "/api/metrics/query?"+url.Values{"query": {`orders_total{status="paid"}`}, "time": {at}}.Encode(), "")
	require.Equal(t, http.StatusOK, code, out)
	assert.Equal(t, "vector", out["type"])
	assert.Equal(t, []any{map[string]any{
		"labels":  map[string]any{"__name__": "orders_total", "status": "paid"},
		"samples": []any{[]any{float64(pinned().UnixMilli()), 15.0}},
	}}, stripLabels(out["series"], "__name__", "status"))

	start := fmt.Sprint(pinned().Add(-2 * time.Minute).Unix())
	for _, step := range []string{"60", "1m"} {
		q := url.Values{"query": {`sum(orders_total)`}, "start": {start}, "end": {at}, "step": {step}}
		code, out = call(t, api, "GET", "/api/metrics/query?"+q.Encode(), "")
		require.Equal(t, http.StatusOK, code, out)
		assert.Equal(t, "matrix", out["type"])
		series := out["series"].([]any)
		require.Len(t, series, 1)
		assert.Len(t, series[0].(map[string]any)["samples"], 3, step)
	}

	code, out = call(t, api, "GET", "/api/metrics/query?query=1%2B2&time="+at, "")
	require.Equal(t, http.StatusOK, code, out)
	assert.Equal(t, "scalar", out["type"])
	assert.Equal(t, []any{float64(pinned().UnixMilli()), 3.0}, out["scalar"])

	code, out = call(t, api, "GET", "/api/metrics/query?query=sum(", "")
	assert.Equal(t, http.StatusBadRequest, code, "the server's refusal")
	assert.Equal(t, "bad_data", out["type"])
	for _, bad := range []string{"time=soon", "start=soon", "start=1&end=soon", "start=1&step=x", "start=1&step=-1s"} {
		code, out = call(t, api, "GET", "/api/metrics/query?query=up&"+bad, "")
		assert.Equal(t, http.StatusBadRequest, code, bad)
		assert.NotEmpty(t, out["error"], bad)
	}
}

// stripLabels keeps only the named labels of each series, so the test
// does not depend on the fields the server adds.
func stripLabels(series any, keep ...string) []any {
	var out []any
	for _, s := range series.([]any) {
		m := s.(map[string]any)
		ls := map[string]any{}
		for _, k := range keep {
			if v, ok := m["labels"].(map[string]any)[k]; ok {
				ls[k] = v
			}
		}
		out = append(out, map[string]any{"labels": ls, "samples": m["samples"]})
	}
	return out
}

func TestSeriesHandlerAsksOpenObserve(t *testing.T) {
	r, _ := promRegistry(t)
	api := r.API()
	q := url.Values{"match[]": {`orders_total{status="paid"}`, `orders_total`}, "from": {fmt.Sprint(pinned().Add(-time.Hour).Unix())}}
	code, out := call(t, api, "GET", "/api/metrics/series?"+q.Encode(), "")
	require.Equal(t, http.StatusOK, code, out)
	var statuses []string
	for _, s := range out["series"].([]any) {
		statuses = append(statuses, s.(map[string]any)["status"].(string))
	}
	assert.ElementsMatch(t, []string{"paid", "failed"}, statuses, "both selectors, each set once")

	code, out = call(t, api, "GET", "/api/metrics/series?match[]=nothing_here", "")
	require.Equal(t, http.StatusOK, code, out)
	assert.Equal(t, []any{}, out["series"])

	for _, bad := range []string{"to=soon", "from=soon"} {
		code, _ = call(t, api, "GET", "/api/metrics/series?match[]=up&"+bad, "")
		assert.Equal(t, http.StatusBadRequest, code, bad)
	}
	code, out = call(t, api, "GET", "/api/metrics/series?match[]=%7B", "")
	assert.Equal(t, http.StatusBadRequest, code, out)
}

func TestPromHandlersFailures(t *testing.T) {
	r, srv := promRegistry(t, o2kit.WithMaxRetries(0))
	api := r.API()
	for _, c := range []struct {
		fault  o2server.Fault
		target string
		why    string
	}{
		{o2server.Fault{Status: http.StatusServiceUnavailable, Body: "busy"}, "/api/metrics/query?query=up", "the server's trouble, not the caller's"},
		{o2server.Fault{Status: http.StatusUnauthorized, Body: "Unauthorized Access"}, "/api/metrics/series?match[]=up", "the registry's credentials, not the caller's"},
		{o2server.Fault{Drop: true}, "/api/metrics/query?query=up", "no answer"},
	} {
		srv.SetFaultFunc(func(*http.Request) (o2server.Fault, bool) { return c.fault, true })
		code, out := call(t, api, "GET", c.target, "")
		assert.Equal(t, http.StatusBadGateway, code, c.why)
		assert.NotEmpty(t, out["error"], c.why)
	}
	srv.SetFaultFunc(nil)

	local := newReg(t).API()
	code, out := call(t, local, "GET", "/api/metrics/query?query=up", "")
	assert.Equal(t, http.StatusNotImplemented, code, out)
	code, _ = call(t, local, "GET", "/api/metrics/series?match[]=up", "")
	assert.Equal(t, http.StatusNotImplemented, code)
}
