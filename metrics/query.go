package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/o2kit/o2kit"
)

// QueryResult is the answer to a PromQL query. Type is "vector" or
// "matrix" (Series is set; a vector's series have one sample each) or
// "scalar" (Scalar is set).
type QueryResult struct {
	Type    string
	Series  []ResultSeries
	Scalar  Sample
	TraceID string
}

// ResultSeries is one series of a query result; sample times are Unix
// milliseconds, though OpenObserve answers in whole seconds.
type ResultSeries struct {
	Metric  map[string]string
	Samples []Sample
}

// QueryError is the server's refusal of a query: its HTTP status, the
// PromQL error type ("bad_data", "timeout", ...; empty for answers that
// are not PromQL errors, such as a 401) and message.
type QueryError struct {
	StatusCode int
	Type       string
	Message    string
	TraceID    string
}

// Error describes the refusal.
func (e *QueryError) Error() string {
	if e.Type == "" {
		return fmt.Sprintf("metrics: query: HTTP %d: %s", e.StatusCode, e.Message)
	}
	return fmt.Sprintf("metrics: query: %s: %s", e.Type, e.Message)
}

// Query evaluates a PromQL expression at one instant with GET
// /api/{org}/prometheus/api/v1/query, sent by client ([o2kit.Client.API])
// with its endpoints, credentials, retries and failover. A zero at means
// the server's now. A refusal by the server is a [*QueryError].
func Query(ctx context.Context, client *o2kit.Client, query string, at time.Time) (*QueryResult, error) {
	q := url.Values{"query": {query}}
	if !at.IsZero() {
		q.Set("time", strconv.FormatInt(at.Unix(), 10))
	}
	return result(ctx, client, "query", q)
}

// QueryRange evaluates a PromQL expression from start to end every step
// with GET /api/{org}/prometheus/api/v1/query_range, sent by client as
// [Query] is. Times are sent as whole Unix seconds and step as a duration
// ("15s", "250ms"), as the server wants; a step of zero lets the server
// choose.
func QueryRange(ctx context.Context, client *o2kit.Client, query string, start, end time.Time, step time.Duration) (*QueryResult, error) {
	q := url.Values{"query": {query}, "start": {strconv.FormatInt(start.Unix(), 10)}, "end": {strconv.FormatInt(end.Unix(), 10)}}
	if step > 0 {
		q.Set("step", stepParam(step))
	}
	return result(ctx, client, "query_range", q)
}

// QuerySeries lists the label sets of the series matching any of the
// selectors between start and end, with GET .../api/v1/series sent by
// client as [Query] is. OpenObserve takes a single match[] parameter per
// request (a second one is refused with 400 "duplicate field"), so
// QuerySeries asks once per selector, in order, and merges the answers:
// each label set appears once, where it was first seen. The first failed
// request ends the listing with its error. Without selectors it sends one
// request without match[], which the server answers with no series.
func QuerySeries(ctx context.Context, client *o2kit.Client, start, end time.Time, selectors ...string) ([]map[string]string, error) {
	if len(selectors) == 0 {
		selectors = []string{""}
	}
	var out []map[string]string
	seen := map[string]bool{}
	for _, sel := range selectors {
		q := url.Values{"start": {strconv.FormatInt(start.Unix(), 10)}, "end": {strconv.FormatInt(end.Unix(), 10)}}
		if sel != "" {
			q.Set("match[]", sel)
		}
		var sets []map[string]string
		if _, err := get(ctx, client, "series", q, &sets); err != nil {
			return nil, err
		}
		for _, ls := range sets {
			if k := labelSetKey(ls); !seen[k] {
				seen[k] = true
				out = append(out, ls)
			}
		}
	}
	return out, nil
}

// labelSetKey is a key that two label sets share only when they are
// equal: the names sorted, each name and value quoted.
func labelSetKey(ls map[string]string) string {
	var b []byte
	for _, k := range slices.Sorted(maps.Keys(ls)) {
		b = strconv.AppendQuote(b, k)
		b = strconv.AppendQuote(b, ls[k])
	}
	return string(b)
}

func stepParam(d time.Duration) string {
	if d%time.Second == 0 {
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return strconv.FormatInt(max(d.Milliseconds(), 1), 10) + "ms"
}

func result(ctx context.Context, client *o2kit.Client, path string, q url.Values) (*QueryResult, error) {
	var data struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	trace, err := get(ctx, client, path, q, &data)
	if err != nil {
		return nil, err
	}
	res := &QueryResult{Type: data.ResultType, TraceID: trace}
	if err := res.decode(data.Result); err != nil {
		return nil, fmt.Errorf("metrics: query: unreadable %s result: %w", data.ResultType, err)
	}
	return res, nil
}

func (res *QueryResult) decode(raw json.RawMessage) error {
	switch res.Type {
	case "scalar":
		if f, err := strconv.ParseFloat(string(bytes.TrimSpace(raw)), 64); err == nil {
			res.Scalar = Sample{V: f}
			return nil
		}
		return decodePair(raw, &res.Scalar)
	case "vector", "matrix":
		var ss []struct {
			Metric map[string]string `json:"metric"`
			Value  json.RawMessage   `json:"value"`
			Values []json.RawMessage `json:"values"`
		}
		if err := json.Unmarshal(raw, &ss); err != nil {
			return err
		}
		for _, s := range ss {
			rs := ResultSeries{Metric: s.Metric}
			if s.Value != nil {
				s.Values = append(s.Values, s.Value)
			}
			rs.Samples = make([]Sample, len(s.Values))
			for i, v := range s.Values {
				if err := decodePair(v, &rs.Samples[i]); err != nil {
					return err
				}
			}
			res.Series = append(res.Series, rs)
		}
	}
	return nil
}

// decodePair reads [ts, "value"]; ts is seconds, whole or not.
func decodePair(raw json.RawMessage, s *Sample) error {
	var pair [2]json.RawMessage
	if err := json.Unmarshal(raw, &pair); err != nil {
		return err
	}
	secs, err := strconv.ParseFloat(string(pair[0]), 64)
	if err != nil {
		return err
	}
	var v string
	if err := json.Unmarshal(pair[1], &v); err != nil {
		return err
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return err
	}
	*s = Sample{T: int64(math.Round(secs * 1000)), V: f}
	return nil
}

// get sends one GET through client and decodes the data of a success
// envelope into data, returning the trace id.
func get(ctx context.Context, client *o2kit.Client, path string, q url.Values, data any) (string, error) {
	if client == nil {
		return "", errors.New("metrics: query: no client")
	}
	resp, err := client.API(ctx, o2kit.APIRequest{Path: "prometheus/api/v1/" + path, Query: q})
	if err != nil {
		return "", fmt.Errorf("metrics: query: %w", err)
	}
	var env struct {
		Status    string          `json:"status"`
		Data      json.RawMessage `json:"data"`
		ErrorType string          `json:"errorType"`
		Error     string          `json:"error"`
		TraceID   string          `json:"trace_id"`
	}
	if json.Unmarshal(resp.Body, &env) != nil || (env.Status != "success" && env.Status != "error") {
		return "", &QueryError{StatusCode: resp.StatusCode, Message: clip(resp.Body)}
	}
	if env.Status == "error" || resp.StatusCode != http.StatusOK {
		return "", &QueryError{StatusCode: resp.StatusCode, Type: env.ErrorType, Message: env.Error, TraceID: env.TraceID}
	}
	if err := json.Unmarshal(env.Data, data); err != nil {
		return "", fmt.Errorf("metrics: query: unreadable data: %w", err)
	}
	return env.TraceID, nil
}

// clip bounds an error body quoted in an error.
func clip(b []byte) string {
	const max = 512
	s := strings.TrimSpace(string(b))
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}
