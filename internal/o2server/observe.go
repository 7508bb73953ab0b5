package o2server

import (
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/o2kit/o2kit/internal/norm"
)

// Totals counts what the server has seen since it started.
type Totals struct {
	// Requests is the number of HTTP requests received.
	Requests int64
	// Records is the number of records accepted (stored, or counted in
	// count-only mode).
	Records int64
	// Failed is the number of records rejected individually.
	Failed int64
	// Bytes is the number of request body bytes read from the wire.
	Bytes int64
	// DecodedBytes is the number of request body bytes after decompression.
	DecodedBytes int64
}

type counters struct {
	requests, records, failed, bytes, decoded atomic.Int64
}

// Totals returns the server's counters.
func (s *Server) Totals() Totals {
	return Totals{
		Requests:     s.totals.requests.Load(),
		Records:      s.totals.records.Load(),
		Failed:       s.totals.failed.Load(),
		Bytes:        s.totals.bytes.Load(),
		DecodedBytes: s.totals.decoded.Load(),
	}
}

// RequestInfo describes one handled request.
type RequestInfo struct {
	// Method and Path are the request line's.
	Method string
	Path   string
	// Header is the request header with Authorization redacted.
	Header http.Header
	// Status is the status answered, or 0 when the connection was dropped.
	Status int
	// WireBytes is the size of the request body as sent.
	WireBytes int64
	// Records is the number of records the request stored.
	Records int64
}

// requestLog keeps the most recent requests.
type requestLog struct {
	mu    sync.Mutex // guards items
	items []RequestInfo
	max   int
}

func (l *requestLog) add(ri RequestInfo) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.items) >= l.max {
		copy(l.items, l.items[1:])
		l.items = l.items[:len(l.items)-1]
	}
	l.items = append(l.items, ri)
}

// Requests returns the last requests handled (at most 1000), oldest first.
func (s *Server) Requests() []RequestInfo {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return append([]RequestInfo(nil), s.log.items...)
}

func (c *call) info() RequestInfo {
	h := c.r.Header.Clone()
	if h.Get("Authorization") != "" {
		h.Set("Authorization", "REDACTED")
	}
	status := c.rw.code
	if c.rw.dropped {
		status = 0
	}
	return RequestInfo{
		Method: c.r.Method, Path: c.r.URL.Path, Header: h,
		Status: status, WireBytes: c.wire.n, Records: c.records,
	}
}

// Records returns the stored records of a logs stream in ingestion order,
// with values as search hits hold them (string, int64, uint64, float64,
// bool; nulls left out). The stream name is normalised first.
func (s *Server) Records(org, stream string) []map[string]any {
	return s.RecordsOf(org, typeLogs, stream)
}

// RecordsOf is [Server.Records] for a stream type: "logs", "metrics" or
// "traces".
func (s *Server) RecordsOf(org, streamType, stream string) []map[string]any {
	db := s.database(org, streamType)
	if db == nil {
		return nil
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	st := db.streams[norm.StreamName(stream)]
	if st == nil {
		return nil
	}
	rows, err := db.rows(st)
	if err != nil {
		return nil
	}
	return rows
}

// Count returns the number of records accepted into a logs stream. It
// works in count-only mode too.
func (s *Server) Count(org, stream string) int64 {
	db := s.database(org, typeLogs)
	if db == nil {
		return 0
	}
	db.mu.Lock()
	st := db.streams[norm.StreamName(stream)]
	db.mu.Unlock()
	if st == nil {
		return 0
	}
	return st.accepted.Load()
}

func (s *Server) database(orgName, streamType string) *database {
	o := s.org(orgName)
	if o == nil {
		return nil
	}
	return o.dbs[streamType]
}
