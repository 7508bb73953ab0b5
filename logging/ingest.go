package logging

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/o2kit/o2kit"
)

const (
	maxMessage = 32 << 10
	maxID      = 256
	maxDepth   = 8
	// maxAhead is how far in the future OpenObserve takes a record
	// (ZO_INGEST_ALLOWED_IN_FUTURE's default).
	maxAhead = 24 * time.Hour
)

func (a *api) ingest(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r, a.cfg.maxBody)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSON(w, http.StatusRequestEntityTooLarge, apiError{Error: fmt.Sprintf("body exceeds %d bytes", a.cfg.maxBody)})
			return
		}
		writeJSON(w, http.StatusBadRequest, apiError{Error: "reading body: " + err.Error(), Field: "body"})
		return
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "body must be a JSON array of entries: " + jsonProblem(err), Field: "body"})
		return
	}
	if len(raw) > a.cfg.maxEntries {
		writeJSON(w, http.StatusBadRequest, apiError{Error: fmt.Sprintf("at most %d entries per request", a.cfg.maxEntries), Field: "entries"})
		return
	}
	recs, bad := a.parseAll(raw)
	if len(bad) > 0 {
		writeJSON(w, http.StatusBadRequest, apiError{Error: bad[0].Error(), Field: bad[0].Field, Entries: bad})
		return
	}
	a.emitAll(w, r, recs)
}

// emitAll hands a checked batch to the client: 202 when it took every
// record; when it refused one, the number taken before it and 413 for an
// entry larger than a batch (resending cannot help), else 503.
func (a *api) emitAll(w http.ResponseWriter, r *http.Request, recs []o2kit.Record) {
	for i, rec := range recs {
		err := a.client.Emit(r.Context(), rec)
		switch {
		case err == nil:
			continue
		case errors.Is(err, o2kit.ErrRecordTooLarge):
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"error": err.Error(), "field": "entries[" + strconv.Itoa(i) + "]", "accepted": i})
		case errors.Is(err, o2kit.ErrTooManyFields):
			// Final, as a bad entry is: sending it again cannot help.
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error(), "field": "entries[" + strconv.Itoa(i) + "]", "accepted": i})
		default:
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": err.Error(), "accepted": i})
		}
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"accepted": len(recs)})
}

// jsonProblem describes a decoding error with the byte offset it was
// found at, when the decoder knows it.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("%s, after %d bytes", err, syn.Offset)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Sprintf("found a JSON %s, after %d bytes", typ.Value, typ.Offset)
	}
	return err.Error()
}

func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	return buf.Bytes(), err
}

// parseAll checks every entry, so one answer lists every problem.
func (a *api) parseAll(raw []json.RawMessage) ([]o2kit.Record, []*FieldError) {
	recs := make([]o2kit.Record, 0, len(raw))
	var bad []*FieldError
	for i, m := range raw {
		rec, fe := a.parseEntry(m, "entries["+strconv.Itoa(i)+"]")
		if fe != nil {
			bad = append(bad, fe)
			continue
		}
		recs = append(recs, rec)
	}
	return recs, bad
}

// entry is what an entry holds once its fields are checked; its checker
// keeps the first problem, named after the entry.
type entry struct {
	checker
	fields map[string]string // schema fields, by name
	at     time.Time
	attrs  []slog.Attr
}

func (a *api) parseEntry(raw json.RawMessage, name string) (o2kit.Record, *FieldError) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return o2kit.Record{}, &FieldError{Event: name, Field: "", Reason: "must be a JSON object"}
	}
	e := entry{checker: checker{event: name}, fields: map[string]string{FieldLevel: "INFO", FieldService: a.cfg.service}}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		e.field(k, obj[k])
	}
	e.require(FieldMessage, e.fields[FieldMessage])
	if e.err != nil {
		return o2kit.Record{}, e.err
	}
	attrs := make([]slog.Attr, 0, 9+len(e.attrs))
	for _, k := range []string{FieldLevel, FieldService, FieldMessage, o2kit.FieldUserID, o2kit.FieldSessionID,
		o2kit.FieldRequestID, o2kit.FieldTraceID, o2kit.FieldSpanID} {
		if v := e.fields[k]; v != "" {
			attrs = append(attrs, slog.String(k, v))
		}
	}
	return o2kit.Record{Stream: a.cfg.stream, Time: e.at, Attrs: append(attrs, e.attrs...)}, nil
}

// field checks one field of an entry.
func (e *entry) field(k string, v json.RawMessage) {
	switch k {
	case "timestamp":
		t, reason := parseTimestamp(v)
		if reason == "" && t.After(time.Now().Add(maxAhead)) {
			reason = "must not be more than 24 hours ahead (the server discards such records)"
		}
		if reason != "" {
			e.fail(k, reason)
		}
		e.at = t
	case FieldLevel:
		s, ok := jsonString(v)
		l, known := levelOf(s)
		if !ok || !known {
			e.fail(k, "must be one of debug, info, warn, error")
		}
		e.fields[k] = l
	case FieldMessage:
		e.str(k, v, maxMessage, nil)
	case FieldService, o2kit.FieldUserID, o2kit.FieldSessionID, o2kit.FieldRequestID:
		e.str(k, v, maxID, nil)
	case o2kit.FieldTraceID:
		e.str(k, v, 32, traceIDPattern.MatchString)
	case o2kit.FieldSpanID:
		e.str(k, v, 16, func(s string) bool { return len(s) == 16 && traceIDPattern.MatchString(s+s) })
	case "attributes":
		attrs, field, reason := parseAttributes(v)
		if reason != "" {
			e.fail(field, reason)
		}
		e.attrs = attrs
	default:
		e.fail(k, "is not a known field (put it in attributes)")
	}
}

func (e *entry) str(k string, v json.RawMessage, limit int, valid func(string) bool) {
	s, ok := jsonString(v)
	switch {
	case !ok:
		e.fail(k, "must be a string")
	case len(s) > limit:
		e.fail(k, fmt.Sprintf("must be at most %d bytes", limit))
	case valid != nil && s != "" && !valid(s):
		e.fail(k, "is malformed")
	}
	e.fields[k] = s
}

func jsonString(v json.RawMessage) (string, bool) {
	var s string
	return s, json.Unmarshal(v, &s) == nil && len(v) > 0 && v[0] == '"'
}

func levelOf(s string) (string, bool) {
	switch strings.ToLower(s) {
	case "debug":
		return "DEBUG", true
	case "info":
		return "INFO", true
	case "warn", "warning":
		return "WARN", true
	case "error":
		return "ERROR", true
	}
	return "", false
}
