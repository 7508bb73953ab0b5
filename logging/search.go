package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/sqlq"
)

// Query selects log records for [Search]. Every field is optional; all
// the set ones must match.
type Query struct {
	Stream    string    // default the client's Streams().ApplicationLogs
	Text      string    // case-insensitive substring of message, at most 32 KiB (API parameter q)
	Level     string    // DEBUG, INFO, WARN (or WARNING) or ERROR, any case
	Service   string    // exact; this and the other ids at most 256 bytes
	UserID    string    // exact
	TraceID   string    // exact, 32 hex digits
	RequestID string    // exact
	Start     time.Time // default 15 minutes before End
	End       time.Time // exclusive; default now
	Limit     int       // most records returned, newest first; default 100, at most MaxLimit
}

// MaxLimit is the most records one [Search] returns.
const MaxLimit = 10000

// Entry is one log record read back.
type Entry struct {
	Time      time.Time      `json:"time"`
	Level     string         `json:"level,omitempty"`
	Service   string         `json:"service,omitempty"`
	Message   string         `json:"message,omitempty"`
	TraceID   string         `json:"trace_id,omitempty"`
	SpanID    string         `json:"span_id,omitempty"`
	UserID    string         `json:"user_id,omitempty"`
	SessionID string         `json:"session_id,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
	Fields    map[string]any `json:"fields"` // every field as stored, the ones above included
}

// QueryError says which field of a [Query] or [StatsQuery] is invalid.
type QueryError struct {
	Field  string
	Reason string
}

// Error says which query field is wrong and why.
func (e *QueryError) Error() string { return "logging: query: " + e.Field + " " + e.Reason }

var (
	traceIDPattern  = regexp.MustCompile(`^[0-9a-f]{32}$`)
	intervalPattern = regexp.MustCompile(`^([1-9][0-9]{0,3}) (second|minute|hour|day)s?$`)
)

// SQL returns the statement [Search] runs. Values are only ever written as
// quoted SQL string literals, with quotes doubled; the stream is
// normalised to OpenObserve's identifier alphabet and double-quoted.
func (q Query) SQL() (string, error) {
	table, err := tableName(q.Stream)
	if err != nil {
		return "", err
	}
	var where []string
	if q.Level != "" {
		l, ok := levelOf(q.Level)
		if !ok {
			return "", &QueryError{Field: "level", Reason: "must be DEBUG, INFO, WARN (or WARNING) or ERROR"}
		}
		where = append(where, "level = "+sqlq.String(l))
	}
	if q.TraceID != "" && !traceIDPattern.MatchString(q.TraceID) {
		return "", &QueryError{Field: "trace_id", Reason: "must be 32 lower-case hex digits"}
	}
	for _, f := range []struct{ col, v string }{
		{FieldService, q.Service}, {o2kit.FieldUserID, q.UserID},
		{o2kit.FieldTraceID, q.TraceID}, {o2kit.FieldRequestID, q.RequestID},
	} {
		if len(f.v) > maxID {
			return "", &QueryError{Field: f.col, Reason: fmt.Sprintf("must be at most %d bytes", maxID)}
		}
		if f.v != "" {
			where = append(where, f.col+" = "+sqlq.String(f.v))
		}
	}
	if len(q.Text) > maxMessage {
		return "", &QueryError{Field: "q", Reason: fmt.Sprintf("must be at most %d bytes", maxMessage)}
	}
	if q.Text != "" {
		where = append(where, "str_match_ignore_case(message, "+sqlq.String(q.Text)+")")
	}
	limit, err := limitOf(q.Limit)
	if err != nil {
		return "", err
	}
	sql := "SELECT * FROM " + table
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	return sql + " ORDER BY _timestamp DESC LIMIT " + strconv.Itoa(limit), nil
}

func limitOf(n int) (int, error) {
	switch {
	case n == 0:
		return 100, nil
	case n < 0 || n > MaxLimit:
		return 0, &QueryError{Field: "limit", Reason: fmt.Sprintf("must be between 1 and %d", MaxLimit)}
	}
	return n, nil
}

// tableName returns the normalised stream name, double-quoted; the empty
// name is the application-logs stream (filled in by the caller).
func tableName(stream string) (string, error) {
	if stream == "" {
		stream = o2kit.DefaultStreams().ApplicationLogs
	}
	n := o2kit.StreamName(stream)
	if n == "" || n == "_" || len(n) > 256 {
		return "", &QueryError{Field: "stream", Reason: "is not a stream name"}
	}
	return `"` + n + `"`, nil
}

// Search returns the log records matching q, newest first. A query that
// cannot be run is a *[QueryError] naming the field at fault.
func Search(ctx context.Context, client *o2kit.Client, q Query) ([]Entry, error) {
	if err := useClient(client, &q.Stream); err != nil {
		return nil, err
	}
	sql, err := q.SQL()
	if err != nil {
		return nil, err
	}
	req, err := searchRequest(sql, q.Start, q.End)
	if err != nil {
		return nil, err
	}
	resp, err := client.Search(ctx, req)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(resp.Hits))
	for _, h := range resp.Hits {
		e, err := decodeEntry(h)
		if err != nil {
			return nil, fmt.Errorf("logging: search: %w", err)
		}
		out = append(out, e)
	}
	return out, nil
}

// useClient checks that there is a client and fills in its logs stream
// when stream is empty.
func useClient(client *o2kit.Client, stream *string) error {
	if client == nil {
		return ErrNoClient
	}
	if *stream == "" {
		*stream = client.Streams().ApplicationLogs
	}
	return nil
}

// searchRequest asks for every row of sql between start and end.
func searchRequest(sql string, start, end time.Time) (o2kit.SearchRequest, error) {
	start, end, err := window(start, end)
	return o2kit.SearchRequest{SQL: sql, Start: start, End: end, Size: -1}, err
}

// window fills in a time range as the client would (a zero end is now, a
// zero start 15 minutes before end) and checks that it is not empty.
func window(start, end time.Time) (time.Time, time.Time, error) {
	if end.IsZero() {
		end = time.Now()
	}
	if start.IsZero() {
		start = end.Add(-15 * time.Minute)
	}
	if !start.Before(end) {
		return start, end, &QueryError{Field: "start", Reason: "must be before end"}
	}
	return start, end, nil
}

func decodeEntry(raw json.RawMessage) (Entry, error) {
	var e Entry
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&e.Fields); err != nil {
		return e, err
	}
	str := func(k string) string { s, _ := e.Fields[k].(string); return s }
	e.Level, e.Service, e.Message = str(FieldLevel), str(FieldService), str(FieldMessage)
	e.TraceID, e.SpanID = str(o2kit.FieldTraceID), str(o2kit.FieldSpanID)
	e.UserID, e.SessionID, e.RequestID = str(o2kit.FieldUserID), str(o2kit.FieldSessionID), str(o2kit.FieldRequestID)
	if n, ok := e.Fields["_timestamp"].(json.Number); ok {
		if us, err := n.Int64(); err == nil {
			e.Time = time.UnixMicro(us).UTC()
		}
	}
	return e, nil
}
