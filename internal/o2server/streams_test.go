package o2server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStreamList(t *testing.T) {
	c := newTestServer(t)
	c.ingest("Web", `[{"a":1},{"a":2}]`)
	c.post("/api/default/ingest/metrics/_json", `[{"__name__":"cpu","value":1}]`)
	r := c.do(http.MethodGet, "/api/default/streams?fetchSchema=true", nil)
	require.Equal(t, http.StatusOK, r.status)
	m := r.obj(t)
	assert.Equal(t, float64(2), m["total"])
	web := m["list"].([]any)[0].(map[string]any)
	assert.Equal(t, "web", web["name"])
	assert.Equal(t, "logs", web["stream_type"])
	assert.Equal(t, "disk", web["storage_type"])
	stats := web["stats"].(map[string]any)
	assert.Equal(t, float64(2), stats["doc_num"])
	assert.Equal(t, float64(nowUS()), stats["doc_time_max"])
	assert.Equal(t, []any{
		map[string]any{"name": "_timestamp", "type": "Int64"},
		map[string]any{"name": "a", "type": "Int64"},
	}, web["schema"])
	assert.Equal(t, float64(2), web["total_fields"])
	settings := web["settings"].(map[string]any)
	assert.Equal(t, map[string]any{}, settings["partition_keys"])
	assert.Equal(t, "normal", settings["storage_type"])
	assert.Contains(t, r.text(), `"index_size":0.0`)

	r = c.do(http.MethodGet, "/api/default/streams?type=metrics", nil)
	m = r.obj(t)
	assert.Equal(t, float64(1), m["total"])
	assert.Equal(t, []any{}, m["list"].([]any)[0].(map[string]any)["schema"], "no schema unless fetchSchema=true")
	assert.Equal(t, http.StatusBadRequest, c.do(http.MethodGet, "/api/default/streams?fetchSchema=yes", nil).status)
}

func TestStreamSchemaCreateSettingsDelete(t *testing.T) {
	c := newTestServer(t)
	r := c.do(http.MethodGet, "/api/default/streams/none/schema", nil)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.JSONEq(t, `{"code":404,"message":"stream not found"}`, r.text())

	r = c.postJSON("/api/default/streams/Orders", `{"fields":[{"name":"Amount","type":"Float64"}],"settings":{"data_retention":30}}`)
	require.Equal(t, http.StatusOK, r.status, r.text())
	assert.JSONEq(t, `{"code":200,"message":"stream created"}`, r.text())
	r = c.postJSON("/api/default/streams/orders", `{"fields":[],"settings":{}}`)
	assert.JSONEq(t, `{"code":400,"message":"stream already exists"}`, r.text())
	r = c.postJSON("/api/default/streams/x", `{"fields":[{"name":"a","type":"Money"}],"settings":{}}`)
	assert.JSONEq(t, `{"code":400,"message":"invalid data type: Money"}`, r.text())
	r = c.postJSON("/api/default/streams/x?type=enrichment_tables", `{"fields":[],"settings":{}}`)
	assert.JSONEq(t, `{"code":400,"message":"Stream type 'enrichment_tables' not allowed"}`, r.text())

	r = c.do(http.MethodGet, "/api/default/streams/orders/schema", nil)
	m := r.obj(t)
	assert.Equal(t, []any{
		map[string]any{"name": "_timestamp", "type": "Int64"},
		map[string]any{"name": "amount", "type": "Float64"},
	}, m["schema"])
	assert.Equal(t, float64(30), m["settings"].(map[string]any)["data_retention"])

	put := func(body string) *tresp {
		return c.do(http.MethodPut, "/api/default/streams/orders/settings", []byte(body), "Content-Type", "application/json")
	}
	r = put(`{"data_retention":90,"partition_keys":{"add":[{"field":"region"}]},"index_fields":{"add":["a","b"]}}`)
	assert.JSONEq(t, `{"code":200,"message":""}`, r.text())
	r = put(`{"index_fields":{"remove":["a"]},"flatten_level":1}`)
	assert.Equal(t, http.StatusOK, r.status)
	settings := c.do(http.MethodGet, "/api/default/streams/orders/schema", nil).obj(t)["settings"].(map[string]any)
	assert.Equal(t, float64(90), settings["data_retention"])
	assert.Equal(t, []any{"b"}, settings["index_fields"])
	assert.Equal(t, "region", settings["partition_keys"].(map[string]any)["L0"].(map[string]any)["field"])
	assert.Equal(t, float64(1), settings["flatten_level"])

	// The stream's flatten_level now applies to ingestion.
	c.ingest("orders", `{"meta":{"x":1}}`)
	assert.Equal(t, `{"x":1}`, c.s.Records("default", "orders")[0]["meta"])

	r = c.do(http.MethodPut, "/api/default/streams/orders/settings", nil)
	assert.Equal(t, http.StatusUnsupportedMediaType, r.status)
	r = c.do(http.MethodPut, "/api/default/streams/ghost/settings", []byte(`{}`), "Content-Type", "application/json")
	assert.Equal(t, http.StatusNotFound, r.status)

	r = c.do(http.MethodDelete, "/api/default/streams/Orders", nil)
	assert.Equal(t, http.StatusNotFound, r.status, "delete does not normalise the name")
	r = c.do(http.MethodDelete, "/api/default/streams/orders", nil)
	assert.JSONEq(t, `{"code":200,"message":"stream deleted"}`, r.text())
	assert.Nil(t, c.s.Records("default", "orders"))
}
