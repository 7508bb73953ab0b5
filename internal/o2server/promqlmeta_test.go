package o2server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// metaData decodes the data of a metadata answer.
func metaData[T any](t testing.TB, r *tresp) T {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, r.text())
	var body struct {
		Status string `json:"status"`
		Data   T      `json:"data"`
	}
	require.NoError(t, json.Unmarshal(r.body, &body))
	assert.Equal(t, "success", body.Status)
	assert.NotContains(t, r.text(), "trace_id")
	return body.Data
}

func seedMeta(c *tclient) {
	at := testNow.Add(-time.Minute)
	c.ingestSamples(
		sample{name: "up", labels: map[string]string{"job": "api", "instance": "a:1"}, at: at, value: 1},
		sample{name: "up", labels: map[string]string{"job": "api", "instance": "a:2"}, at: at, value: 0},
		sample{name: "up", labels: map[string]string{"job": "db", "instance": "d:1"}, at: at, value: 1},
		sample{name: "up", labels: map[string]string{"job": "db", "instance": "d:1"}, at: at.Add(15 * time.Second), value: 1},
		sample{name: "disk_free", labels: map[string]string{"mount": "/"}, at: at, value: 5},
	)
}

func TestPromSeries(t *testing.T) {
	c := newTestServer(t)
	seedMeta(c)
	r, _ := c.prom("series", "match[]", `up{job="db"}`)
	got := metaData[[]map[string]string](t, r)
	assert.Equal(t, []map[string]string{{"__name__": "up", "job": "db", "instance": "d:1"}}, got)
	assert.Contains(t, r.text(), `{"__name__":"up","instance":"d:1","job":"db"}`, "fields in schema order")

	r, _ = c.prom("series", "match[]", `up{instance=~"a"}`)
	assert.Len(t, metaData[[]map[string]string](t, r), 2, "re_match finds the pattern anywhere")
	r, _ = c.prom("series", "match[]", `up{missing="x"}`)
	assert.Len(t, metaData[[]map[string]string](t, r), 3, "matchers on absent fields are dropped")
	r, _ = c.prom("series", "match[]", `up`, "start", unix(testNow.Add(-time.Hour)), "end", unix(testNow.Add(-30*time.Minute)))
	assert.Empty(t, metaData[[]map[string]string](t, r))
	r, _ = c.prom("series")
	assert.Equal(t, `{"status":"success","data":[]}`, r.text(), "no metric name, no series")

	// A form with any field replaces the query string.
	r = c.post(promBase+"series?match[]=disk_free", "match[]="+url.QueryEscape(`up{job="db"}`), "Content-Type", "application/x-www-form-urlencoded")
	assert.Len(t, metaData[[]map[string]string](t, r), 1)
	assert.Contains(t, r.text(), `"job":"db"`)
}

func TestPromLabels(t *testing.T) {
	c := newTestServer(t)
	seedMeta(c)
	r, _ := c.prom("labels")
	assert.Equal(t, []string{"__name__", "instance", "job", "mount"}, metaData[[]string](t, r))
	r, _ = c.prom("labels", "match[]", "disk_free")
	assert.Equal(t, []string{"__name__", "mount"}, metaData[[]string](t, r))
	r, _ = c.prom("labels", "start", unix(testNow.Add(time.Hour)), "end", unix(testNow.Add(2*time.Hour)))
	assert.Empty(t, metaData[[]string](t, r))
}

func TestPromLabelValues(t *testing.T) {
	c := newTestServer(t)
	seedMeta(c)
	r, _ := c.prom("label/__name__/values")
	assert.Equal(t, []string{"disk_free", "up"}, metaData[[]string](t, r))
	r, _ = c.prom("label/job/values", "match[]", "up")
	assert.Equal(t, []string{"api", "db"}, metaData[[]string](t, r))
	r, _ = c.prom("label/instance/values", "match[]", `up{job!="db"}`)
	assert.Equal(t, []string{"a:1", "a:2"}, metaData[[]string](t, r))
	r, _ = c.prom("label/job/values")
	assert.Empty(t, metaData[[]string](t, r), "values of a label need a metric name")
	r, _ = c.prom("label/nope/values", "match[]", "up")
	assert.Empty(t, metaData[[]string](t, r))
}

func TestPromMetaErrors(t *testing.T) {
	c := newTestServer(t)
	for _, tc := range []struct{ endpoint, match, msg string }{
		{"series", `{job="x"}`, "match[] argument must start with a metric name, e.g. `match[]=up`"},
		{"labels", `up offset 5m`, "match[]: unexpected offset modifier"},
		{"label/job/values", `up @ 100`, "match[]: unexpected @ modifier"},
		{"series", `rate(up[5m])`, "vector selector expected"},
	} {
		r, pr := c.prom(tc.endpoint, "match[]", tc.match)
		require.Equal(t, http.StatusBadRequest, r.status, r.text())
		assert.Equal(t, "bad_data", pr.ErrorType)
		assert.Equal(t, tc.msg, pr.Error)
		assert.Empty(t, pr.TraceID)
	}
	r, pr := c.prom("series", "match[]", "up{")
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, pr.Error, "parse promql error: ")
	r, pr = c.prom("labels", "start", "soon")
	require.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "invalid time format [string]", pr.Error)
	r = c.do(http.MethodGet, promBase+"series?match[]=up&match[]=down", nil)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "Failed to deserialize query string: duplicate field `match[]`", r.text())
	r = c.do(http.MethodPost, promBase+"label/job/values", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, r.status)
}
