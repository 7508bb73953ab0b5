package o2server

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pair is a normal server and a count-only server, called in process.
type pair struct {
	normal, count *Server
	n             atomic.Int64
}

func newPair(t testing.TB) *pair {
	clock := WithClock(func() time.Time { return testNow })
	p := &pair{normal: New(clock), count: New(clock, WithCountOnly())}
	t.Cleanup(func() {
		require.NoError(t, p.normal.Close())
		require.NoError(t, p.count.Close())
	})
	return p
}

func serve(s *Server, path string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	user, pass := s.RootUser()
	req.SetBasicAuth(user, pass)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	return w
}

// same posts a body to both servers (in a fresh stream) and requires the
// same status and answer.
func (p *pair) same(t testing.TB, endpoint string, body []byte) {
	t.Helper()
	path := fmt.Sprintf("/api/default/s%d/%s", p.n.Add(1), endpoint)
	a := serve(p.normal, path, body)
	b := serve(p.count, path, body)
	require.Equal(t, a.Code, b.Code, "status for %q: normal %s, count-only %s", body, a.Body, b.Body)
	require.Equal(t, a.Body.String(), b.Body.String(), "answer for %q", body)
}

var countOnlyCases = []string{
	`{"a":1}`, `[]`, `[{"a":1},{"b":{"c":[1,2]}}]`, `5`, `[1,"x",null,{"a":1}]`, `"str"`, `null`,
	`{"_timestamp":1700000000}`, `{"_timestamp":1787313000000}`, `{"_timestamp":0}`, `{"_timestamp":null}`,
	`{"@timestamp":"2026-08-21T11:00:00Z"}`, `{"_Timestamp":"2026-08-21 11:00:00"}`, `{".timestamp":1787313000.5}`,
	`{"_timestamp":true}`, `{"_timestamp":"soon"}`, `{"_timestamp":[1]}`, `{"_timestamp":{}}`, `{"_timestamp":{"x":1}}`,
	`{"_timestamp":1,"_timestamp":1787313000000000}`, `{"_timestamp":1787313000000000,"@timestamp":null}`,
	`{"":{"timestamp":1}}`, `{"":{"TimeStamp":1787313000000000}}`, `{"\u005ftimestamp":1}`, `{"_timestamp":"\u0031\u0037"}`,
	`{"_timestamp":1787313600000000000}`, `{"_timestamp":-5}`, `{"_timestamp":1e300}`, `{"_timestamp":"1787313000000"}`,
	`{"＿timestamp":1}`, `{"ts":{"a":{"b":{"c":{"d":1}}}}}`, `{"a":1,}`, `[{"a":1}`, `{"a":"\ud800"}`, "{\"a\":\"\xff\"}",
	`{"a":1} x`, strings.Repeat(`{"a":`, 127) + `1` + strings.Repeat(`}`, 127), strings.Repeat(`[`, 200),
	fmt.Sprintf(`[{"_timestamp":%d},{"_timestamp":%d}]`, ts(-6*time.Hour), ts(25*time.Hour)),
}

func TestCountOnlyMatchesNormalMode(t *testing.T) {
	p := newPair(t)
	for _, body := range countOnlyCases {
		p.same(t, "_json", []byte(body))
		p.same(t, "_multi", []byte(body))
		p.same(t, "_multi", []byte(body+"\r\n\n"+body+"\n"))
	}
	p.same(t, "_multi", []byte("{\"a\":1}\n{bad}\n"))
	p.same(t, "_multi", []byte("{\"a\":1}\n\xff\n"))
}

func TestCountOnlyCountsAndStoresNothing(t *testing.T) {
	c := newTestServer(t, WithCountOnly())
	r := c.post("/api/default/bench/_multi", "{\"a\":1}\n{\"a\":2}\n")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, int64(2), c.s.Count("default", "bench"))
	assert.Nil(t, c.s.Records("default", "bench"))
	assert.Equal(t, int64(2), c.s.Totals().Records)
	r = c.do(http.MethodGet, "/api/default/streams", nil)
	assert.Contains(t, r.text(), `"doc_num":2`)
	rs, _ := c.search("SELECT * FROM bench")
	assert.Equal(t, http.StatusBadRequest, rs.status, "nothing to search")
}

// FuzzCountOnly feeds arbitrary bodies to both modes.
func FuzzCountOnly(f *testing.F) {
	for _, c := range countOnlyCases {
		f.Add([]byte(c), false)
	}
	f.Add([]byte("{\"a\":1}\n\n{\"b\":2}"), true)
	f.Fuzz(func(t *testing.T, body []byte, multi bool) {
		endpoint := "_json"
		if multi {
			endpoint = "_multi"
		}
		newPair(t).same(t, endpoint, body)
	})
}

// benchRecord is a typical ~300-byte log line.
func benchRecord(i int) string {
	return fmt.Sprintf(`{"_timestamp":%d,"level":"info","service":"checkout","trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174","user_id":"u-%06d","message":"order placed successfully for cart with 3 items","http":{"method":"POST","path":"/api/orders","status":201},"duration_ms":12.5}`,
		ts(-time.Minute), i)
}

// BenchmarkCountOnlyNDJSON measures the count-only sink on NDJSON: a
// request of 10,000 records of about 300 bytes per iteration.
func BenchmarkCountOnlyNDJSON(b *testing.B) {
	const perRequest = 10_000
	var buf bytes.Buffer
	for i := 0; i < perRequest; i++ {
		buf.WriteString(benchRecord(i))
		buf.WriteByte('\n')
	}
	body := buf.Bytes()
	s := New(WithCountOnly(), WithClock(func() time.Time { return testNow }))
	b.Cleanup(func() { _ = s.Close() })
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if w := serve(s, "/api/default/bench/_multi", body); w.Code != http.StatusOK {
			b.Fatal(w.Body.String())
		}
	}
	b.ReportMetric(float64(b.N*perRequest)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*perRequest), "ns/record")
}
