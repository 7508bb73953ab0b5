package o2server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// traceless drops the trace_id member so answers compare byte for byte.
func traceless(t testing.TB, body []byte) string {
	t.Helper()
	s := string(body)
	i := strings.Index(s, `,"trace_id":"`)
	require.GreaterOrEqual(t, i, 0, s)
	return s[:i] + "}"
}

// The answer shapes of §4.3: sample times in whole seconds, values as Rust
// float strings, the trace_id last.
func TestPromShapes(t *testing.T) {
	c := newTestServer(t)
	at := testNow.Add(-30 * time.Second)
	c.ingestSamples(
		sample{name: "temp", labels: map[string]string{"room": "a"}, at: at, value: 1},
		sample{name: "temp", labels: map[string]string{"room": "b"}, at: at, value: 0.5},
		sample{name: "temp", labels: map[string]string{"room": "c"}, at: at, value: 1e21},
		sample{name: "temp", labels: map[string]string{"room": "d"}, at: at, value: 1e-7},
	)
	now, ts := unix(testNow), unix(testNow)
	for _, tc := range []struct{ name, endpoint, query, want string }{
		{"vector", "query", `temp`, `{"status":"success","data":{"resultType":"vector","result":[` +
			`{"metric":{"__name__":"temp","room":"c"},"value":[` + ts + `,"1000000000000000000000"]},` +
			`{"metric":{"__name__":"temp","room":"a"},"value":[` + ts + `,"1"]},` +
			`{"metric":{"__name__":"temp","room":"b"},"value":[` + ts + `,"0.5"]},` +
			`{"metric":{"__name__":"temp","room":"d"},"value":[` + ts + `,"0.0000001"]}]}}`},
		{"scalar", "query", `1.5 * 2`, `{"status":"success","data":{"resultType":"scalar","result":[` + ts + `,"3"]}}`},
		{"infinity", "query", `temp{room="a"} / 0`, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"room":"a"},"value":[` + ts + `,"inf"]}]}}`},
		{"nan", "query", `scalar(temp{room="a"}) - scalar(temp{room="a"}) / 0 * 0`, `{"status":"success","data":{"resultType":"scalar","result":[` + ts + `,"NaN"]}}`},
		{"empty", "query", `nothing_here`, `{"status":"success","data":{"resultType":"vector","result":[]}}`},
		{"range vector at an instant", "query", `temp{room="a"}[5m]`, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"temp","room":"a"},"value":[` + unix(at) + `,"1"]}]}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := c.prom(tc.endpoint, "query", tc.query, "time", now)
			require.Equal(t, http.StatusOK, r.status, r.text())
			assert.Equal(t, "application/json", r.header.Get("Content-Type"))
			assert.Equal(t, tc.want, traceless(t, r.body))
		})
	}
}

func TestPromRangeShapes(t *testing.T) {
	c := newTestServer(t)
	start := testNow.Add(-2 * time.Minute)
	r, _ := c.prom("query_range", "query", "7", "start", unix(start), "end", unix(testNow), "step", "1m")
	require.Equal(t, http.StatusOK, r.status, r.text())
	want := `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[` +
		unix(start) + `,"7"],[` + unix(start.Add(time.Minute)) + `,"7"],[` + unix(testNow) + `,"7"]]}]}}`
	assert.Equal(t, want, traceless(t, r.body))

	r, _ = c.prom("query_range", "query", "absent_metric", "start", unix(start), "end", unix(testNow))
	assert.Equal(t, `{"status":"success","data":{"resultType":"matrix","result":[]}}`, traceless(t, r.body))

	r, pr := c.prom("query_range", "query", "7", "start", unix(testNow), "end", unix(testNow))
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "scalar", pr.Data.ResultType, "a range query over one instant is an instant query")
}

// Steps are picked, raised, rounded and aligned as the server does.
func TestPromRangeSteps(t *testing.T) {
	c := newTestServer(t)
	c.ingestSamples(counterSeries("g", nil, testNow, 10*time.Second, 400, 1)...)
	end := testNow.Add(-7 * time.Second)
	for _, tc := range []struct {
		name, start, step string
		points            int
		first             time.Time
	}{
		{"bare seconds", unix(end.Add(-10 * time.Minute)), "60", 11, end.Add(-10 * time.Minute).Truncate(time.Minute)},
		{"combined units", unix(end.Add(-15 * time.Minute)), "1m30s", 11, end.Add(-15 * time.Minute).Truncate(90 * time.Second)},
		{"picked from the range", unix(end.Add(-64 * time.Minute)), "", 257, end.Add(-64 * time.Minute).Truncate(15 * time.Second)},
		{"zero picks too", unix(end.Add(-64 * time.Minute)), "0", 257, end.Add(-64 * time.Minute).Truncate(15 * time.Second)},
		{"raised to a second", unix(end.Add(-5 * time.Second)), "100ms", 6, end.Add(-5 * time.Second)},
		{"few points are not aligned", unix(end.Add(-2 * time.Minute)), "1m", 3, end.Add(-2 * time.Minute)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			params := []string{"query", "g", "start", tc.start, "end", unix(end)}
			if tc.step != "" {
				params = append(params, "step", tc.step)
			}
			r, pr := c.prom("query_range", params...)
			require.Equal(t, http.StatusOK, r.status, r.text())
			res := pr.series(t)
			require.Len(t, res, 1)
			assert.Len(t, res[0].Values, tc.points)
			assert.Equal(t, unix(tc.first), res[0].Values[0][0])
		})
	}
}

func TestPromPostForm(t *testing.T) {
	c := newTestServer(t)
	c.ingestSamples(sample{name: "up", labels: map[string]string{"job": "a"}, at: testNow, value: 1})
	form := url.Values{"query": {"up"}, "time": {unix(testNow)}}.Encode()
	r := c.post(promBase+"query", form, "Content-Type", "application/x-www-form-urlencoded")
	require.Equal(t, http.StatusOK, r.status, r.text())
	assert.Contains(t, r.text(), `"value":[`+unix(testNow)+`,"1"]`)

	// Without a Content-Type the auth layer makes it a form post.
	r = c.post(promBase+"query", form)
	require.Equal(t, http.StatusOK, r.status, r.text())

	// A form without query leaves the query string in charge, whole.
	r = c.post(promBase+"query?query=up%2B1&time="+unix(testNow), "time=1", "Content-Type", "application/x-www-form-urlencoded")
	require.Equal(t, http.StatusOK, r.status, r.text())
	assert.Contains(t, r.text(), `"value":[`+unix(testNow)+`,"2"]`)

	r = c.postJSON(promBase+"query_range", `{"query":"up"}`)
	assert.Equal(t, http.StatusUnsupportedMediaType, r.status)
	assert.Equal(t, "Form requests must have `Content-Type: application/x-www-form-urlencoded`", r.text())

	r = c.post(promBase+"query_range", "query=up&query=down", "Content-Type", "application/x-www-form-urlencoded")
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Equal(t, "Failed to deserialize form body: duplicate field `query`", r.text())

	r = c.do(http.MethodGet, promBase+"query_range?query=up&use_cache=1", nil)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "Failed to deserialize query string: use_cache: provided string was not `true` or `false`", r.text())
}

// Matchers filter rows as the server's SQL predicates do.
func TestPromMatchers(t *testing.T) {
	c := newTestServer(t)
	for _, l := range []map[string]string{{"env": "prod", "az": "1"}, {"env": "prod-eu", "az": "2"}, {"env": "dev"}} {
		c.ingestSamples(sample{name: "reqs", labels: l, at: testNow, value: 1})
	}
	for q, n := range map[string]int{
		`reqs`: 3, `reqs{env="prod"}`: 1, `reqs{env!="prod"}`: 2, `reqs{env=~"prod.*"}`: 2, `reqs{env=~"prod"}`: 1,
		`reqs{env!~"prod.*"}`: 1, `reqs{az!="1"}`: 1, `reqs{az=""}`: 0, `reqs{nolabel="x"}`: 3, `{__name__="reqs"}`: 3,
		`{__name__=~"re.s"}`: 3,
	} {
		r, pr := c.prom("query", "query", q, "time", unix(testNow))
		require.Equal(t, http.StatusOK, r.status, r.text())
		assert.Len(t, pr.series(t), n, q)
	}
}

// A sample exactly five minutes old is still seen, as the server sees it.
func TestPromLookback(t *testing.T) {
	c := newTestServer(t)
	c.ingestSamples(sample{name: "old", at: testNow.Add(-5 * time.Minute), value: 4})
	_, pr := c.prom("query", "query", "old", "time", unix(testNow))
	assert.Len(t, pr.series(t), 1)
	_, pr = c.prom("query", "query", "old", "time", unix(testNow.Add(time.Second)))
	assert.Empty(t, pr.series(t))
}

func TestPromTraceIDHeader(t *testing.T) {
	c := newTestServer(t)
	id := "0123456789abcdef0123456789abcdef"
	r := c.do(http.MethodGet, promBase+"query?query=1", nil, "x-openobserve-trace-id", id)
	assert.Contains(t, r.text(), `"trace_id":"`+id+`"`)
	r = c.do(http.MethodGet, promBase+"query?query=1", nil, "x-openobserve-trace-id", strings.Repeat("0", 32))
	assert.NotContains(t, r.text(), strings.Repeat("0", 32))
}

func TestPromErrorText(t *testing.T) {
	assert.Equal(t, msgTimeout, promErrorText(context.DeadlineExceeded))
	assert.Equal(t, msgTimeout, promErrorText(promql.ErrQueryTimeout("query timed out in query execution")))
	assert.Equal(t, msgCanceled, promErrorText(promql.ErrQueryCanceled("x")))
	assert.Equal(t, errNoMetricName.msg, promErrorText(fmt.Errorf("wrapped: %w", errNoMetricName)))
	assert.Equal(t, "Execution error: boom", promErrorText(errors.New("boom")))
}

// A timeout the server's duration parser panics on drops the connection.
func TestPromTimeoutPanicDrops(t *testing.T) {
	c := newTestServer(t)
	req, err := http.NewRequest(http.MethodGet, c.base+promBase+"query?query=1&timeout=1s1m", nil)
	require.NoError(t, err)
	req.SetBasicAuth(c.user, c.pass)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err)
	r, _ := c.prom("query", "query", "1", "timeout", "30s")
	assert.Equal(t, http.StatusOK, r.status)
}

// Thousands of samples: six hours of 15 s samples for 4 series, queried
// over five hours with a 5 minute step.
func TestPromManySamples(t *testing.T) {
	c := newTestServer(t)
	seedMany(c, 4, 1440)
	began := time.Now()
	r, pr := c.prom("query_range", "query", `sum by (shard) (rate(work_total[5m]))`,
		"start", unix(testNow.Add(-5*time.Hour)), "end", unix(testNow), "step", "5m")
	require.Equal(t, http.StatusOK, r.status, r.text())
	res := pr.series(t)
	require.Len(t, res, 4)
	assert.Len(t, res[0].Values, 5*12+1)
	assert.InDelta(t, 1.0/15, num(t, res[0].Values[10][1]), 1e-9)
	t.Logf("5760 samples, range query took %v", time.Since(began))
}

// seedMany ingests n samples of a counter rising by one every 15 s for
// each of the shards, in batches.
func seedMany(c *tclient, shards, n int) {
	for s := range shards {
		lbls := map[string]string{"shard": strconv.Itoa(s), "host": "h" + strconv.Itoa(s%3)}
		all := counterSeries("work_total", lbls, testNow, 15*time.Second, n, 1)
		for len(all) > 0 {
			k := min(len(all), 2000)
			c.ingestSamples(all[:k]...)
			all = all[k:]
		}
	}
}

func BenchmarkPromQueryRange(b *testing.B) {
	c := newTestServer(b)
	seedMany(c, 8, 5760)
	path := promBase + "query_range?" + url.Values{
		"query": {`sum by (shard) (rate(work_total[5m]))`}, "start": {unix(testNow.Add(-23 * time.Hour))},
		"end": {unix(testNow)}, "step": {"5m"},
	}.Encode()
	for b.Loop() {
		if r := c.do(http.MethodGet, path, nil); r.status != http.StatusOK {
			b.Fatal(r.text())
		}
	}
}
