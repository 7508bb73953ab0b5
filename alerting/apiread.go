package alerting

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/common/model"
)

// apiInputError is a request the caller got wrong: the field at fault (a
// JSON path such as "escalation[1].after", or a query parameter) and why.
type apiInputError struct {
	Field  string
	Reason string
}

func (e *apiInputError) Error() string { return e.Field + ": " + e.Reason }

func apiReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	return buf.Bytes(), err
}

// apiReader decodes a JSON body strictly, field by field: a value of the
// wrong type, a malformed duration or time, or an unknown key is an
// error naming the field's path. It keeps the first problem (keys are
// read in sorted order, so the same body always names the same field).
// JSON null reads as an absent field.
type apiReader struct{ err *apiInputError }

// apiFieldFunc reads the value v of key at path; it returns false for an
// unknown key.
type apiFieldFunc func(key, path string, v json.RawMessage) bool

func (d *apiReader) fail(path, reason string) {
	if d.err == nil {
		d.err = &apiInputError{Field: path, Reason: reason}
	}
}

// result returns the first problem as an error, or nil.
func (d *apiReader) result() error {
	if d.err == nil {
		return nil
	}
	return d.err
}

// body reads a request body that must be one JSON object.
func (d *apiReader) body(b []byte, field apiFieldFunc) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		d.fail("body", "must be a JSON object: "+apiJSONProblem(err))
		return
	}
	d.fields("", obj, field)
}

// object reads the value at path, which must be a JSON object.
func (d *apiReader) object(path string, v json.RawMessage, field apiFieldFunc) {
	var obj map[string]json.RawMessage
	if !apiStarts(v, '{') || json.Unmarshal(v, &obj) != nil {
		d.fail(path, "must be a JSON object")
		return
	}
	d.fields(path, obj, field)
}

func (d *apiReader) fields(path string, obj map[string]json.RawMessage, field apiFieldFunc) {
	if obj == nil {
		d.fail("body", "must be a JSON object")
		return
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		p := k
		if k == "" {
			p = `""`
		}
		if path != "" {
			p = path + "." + p
		}
		if apiIsNull(obj[k]) {
			continue
		}
		if !field(k, p, obj[k]) {
			d.fail(p, "is not a known field")
		}
	}
}

// array calls elem for each element of the JSON array at path.
func (d *apiReader) array(path string, v json.RawMessage, elem func(path string, v json.RawMessage)) {
	var vs []json.RawMessage
	if !apiStarts(v, '[') || json.Unmarshal(v, &vs) != nil {
		d.fail(path, "must be a JSON array")
		return
	}
	for i, e := range vs {
		elem(path+"["+strconv.Itoa(i)+"]", e)
	}
}

func (d *apiReader) str(path string, v json.RawMessage, dst *string) {
	if !apiStarts(v, '"') || json.Unmarshal(v, dst) != nil {
		d.fail(path, "must be a string")
	}
}

// strs reads an array of strings; an empty one reads as nil.
func (d *apiReader) strs(path string, v json.RawMessage, dst *[]string) {
	var out []string
	d.array(path, v, func(p string, e json.RawMessage) {
		var s string
		d.str(p, e, &s)
		out = append(out, s)
	})
	*dst = out
}

// strMap reads an object of strings; an empty one reads as nil.
func (d *apiReader) strMap(path string, v json.RawMessage, dst *map[string]string) {
	var out map[string]string
	d.object(path, v, func(k, p string, e json.RawMessage) bool {
		var s string
		d.str(p, e, &s)
		if out == nil {
			out = map[string]string{}
		}
		out[k] = s
		return true
	})
	*dst = out
}

func (d *apiReader) boolean(path string, v json.RawMessage, dst *bool) {
	if json.Unmarshal(v, dst) != nil {
		d.fail(path, "must be true or false")
	}
}

// duration reads a Prometheus duration string such as "5m" or "1h30m".
func (d *apiReader) duration(path string, v json.RawMessage, dst *time.Duration) {
	var s string
	if !apiStarts(v, '"') || json.Unmarshal(v, &s) != nil {
		d.fail(path, `must be a duration string such as "5m"`)
		return
	}
	md, err := model.ParseDuration(s)
	if err != nil {
		d.fail(path, `must be a duration such as "30s", "5m" or "1h30m"`)
		return
	}
	*dst = time.Duration(md)
}

// time reads an RFC 3339 time.
func (d *apiReader) time(path string, v json.RawMessage, dst *time.Time) {
	var s string
	d.str(path, v, &s)
	if d.err != nil {
		return
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		d.fail(path, "must be an RFC 3339 time such as 2026-11-30T08:00:00Z")
		return
	}
	*dst = t
}

// apiDuration writes d as a Prometheus duration string; zero is "".
func apiDuration(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return model.Duration(d).String()
}

func apiStarts(v json.RawMessage, c byte) bool {
	v = bytes.TrimSpace(v)
	return len(v) > 0 && v[0] == c
}

func apiIsNull(v json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(v), []byte("null")) }

// apiJSONProblem describes a decoding error with the byte offset it was
// found at, when the decoder knows it.
func apiJSONProblem(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("%s, after %d bytes", err, syn.Offset)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return "found a JSON " + typ.Value
	}
	return "invalid JSON"
}
