package o2server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testNow is the pinned clock of every test server.
var testNow = time.Date(2026, 8, 21, 12, 0, 0, 0, time.UTC)

func nowUS() int64 { return testNow.UnixMicro() }

// tclient talks to a test server as the root user unless told otherwise.
type tclient struct {
	t    testing.TB
	s    *Server
	base string
	user string
	pass string
}

// newTestServer starts a server with the pinned clock behind httptest.
func newTestServer(t testing.TB, opts ...Option) *tclient {
	t.Helper()
	s := New(append([]Option{WithClock(func() time.Time { return testNow })}, opts...)...)
	hs := httptest.NewServer(s)
	t.Cleanup(func() {
		s.ReleaseHangs()
		hs.Close()
		require.NoError(t, s.Close())
	})
	user, pass := s.RootUser()
	return &tclient{t: t, s: s, base: hs.URL, user: user, pass: pass}
}

// tresp is a response read in full.
type tresp struct {
	status int
	header http.Header
	body   []byte
}

func (r *tresp) text() string { return string(r.body) }

// obj decodes a JSON object body.
func (r *tresp) obj(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body: %s", r.body)
	return m
}

// do sends a request. Headers come as name, value pairs; a "Content-Type"
// of "" is left unset.
func (c *tclient) do(method, path string, body []byte, headers ...string) *tresp {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	require.NoError(c.t, err)
	if c.user != "" || c.pass != "" {
		req.SetBasicAuth(c.user, c.pass)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] != "" {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return &tresp{status: resp.StatusCode, header: resp.Header, body: b}
}

func (c *tclient) post(path, body string, headers ...string) *tresp {
	c.t.Helper()
	return c.do(http.MethodPost, path, []byte(body), headers...)
}

// postJSON posts with Content-Type application/json.
func (c *tclient) postJSON(path, body string) *tresp {
	c.t.Helper()
	return c.post(path, body, "Content-Type", "application/json")
}

// ingest posts records to _json and requires a 200.
func (c *tclient) ingest(stream, body string) map[string]any {
	c.t.Helper()
	r := c.postJSON("/api/default/"+stream+"/_json", body)
	require.Equal(c.t, http.StatusOK, r.status, r.text())
	return r.obj(c.t)
}

// search runs SQL over all time and returns the decoded answer.
func (c *tclient) search(sql string, extra ...string) (*tresp, map[string]any) {
	c.t.Helper()
	q := map[string]any{"sql": sql, "start_time": 0, "end_time": nowUS() + 48*3600*1_000_000}
	for i := 0; i+1 < len(extra); i += 2 {
		var v any
		require.NoError(c.t, json.Unmarshal([]byte(extra[i+1]), &v))
		q[extra[i]] = v
	}
	b, _ := json.Marshal(map[string]any{"query": q})
	r := c.postJSON("/api/default/_search", string(b))
	if r.status != http.StatusOK {
		return r, nil
	}
	return r, r.obj(c.t)
}

// hits returns the hits of a successful search.
func (c *tclient) hits(sql string, extra ...string) []map[string]any {
	c.t.Helper()
	r, m := c.search(sql, extra...)
	require.Equal(c.t, http.StatusOK, r.status, r.text())
	var out []map[string]any
	for _, h := range m["hits"].([]any) {
		out = append(out, h.(map[string]any))
	}
	return out
}

// status returns status[0] of an ingestion answer.
func status0(t testing.TB, m map[string]any) map[string]any {
	t.Helper()
	list, ok := m["status"].([]any)
	require.True(t, ok, "no status in %v", m)
	require.Len(t, list, 1)
	return list[0].(map[string]any)
}

// ts returns a µs timestamp d away from the pinned clock.
func ts(d time.Duration) int64 { return testNow.Add(d).UnixMicro() }

func lines(ss ...string) string { return strings.Join(ss, "\n") }
