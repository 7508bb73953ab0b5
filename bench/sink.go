package bench

import (
	"compress/gzip"
	"io"
	"net/http"
	"sync"

	collogs "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	"google.golang.org/protobuf/proto"
)

// otlpSink is the bare OTLP logs receiver of [BareOTLPSink]: it checks
// the Basic credentials, decodes each request and counts its log records
// into the stream named by the stream-name header ("default" without one),
// as the dev server does, and stores nothing.
type otlpSink struct {
	user, pass string
	mux        *http.ServeMux

	mu     sync.Mutex // guards counts
	counts map[[2]string]int64
}

func newOTLPSink(user, pass string) *otlpSink {
	s := &otlpSink{user: user, pass: pass, mux: http.NewServeMux(), counts: map[[2]string]int64{}}
	s.mux.HandleFunc("POST /api/{org}/v1/logs", s.logs)
	return s
}

func (s *otlpSink) count(org, stream string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[[2]string{org, stream}]
}

func (s *otlpSink) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *otlpSink) logs(w http.ResponseWriter, r *http.Request) {
	if u, p, ok := r.BasicAuth(); !ok || u != s.user || p != s.pass {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, ok := requestBody(w, r)
	if !ok {
		return
	}
	raw, err := io.ReadAll(io.LimitReader(body, 200<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var req collogs.ExportLogsServiceRequest
	if err := proto.Unmarshal(raw, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	n := int64(0)
	for _, rl := range req.GetResourceLogs() {
		for _, sl := range rl.GetScopeLogs() {
			n += int64(len(sl.GetLogRecords()))
		}
	}
	stream := r.Header.Get("stream-name")
	if stream == "" {
		stream = "default"
	}
	s.mu.Lock()
	s.counts[[2]string{r.PathValue("org"), stream}] += n
	s.mu.Unlock()
	resp, _ := proto.Marshal(&collogs.ExportLogsServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(resp)
}

// requestBody is r's body, gunzipped when it says it is gzip. A body that
// is not gzip as it says is answered with 400 and ok false.
func requestBody(w http.ResponseWriter, r *http.Request) (body io.Reader, ok bool) {
	if r.Header.Get("Content-Encoding") != "gzip" {
		return r.Body, true
	}
	zr, err := gzip.NewReader(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return nil, false
	}
	return zr, true
}
