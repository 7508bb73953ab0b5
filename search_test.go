package o2kit

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2server"
)

func TestSearch(t *testing.T) {
	srv, url := devServer(t)
	c, _ := newClient(t, srv, url)
	start := time.Now().Add(-time.Minute)
	for i, level := range []string{"INFO", "ERROR", "INFO", "WARN"} {
		require.NoError(t, c.Emit(context.Background(), Record{Stream: "application-logs", Attrs: []slog.Attr{
			slog.String("level", level), slog.String("message", "step "+string(rune('a'+i))), slog.Int("n", i),
		}}))
	}
	flush(t, c)
	end := time.Now().Add(time.Second)

	resp, err := c.Search(context.Background(), SearchRequest{SQL: "SELECT * FROM application_logs WHERE level = 'INFO'", Start: start, End: end})
	require.NoError(t, err)
	assert.EqualValues(t, 2, resp.Total)
	require.Len(t, resp.Hits, 2)

	type hit struct {
		Level   string `json:"level"`
		Message string `json:"message"`
		N       int    `json:"n"`
		TS      int64  `json:"_timestamp"`
	}
	hits, _, err := SearchAs[hit](context.Background(), c, SearchRequest{SQL: "SELECT * FROM application_logs ORDER BY n", Start: start, End: end, Size: 3, From: 1})
	require.NoError(t, err)
	require.Len(t, hits, 3)
	assert.Equal(t, "step b", hits[0].Message)
	assert.Equal(t, "ERROR", hits[0].Level)
	assert.Positive(t, hits[0].TS)

	counts, _, err := SearchAs[struct {
		Level string `json:"level"`
		Count int    `json:"c"`
	}](context.Background(), c, SearchRequest{SQL: "SELECT level, count(*) AS c FROM application_logs GROUP BY level ORDER BY level", Start: start, End: end})
	require.NoError(t, err)
	assert.Len(t, counts, 3)

	resp, err = c.Search(context.Background(), SearchRequest{SQL: "SELECT * FROM application_logs", Start: start, End: end, TrackTotalHits: true})
	require.NoError(t, err)
	assert.EqualValues(t, 4, resp.Total)

	_, err = c.Search(context.Background(), SearchRequest{SQL: "SELECT * FROM application_logs", Start: end, End: end.Add(time.Hour)})
	require.NoError(t, err, "an empty window is no error")
}

func TestSearchErrors(t *testing.T) {
	srv, url := devServer(t)
	c, _ := newClient(t, srv, url)
	emitN(t, c, "known", 1)
	flush(t, c)

	_, err := c.Search(context.Background(), SearchRequest{SQL: "SELECT * FROM nowhere"})
	assert.ErrorIs(t, err, ErrStreamNotFound)
	var se *SearchError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 20002, se.Code)
	assert.Equal(t, http.StatusBadRequest, se.StatusCode)

	_, err = c.Search(context.Background(), SearchRequest{SQL: "SELEC * FRM known"})
	require.ErrorAs(t, err, &se)
	assert.False(t, errors.Is(err, ErrStreamNotFound))
	assert.Contains(t, []int{20001, 20008}, se.Code)

	_, err = c.Search(context.Background(), SearchRequest{})
	assert.ErrorContains(t, err, "empty SQL")
	_, err = c.Search(context.Background(), SearchRequest{SQL: "SELECT 1", Type: "spans"})
	assert.ErrorContains(t, err, "unknown stream type")
	now := time.Now()
	_, err = c.Search(context.Background(), SearchRequest{SQL: "SELECT 1", Start: now, End: now})
	assert.ErrorContains(t, err, "is not before end")

	bad, _ := newClient(t, srv, url, WithBasicAuth("root@example.com", "nope"))
	_, err = bad.Search(context.Background(), SearchRequest{SQL: "SELECT * FROM known"})
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, http.StatusUnauthorized, he.StatusCode)
}

func TestSearchHTTPErrorRetryDelay(t *testing.T) {
	srv, url := devServer(t)
	c, _ := newClient(t, srv, url, WithMaxRetries(0))
	for header, want := range map[string]time.Duration{
		"7": 7 * time.Second, "": 0, "soon": 0, "86400": 5 * time.Minute,
		time.Now().Add(time.Hour).UTC().Format(http.TimeFormat): 5 * time.Minute,
	} {
		srv.SetFaultFunc(func(r *http.Request) (o2server.Fault, bool) {
			return o2server.Fault{Status: http.StatusTooManyRequests, Body: "slow down",
				Header: http.Header{"Retry-After": {header}}}, strings.HasSuffix(r.URL.Path, "/_search")
		})
		_, err := c.Search(context.Background(), SearchRequest{SQL: "SELECT * FROM known"})
		var he *HTTPError
		require.ErrorAs(t, err, &he, header)
		assert.Equal(t, header, he.RetryAfter)
		assert.Equal(t, want, he.RetryDelay(), header)
	}
}

func TestHealth(t *testing.T) {
	srv, url := devServer(t)
	c, _ := newClient(t, srv, url)
	require.NoError(t, c.Health(context.Background()))
	srv.SetFaultFunc(func(r *http.Request) (o2server.Fault, bool) {
		return o2server.Fault{Status: 503, Body: "busy"}, r.URL.Path == "/healthz"
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	assert.Error(t, c.Health(ctx))
}

func TestProvisionSetsRetention(t *testing.T) {
	srv, url := devServer(t)
	c, _ := newClient(t, srv, url, WithRetention("audit", 400), WithStreams(Streams{Alerts: "alert-history"}))
	require.NoError(t, c.EmitAs(context.Background(), Metrics, Record{Stream: "metrics", Attrs: []slog.Attr{slog.String("__name__", "cpu"), slog.Float64("value", 1)}}))
	flush(t, c)
	require.NoError(t, c.Provision(context.Background()))
	for stream, days := range map[string]int{"application_logs": 30, "business_events": 365, "audit": 400, "alert_history": 90, "dead_letter": 30} {
		assert.Equal(t, days, retentionOf(t, srv, url, "logs", stream), stream)
	}
	assert.Equal(t, 7, retentionOf(t, srv, url, "traces", "traces"))
	assert.Equal(t, 90, retentionOf(t, srv, url, "metrics", "cpu"))
	require.NoError(t, c.Provision(context.Background()), "provisioning twice changes nothing")
}

// retentionOf reads a stream's data_retention through the server's API.
func retentionOf(t *testing.T, srv *o2server.Server, base, typ, stream string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/api/default/streams/"+stream+"/schema?type="+typ, nil)
	require.NoError(t, err)
	req.SetBasicAuth(srv.RootUser())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, stream)
	var s struct {
		Settings struct {
			DataRetention int `json:"data_retention"`
		} `json:"settings"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&s))
	return s.Settings.DataRetention
}
