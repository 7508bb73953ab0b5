package o2server

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBulkActionsAndStreams(t *testing.T) {
	c := newTestServer(t)
	body := lines(
		`{"index":{"_index":"Web-Logs","_id":"a1"}}`,
		`{"msg":"one","@timestamp":1}`,
		`{"delete":{"_index":"web"}}`,
		`{"create":{"_index":"****"}}`,
		`{"msg":"two"}`,
		`{"update":{"_index":"web_logs","_id":"a2"}}`,
		`{"doc":{"msg":"three"}}`,
		"",
	)
	r := c.post("/api/default/_bulk", body)
	require.Equal(t, http.StatusOK, r.status, r.text())
	m := r.obj(t)
	assert.Equal(t, false, m["errors"])
	items := m["items"].([]any)
	require.Len(t, items, 3)
	first := items[0].(map[string]any)["index"].(map[string]any)
	assert.Equal(t, "web_logs", first["_index"])
	assert.Equal(t, "a1", first["_id"])
	assert.Equal(t, "created", first["result"])
	assert.Equal(t, float64(1), first["_version"])
	second := items[1].(map[string]any)["index"].(map[string]any)
	assert.Equal(t, "a2", second["_id"])
	third := items[2].(map[string]any)["index"].(map[string]any)
	assert.Equal(t, "_", third["_index"], "an _index of **** is sanitized, not rejected")
	assert.Equal(t, "", third["_id"])

	recs := c.s.Records("default", "web_logs")
	require.Len(t, recs, 2)
	assert.Equal(t, nowUS(), recs[0]["_timestamp"], "the inserted now wins over @timestamp")
	assert.Equal(t, "three", recs[1]["doc_msg"], "update documents are stored as sent")
	assert.Len(t, c.s.Records("default", "_"), 1)
}

func TestBulkFailures(t *testing.T) {
	c := newTestServer(t)
	body := lines(
		`{"index":{"_index":""}}`,
		`{"index":{"_index":"b","_id":"x"}}`,
		`{"_timestamp":"not a time"}`,
		`{"index":{"_index":"b"}}`,
		fmt.Sprintf(`{"_timestamp":%d}`, ts(30*time.Hour)),
	)
	r := c.post("/api/default/_bulk", body)
	require.Equal(t, http.StatusOK, r.status, r.text())
	m := r.obj(t)
	assert.Equal(t, true, m["errors"])
	items := m["items"].([]any)
	require.Len(t, items, 3)
	invalid := items[0].(map[string]any)["index"].(map[string]any)
	assert.Equal(t, float64(422), invalid["status"])
	assert.Equal(t, `Invalid stream name: {"index":{"_index":""}}`, invalid["error"].(map[string]any)["type"])
	assert.Equal(t, map[string]any{"index": map[string]any{"_index": ""}}, invalid["originalRecord"])
	parse := items[1].(map[string]any)["index"].(map[string]any)
	assert.Equal(t, "x", parse["_id"])
	assert.Equal(t, "timestamp_parsing_failed", parse["error"].(map[string]any)["reason"])
	far := items[2].(map[string]any)["index"].(map[string]any)
	assert.Equal(t, c.s.tooFar(), far["error"].(map[string]any)["reason"])
	assert.Equal(t, map[string]any{"type": "timestamp_parsing_failed", "reason": c.s.tooFar(), "index_uuid": "0", "shard": "1", "index": "b"}, far["error"])

	r = c.post("/api/default/_bulk", "{\"index\":{\"_index\":\"b\"}}\n{oops}\n")
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.obj(t)["message"], "SerdeJsonError# key must be a string")
}

func TestMetricsJSON(t *testing.T) {
	c := newTestServer(t)
	r := c.post("/api/default/ingest/metrics/_json", `[
		{"__name__":"cpu.usage","__type__":"GAUGE","host":"h1","cores":8,"value":1.31,"_timestamp":1691643770347},
		{"__name__":"mem","value":1e999},
		{"__name__":"cpu.usage","host":"h2","value":2}]`)
	require.Equal(t, http.StatusOK, r.status, r.text())
	assert.JSONEq(t, `{"code":200,"status":[{"name":"cpu_usage","successful":2,"failed":0},{"name":"mem","successful":1,"failed":0}]}`, r.text())
	cpu := c.s.RecordsOf("default", "metrics", "cpu_usage")
	require.Len(t, cpu, 2)
	assert.Equal(t, "cpu_usage", cpu[0]["__name__"])
	assert.Equal(t, "8", cpu[0]["cores"], "labels are stored as strings")
	assert.Equal(t, 1.31, cpu[0]["value"])
	assert.NotContains(t, cpu[0], "__type__")
	assert.IsType(t, uint64(0), cpu[0]["__hash__"])
	assert.NotEqual(t, cpu[0]["__hash__"], cpu[1]["__hash__"])
	assert.Equal(t, 2.0, cpu[1]["value"])
	assert.Equal(t, 1.7976931348623157e308, c.s.RecordsOf("default", "metrics", "mem")[0]["value"], "infinity is clamped")

	for body, msg := range map[string]string{
		`{"__name__":"x","value":1}`:                      "invalid type: map, expected a sequence at line 1 column 1",
		`[{"__name__":"x","value":1},{}]`:                 "missing __name__",
		`[{"__name__":5,"value":1}]`:                      "invalid __name__, need to be string",
		`[{"__name__":"x","value":1,"__type__":"bogus"}]`: "invalid metrics type, need to be one of: counter, gauge, histogram, summary",
		`[{"__name__":"x"}]`:                              "missing value",
		`[{"__name__":"x","value":"1"}]`:                  "invalid value, need to be number",
		`[{"__name__":"x","value":1,"_timestamp":"now"}]`: "invalid _timestamp, need to be number",
		`[1]`: "flatten value must be an object",
	} {
		r := c.post("/api/default/ingest/metrics/_json", body)
		assert.Equal(t, http.StatusBadRequest, r.status, body)
		assert.JSONEq(t, mustJSON(orderedObject{{"code", 400}, {"message", msg}}), r.text(), body)
	}
	assert.Len(t, c.s.RecordsOf("default", "metrics", "x"), 0, "a failed request stores nothing")
	r = c.post("/api/default/ingest/metrics/_json", `[]`)
	assert.JSONEq(t, `{"code":200}`, r.text())
}
