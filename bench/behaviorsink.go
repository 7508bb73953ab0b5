package bench

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sync"
)

// Peer names under which [PeerSink] counts events.
const (
	PeerSegment = "segment" // Segment's analytics-go: POST /v1/batch
	PeerPostHog = "posthog" // PostHog's posthog-go: POST /batch/
)

// PeerSink is the server the analytics peers of the behavior benchmark
// send to: it takes the batch requests of Segment's analytics-go and
// PostHog's posthog-go, counts the events in each (the length of its
// "batch" array) under the peer's name, and stores nothing. It does the
// least a collector must do, so the peers are not slowed by their server.
type PeerSink struct {
	mu     sync.Mutex // guards counts
	counts map[string]int64
}

// NewPeerSink returns an empty sink.
func NewPeerSink() *PeerSink { return &PeerSink{counts: map[string]int64{}} }

// Count returns the events counted for the peer named org; stream is not
// used (it matches the count route of [StartChild]'s servers).
func (s *PeerSink) Count(org, _ string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[org]
}

// ServeHTTP counts one batch request.
func (s *PeerSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	peer := map[string]string{"/v1/batch": PeerSegment, "/batch/": PeerPostHog}[r.URL.Path]
	if r.Method != http.MethodPost || peer == "" {
		http.NotFound(w, r)
		return
	}
	body, ok := requestBody(w, r)
	if !ok {
		return
	}
	var req struct {
		Batch []json.RawMessage `json:"batch"`
	}
	if err := json.NewDecoder(io.LimitReader(body, 64<<20)).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.counts[peer] += int64(len(req.Batch))
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"status":1}`)
}

// peerSinkEnv marks the child process of [StartPeerSink].
const peerSinkEnv = "O2KIT_BENCH_PEER_SINK"

// StartPeerSink starts a [PeerSink] in a child process, as [StartChild]
// does for the dev server, so its memory and CPU stay out of the
// benchmark's. The child is this test binary running only the test named
// run, which must call [ServePeerSink].
func StartPeerSink(run string) (*Server, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "-test.run=^"+run+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), peerSinkEnv+"=1")
	return spawn(cmd, "peer sink")
}

// ServePeerSink reports whether this process was started by
// [StartPeerSink]; if so, it serves a [PeerSink] until stdin closes and
// returns true.
func ServePeerSink() (bool, error) {
	if os.Getenv(peerSinkEnv) == "" {
		return false, nil
	}
	sink := NewPeerSink()
	return true, serveChild(os.Stdin, os.Stdout, sink, sink.Count, "", "")
}
