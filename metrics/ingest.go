package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/o2kit/o2kit"
)

// Bounds of [Registry.IngestHandler].
const (
	MaxIngestBytes   = 1 << 20 // request body, plain JSON
	MaxIngestSamples = 5000    // samples per request
	MaxIngestLabels  = 32      // labels per sample
	MaxIngestSeries  = 10000   // distinct series ingested over the registry's life
)

// ingested remembers the series POST /api/metrics created, to bound them.
type ingested struct {
	mu     sync.Mutex // guards series
	series map[uint64]struct{}
}

// inSample is one validated sample of an ingest request.
type inSample struct {
	name, typ string
	labels    Labels
	ms        int64
	value     float64
}

// IngestHandler accepts samples from other services with POST: a JSON
// array in OpenObserve's metrics shape, such as
// [{"__name__":"queue_depth","__type__":"gauge","queue":"mail","value":3}],
// with an optional _timestamp (seconds, milliseconds or microseconds,
// told apart by size; default now). Every sample is validated first (the
// naming rules of [Desc], a numeric value, a known __type__, string,
// number or boolean label values, a _timestamp that fits) and one bad
// sample fails the whole request with 400 {"error":"sample 2: missing
// value, or not a number"}, naming its index and fault, as OpenObserve
// does: none of the request's samples is stored, so the sender can fix
// the batch and send all of it again. A body over [MaxIngestBytes] or with
// more than [MaxIngestSamples] samples gets 413, and a compressed one
// (any Content-Encoding) 415. Valid samples go to the window
// store and, with a client, on to OpenObserve. Samples of new series past
// [MaxIngestSeries], and samples older than their series' newest, are
// refused one by one. The answer is {"accepted":n,"rejected":m}.
func (r *Registry) IngestHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if enc := req.Header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
			apiError(w, http.StatusUnsupportedMediaType, fmt.Errorf("body encoded as %q (Content-Encoding): send plain JSON", enc))
			return
		}
		body, code, err := readBounded(w, req)
		if err != nil {
			apiError(w, code, err)
			return
		}
		samples, code, err := r.parseSamples(body)
		if err != nil {
			apiError(w, code, err)
			return
		}
		accepted := r.ingest(samples)
		apiJSON(w, http.StatusOK, map[string]int{"accepted": accepted, "rejected": len(samples) - accepted})
	})
}

// readBounded reads the body up to MaxIngestBytes; past it the answer is
// 413, and a body that breaks off is a 400.
func readBounded(w http.ResponseWriter, req *http.Request) ([]byte, int, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(http.MaxBytesReader(w, req.Body, MaxIngestBytes))
	if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body over %d bytes", MaxIngestBytes)
	}
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("reading the body: %w", err)
	}
	return buf.Bytes(), 0, nil
}

func (r *Registry) parseSamples(body []byte) ([]inSample, int, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw []map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("want a JSON array of samples: %w", err)
	}
	if raw == nil {
		return nil, http.StatusBadRequest, errors.New("want a JSON array of samples, not null")
	}
	if len(raw) > MaxIngestSamples {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("%d samples, at most %d", len(raw), MaxIngestSamples)
	}
	now := r.cfg.now().UnixMilli()
	out := make([]inSample, 0, len(raw))
	for i, m := range raw {
		s, err := parseSample(m, now)
		if err != nil {
			return nil, http.StatusBadRequest, fmt.Errorf("sample %d: %w", i, err)
		}
		out = append(out, s)
	}
	return out, 0, nil
}

func parseSample(m map[string]any, now int64) (inSample, error) {
	s := inSample{typ: "gauge", ms: now}
	name, ok := m["__name__"].(string)
	if !ok {
		return s, errors.New("missing __name__, or not a string")
	}
	if err := (Desc{Name: name}).validate(); err != nil {
		return s, err
	}
	s.name = name
	num, ok := m["value"].(json.Number)
	if !ok {
		return s, errors.New("missing value, or not a number")
	}
	var err error
	if s.value, err = num.Float64(); err != nil {
		return s, fmt.Errorf("value: %w", err)
	}
	for k, v := range m {
		if err := s.field(k, v); err != nil {
			return s, err
		}
	}
	if len(s.labels) > MaxIngestLabels {
		return s, fmt.Errorf("%d labels, at most %d", len(s.labels), MaxIngestLabels)
	}
	slices.SortFunc(s.labels, func(a, b Label) int { return strings.Compare(a.Name, b.Name) })
	return s, nil
}

// field reads one key of a sample other than __name__ and value.
func (s *inSample) field(k string, v any) error {
	switch k {
	case "__name__", "value":
		return nil
	case "__type__":
		t, _ := v.(string)
		t = strings.ToLower(t)
		if !slices.Contains([]string{"counter", "gauge", "histogram", "summary"}, t) {
			return fmt.Errorf("__type__ %v: want counter, gauge, histogram or summary", v)
		}
		s.typ = t
		return nil
	case "_timestamp":
		n, ok := v.(json.Number)
		f, err := n.Float64()
		if !ok || err != nil {
			return errors.New("_timestamp: want a number")
		}
		if f < 0 || f >= maxTimestamp {
			return fmt.Errorf("_timestamp %v: out of range", n)
		}
		s.ms = toMillis(f)
		return nil
	}
	if k != "le" && k != "quantile" {
		if err := validLabel(k); err != nil {
			return err
		}
	}
	var val string
	switch x := v.(type) {
	case string:
		val = x
	case json.Number:
		val = x.String()
	case bool:
		val = fmt.Sprint(x)
	default:
		return fmt.Errorf("label %q: want a string, number or boolean", k)
	}
	s.labels = append(s.labels, Label{Name: k, Value: val})
	return nil
}

// maxTimestamp bounds an ingested _timestamp, in microseconds at that
// size, so that it fits an int64.
const maxTimestamp = 9e18

// toMillis reads a timestamp in seconds, milliseconds or microseconds.
func toMillis(f float64) int64 {
	switch {
	case f >= 1e14:
		return int64(f / 1000)
	case f >= 1e11:
		return int64(f)
	}
	return int64(f * 1000)
}

// ingest stores and forwards the samples, and returns how many it took.
func (r *Registry) ingest(samples []inSample) int {
	n := 0
	var attrs []slog.Attr
	for _, s := range samples {
		if !r.admit(s) || r.store.Append(s.name, s.labels, s.ms, s.value) != nil {
			continue
		}
		n++
		if r.client == nil {
			continue
		}
		v, ok := wireValue(s.value)
		if !ok {
			continue
		}
		attrs = append(attrs[:0], slog.String("__name__", s.name), slog.String("__type__", s.typ))
		for _, l := range s.labels {
			attrs = append(attrs, slog.String(l.Name, l.Value))
		}
		attrs = append(attrs, slog.Float64("value", v))
		rec := o2kit.Record{Stream: r.client.Streams().Metrics, Time: time.UnixMilli(s.ms), Attrs: attrs}
		if err := r.client.EmitAs(context.Background(), o2kit.Metrics, rec); err != nil {
			r.stats.dropped.Add(1)
		}
	}
	return n
}

// admit reports whether s belongs to a series ingestion may hold.
func (r *Registry) admit(s inSample) bool {
	key := []string{s.name}
	for _, l := range s.labels {
		key = append(key, l.Name, l.Value)
	}
	h := hashValues(key)
	r.in.mu.Lock()
	defer r.in.mu.Unlock()
	if _, ok := r.in.series[h]; ok {
		return true
	}
	if len(r.in.series) >= MaxIngestSeries {
		r.stats.overflowed.Add(1)
		return false
	}
	if r.in.series == nil {
		r.in.series = map[uint64]struct{}{}
	}
	r.in.series[h] = struct{}{}
	return true
}
