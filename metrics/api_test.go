package metrics

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func call(t *testing.T, h http.Handler, method, target, body string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, strings.NewReader(body)))
	var out map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out), rec.Body.String())
	return rec.Code, out
}

func TestIngestThenQuery(t *testing.T) {
	r := newReg(t)
	api := r.API()
	base := pinned().Add(-4 * time.Minute).UnixMilli()
	var samples []string
	for i := range 5 {
		samples = append(samples,
			fmt.Sprintf(`{"__name__":"queue_jobs_total","__type__":"counter","queue":"mail","value":%d,"_timestamp":%d}`, 10*i, base+int64(i)*60_000),
			fmt.Sprintf(`{"__name__":"queue_jobs_total","__type__":"COUNTER","queue":"sms","shard":1,"value":%d,"_timestamp":%d}`, i, (base+int64(i)*60_000)*1000))
	}
	code, out := call(t, api, "POST", "/api/metrics", "["+strings.Join(samples, ",")+"]")
	require.Equal(t, http.StatusOK, code, out)
	assert.Equal(t, map[string]any{"accepted": 10.0, "rejected": 0.0}, out)

	code, out = call(t, api, "GET", "/api/metrics/query?name=queue_jobs_total&fn=increase&window=10m&match=queue%3D%22mail%22", "")
	require.Equal(t, http.StatusOK, code, out)
	res := out["result"].([]any)
	require.Len(t, res, 1)
	assert.Equal(t, map[string]any{"name": "queue_jobs_total", "labels": map[string]any{"queue": "mail"}, "value": 40.0}, res[0])
	assert.Equal(t, float64(pinned().UnixMilli()), out["end"])

	code, out = call(t, api, "GET", "/api/metrics/query?name=queue_jobs_total&fn=rate&window=10m&match=queue!~m.*", "")
	require.Equal(t, http.StatusOK, code, out)
	res = out["result"].([]any)
	require.Len(t, res, 1)
	p := res[0].(map[string]any)
	assert.Equal(t, map[string]any{"queue": "sms", "shard": "1"}, p["labels"], "numbers become label strings")
	assert.InDelta(t, 4.0/240, p["value"], 1e-12)

	code, out = call(t, api, "GET", "/api/metrics/series?name=queue_jobs_total&match=queue%3Dsms&from="+fmt.Sprint(base/1000+60), "")
	require.Equal(t, http.StatusOK, code, out)
	series := out["series"].([]any)
	require.Len(t, series, 1)
	s := series[0].(map[string]any)
	assert.Len(t, s["samples"], 4)
	assert.Equal(t, []any{float64(base + 60_000), 1.0}, s["samples"].([]any)[0])

	code, out = call(t, api, "POST", "/api/metrics", `[{"__name__":"queue_jobs_total","queue":"mail","value":1,"_timestamp":1}]`)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, map[string]any{"accepted": 0.0, "rejected": 1.0}, out, "older than the series' newest")
}

func TestIngestValidation(t *testing.T) {
	r := newReg(t)
	h := r.IngestHandler()
	for _, c := range []struct{ body, fault string }{
		{`{"__name__":"x","value":1}`, "want a JSON array"},
		{`null`, "want a JSON array"},
		{`[{"value":1}]`, "sample 0: missing __name__"},
		{`[{"__name__":"Bad-Name","value":1}]`, `sample 0: metrics: invalid name: metric "Bad-Name"`},
		{`[{"__name__":"x"}]`, "sample 0: missing value"},
		{`[{"__name__":"x","value":"1"}]`, "sample 0: missing value, or not a number"},
		{`[{"__name__":"x","value":"NaN"}]`, "sample 0: missing value, or not a number"},
		{`[{"__name__":"x","value":NaN}]`, "want a JSON array"},
		{`[{"__name__":"x","value":1e999}]`, "sample 0: value:"},
		{`[{"__name__":"x","value":1,"__type__":"meter"}]`, "sample 0: __type__ meter"},
		{`[{"__name__":"x","value":1,"__hash__":"1"}]`, `sample 0: metrics: invalid name: label "__hash__"`},
		{`[{"__name__":"x","value":1,"obj":{"a":1}}]`, `sample 0: label "obj": want a string, number or boolean`},
		{`[{"__name__":"x","value":1,"_timestamp":"now"}]`, "sample 0: _timestamp: want a number"},
		{`[{"__name__":"x","value":1,"_timestamp":1e300}]`, "sample 0: _timestamp 1e300: out of range"},
		{`[{"__name__":"ok","value":1},{}]`, "sample 1: missing __name__"},
	} {
		code, out := call(t, h, "POST", "/api/metrics", c.body)
		assert.Equal(t, http.StatusBadRequest, code, c.body)
		assert.Contains(t, out["error"], c.fault, c.body)
	}
	assert.Zero(t, r.Window().Len(), "a bad sample fails the whole request, as OpenObserve does")

	many := "[" + strings.Repeat(`{"__name__":"x","value":1},`, MaxIngestSamples) + `{"__name__":"x","value":1}]`
	code, out := call(t, h, "POST", "/api/metrics", many)
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
	assert.Equal(t, fmt.Sprintf("%d samples, at most %d", MaxIngestSamples+1, MaxIngestSamples), out["error"])
	code, out = call(t, h, "POST", "/api/metrics", `["`+strings.Repeat("a", MaxIngestBytes)+`"]`)
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
	assert.Equal(t, fmt.Sprintf("body over %d bytes", MaxIngestBytes), out["error"])
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/api/metrics", iotest.ErrReader(io.ErrUnexpectedEOF)))
	assert.Equal(t, http.StatusBadRequest, rec.Code, "a body that breaks off is not too large")
	assert.Contains(t, rec.Body.String(), "reading the body: unexpected EOF")
	req := httptest.NewRequest("POST", "/api/metrics", strings.NewReader("\x1f\x8b"))
	req.Header.Set("Content-Encoding", "gzip")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusUnsupportedMediaType, rec.Code)
	assert.Contains(t, rec.Body.String(), `body encoded as \"gzip\" (Content-Encoding): send plain JSON`)
	assert.Zero(t, r.Window().Len())
}

// TestIngestBadSampleLosesNoGoodOne: the good samples of a refused
// request were not half-applied, so sending them again stores each once.
func TestIngestBadSampleLosesNoGoodOne(t *testing.T) {
	r := newReg(t)
	h := r.IngestHandler()
	good := `{"__name__":"queue_depth","queue":"mail","value":3},{"__name__":"queue_depth","queue":"sms","value":4}`
	code, out := call(t, h, "POST", "/api/metrics", `[`+good+`,{"__name__":"queue_depth","value":"x"}]`)
	require.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, out["error"], "sample 2:")
	assert.Zero(t, r.Window().Len())
	code, out = call(t, h, "POST", "/api/metrics", `[`+good+`]`)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, map[string]any{"accepted": 2.0, "rejected": 0.0}, out)
	got := r.Window().Select("queue_depth", 0, pinned().UnixMilli())
	require.Len(t, got, 2)
	assert.Equal(t, []Sample{{T: pinned().UnixMilli(), V: 3}}, got[0].Samples)
	assert.Equal(t, []Sample{{T: pinned().UnixMilli(), V: 4}}, got[1].Samples)
}

func TestIngestForwardsToOpenObserve(t *testing.T) {
	c, srv, _ := devClient(t)
	r, err := NewRegistry(c, WithInterval(-1), WithClock(pinned))
	require.NoError(t, err)
	defer r.Close()
	code, out := call(t, r.IngestHandler(), "POST", "/api/metrics", `[{"__name__":"queue_depth","queue":"mail","value":3}]`)
	require.Equal(t, http.StatusOK, code, out)
	require.NoError(t, c.Flush(t.Context()))
	recs := srv.RecordsOf("default", "metrics", "queue_depth")
	require.Len(t, recs, 1)
	assert.Equal(t, "mail", recs[0]["queue"])
	assert.Equal(t, 3.0, recs[0]["value"])
	assert.Equal(t, pinned().UnixMicro(), recs[0]["_timestamp"])
}

func TestQueryParameters(t *testing.T) {
	r := newReg(t)
	h := r.QueryHandler()
	for _, target := range []string{
		"/?name=x", "/?name=x&fn=nope", "/?fn=sum", "/?name=x&fn=sum&window=-1m", "/?name=x&fn=sum&end=yesterday",
		"/?name=x&fn=sum&match=novalue", "/?name=x&fn=sum&match=a%3D~(", "/?name=x&fn=forecast", "/?name=x&fn=quantile&q=high",
		"/?name=x&fn=quantile&q=NaN", "/?name=x&fn=quantile&q=1.5", "/?name=x&fn=holt&alpha=0", "/?name=x&fn=holt&beta=Inf",
		"/?name=x&fn=sum&end=1e300",
	} {
		code, out := call(t, h, "GET", target, "")
		assert.Equal(t, http.StatusBadRequest, code, target)
		assert.NotEmpty(t, out["error"], target)
	}
	for _, fn := range []string{"sum", "avg", "min", "max", "count", "last", "stddev", "rate", "irate", "increase", "resets", "slope", "quantile&q=0.9", "forecast&ahead=5m", "holt&alpha=0.3", "zscore", "ewma", "mad"} {
		code, _ := call(t, h, "GET", "/?name=x&fn="+fn+"&end=2026-11-25T09:30:00Z", "")
		assert.Equal(t, http.StatusOK, code, fn)
	}
	code, out := call(t, r.SeriesHandler(), "GET", "/?from=soon", "")
	assert.Equal(t, http.StatusBadRequest, code, out)
}
