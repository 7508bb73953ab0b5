package o2kit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/o2kit/o2kit/internal/transport"
)

// SearchRequest is a SQL search over one or more streams.
type SearchRequest struct {
	// SQL in OpenObserve's dialect (DataFusion, PostgreSQL syntax) with
	// normalised stream and field names: SELECT * FROM application_logs.
	// Quote names that are not plain identifiers.
	SQL string
	// Start and End bound _timestamp; End is exclusive. A zero End means
	// now; a zero Start means 15 minutes before End.
	Start, End time.Time
	// From skips that many hits. Size caps them (the server's default is
	// 1000) and overrides a LIMIT in the SQL; -1 leaves the SQL's LIMIT in
	// charge.
	From, Size int
	// Type is the stream type searched: "logs" (default), "metrics" or
	// "traces".
	Type string
	// TrackTotalHits makes the server answer only the count of matches.
	TrackTotalHits bool
}

// SearchResponse is the server's answer. Hits are the raw JSON objects;
// decode them with [SearchResponse.Decode] or [SearchAs].
type SearchResponse struct {
	Took              int               `json:"took"`
	Hits              []json.RawMessage `json:"hits"`
	Total             int64             `json:"total"` // hits returned, or with TrackTotalHits the count of matches
	From              int               `json:"from"`
	Size              int               `json:"size"`
	ScanSize          float64           `json:"scan_size"`
	ScanRecords       int64             `json:"scan_records"`
	FunctionError     []string          `json:"function_error,omitempty"`
	IsPartial         bool              `json:"is_partial"`
	HistogramInterval int64             `json:"histogram_interval,omitempty"`
	OrderBy           string            `json:"order_by,omitempty"`
	TraceID           string            `json:"trace_id,omitempty"`
}

// Decode unmarshals the hits into v, a pointer to a slice.
func (r *SearchResponse) Decode(v any) error {
	raw, err := json.Marshal(r.Hits)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// SearchAs runs a search and decodes its hits into a []T.
func SearchAs[T any](ctx context.Context, c *Client, req SearchRequest) ([]T, *SearchResponse, error) {
	resp, err := c.Search(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	out := make([]T, 0, len(resp.Hits))
	if err := resp.Decode(&out); err != nil {
		return nil, resp, fmt.Errorf("o2kit: decoding hits: %w", err)
	}
	return out, resp, nil
}

// Search runs a SQL search with POST /api/{org}/_search. A server error is
// a *SearchError (errors.Is(err, ErrStreamNotFound) for a missing stream)
// or an *HTTPError.
func (c *Client) Search(ctx context.Context, req SearchRequest) (*SearchResponse, error) {
	if req.SQL == "" {
		return nil, errors.New("o2kit: search: empty SQL")
	}
	end := req.End
	if end.IsZero() {
		end = c.cfg.now()
	}
	start := req.Start
	if start.IsZero() {
		start = end.Add(-15 * time.Minute)
	}
	if !start.Before(end) {
		return nil, fmt.Errorf("o2kit: search: start %s is not before end %s", start.Format(time.RFC3339Nano), end.Format(time.RFC3339Nano))
	}
	typ := req.Type
	if typ == "" {
		typ = "logs"
	}
	if typ != "logs" && typ != "metrics" && typ != "traces" {
		return nil, fmt.Errorf("o2kit: search: unknown stream type %q", typ)
	}
	q := map[string]any{"sql": req.SQL, "start_time": start.UnixMicro(), "end_time": end.UnixMicro(), "from": req.From}
	if req.Size != 0 {
		q["size"] = req.Size
	}
	if req.TrackTotalHits {
		q["track_total_hits"] = true
	}
	body, err := json.Marshal(map[string]any{"query": q})
	if err != nil {
		return nil, fmt.Errorf("o2kit: search: %w", err)
	}
	path := "/api/" + c.cfg.org + "/_search"
	resp, err := c.tr.Do(ctx, transport.Request{
		Method: http.MethodPost, Path: path, Query: url.Values{"type": {typ}},
		ContentType: "application/json", Body: body,
	})
	if err != nil {
		return nil, fmt.Errorf("o2kit: search: %w", err)
	}
	if resp.Status != http.StatusOK {
		return nil, searchError(path, resp)
	}
	var out SearchResponse
	if err := json.Unmarshal(resp.Body, &out); err != nil {
		return nil, fmt.Errorf("o2kit: search: unreadable answer %q: %w", clip(resp.Body), err)
	}
	return &out, nil
}

// searchError reads OpenObserve's error envelope, or falls back to an
// *HTTPError for plain-text answers (401, 403, 404, 415, 422).
func searchError(path string, resp *transport.Response) error {
	var env struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Detail  string `json:"error_detail"`
		TraceID string `json:"trace_id"`
	}
	if json.Unmarshal(bytes.TrimSpace(resp.Body), &env) == nil && env.Message != "" {
		if env.Code == 0 {
			env.Code = resp.Status
		}
		return &SearchError{StatusCode: resp.Status, Code: env.Code, Message: env.Message, Detail: env.Detail, TraceID: env.TraceID}
	}
	return newHTTPError(http.MethodPost, path, resp.Status, resp.Body, resp.Header.Get("Retry-After"))
}
