// Package wire encodes records into the JSON lines OpenObserve ingests.
//
// The encoder is append-style: it writes into a caller-owned byte slice and
// allocates nothing for the common slog kinds (strings, numbers, booleans,
// durations, times and groups). Keys are written already normalised the way
// the server normalises them, and groups are flattened with '_', so the field
// names users query are the ones they wrote. Values of kind Any go through
// encoding/json, and a JSON object is flattened the same way.
package wire

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/o2kit/o2kit/internal/norm"
)

// TimestampKey is the field OpenObserve reads the event time from.
const TimestampKey = "_timestamp"

// maxDepth bounds recursion through nested groups and JSON objects, so a
// self-referencing LogValuer or a hostile value cannot exhaust the stack.
const maxDepth = 64

// Encoder writes records. Its zero value is ready to use; it keeps scratch
// space between calls, so one Encoder must not be used by two goroutines at
// once (pool them).
type Encoder struct {
	// IDKey is the normalised name of the record id field; empty leaves the
	// id out.
	IDKey string

	buf []byte
	// pfx holds the normalised group prefixes of the attr being written,
	// each ending in '_'; nested groups extend it and truncate it back.
	pfx []byte
}

// AppendRecord appends one record as a JSON object followed by '\n':
// `_timestamp` (µs), then the id field when IDKey and id are non-empty, then
// attrs. Attributes whose key normalises to `_timestamp` or IDKey are left
// out: the record's own time and id are authoritative.
func (e *Encoder) AppendRecord(dst []byte, micros int64, id []byte, attrs []slog.Attr) []byte {
	dst = append(dst, `{"`+TimestampKey+`":`...)
	dst = strconv.AppendInt(dst, micros, 10)
	if e.IDKey != "" && len(id) > 0 {
		dst = append(dst, ',', '"')
		dst = append(dst, e.IDKey...)
		dst = append(dst, '"', ':', '"')
		dst = append(dst, id...)
		dst = append(dst, '"')
	}
	e.buf, e.pfx = dst, e.pfx[:0]
	for _, a := range attrs {
		e.attr(a, 0)
	}
	dst = append(e.buf, '}', '\n')
	e.buf = nil
	return dst
}

// attr writes a under the current group prefix.
func (e *Encoder) attr(a slog.Attr, depth int) {
	v := a.Value
	kind := v.Kind()
	if kind == slog.KindLogValuer {
		v = v.Resolve()
		kind = v.Kind()
	}
	if kind == slog.KindGroup {
		e.group(a.Key, v.Group(), depth)
		return
	}
	if a.Key == "" {
		return
	}
	mark := len(e.buf)
	e.buf = append(e.buf, ',', '"')
	e.buf = append(e.buf, e.pfx...)
	e.buf = norm.AppendKey(e.buf, a.Key)
	key := e.buf[mark+2:]
	if e.reserved(key) {
		e.buf = e.buf[:mark]
		return
	}
	if kind == slog.KindAny {
		k := string(key)
		e.buf = e.buf[:mark]
		e.any(k, v.Any(), depth)
		return
	}
	e.buf = append(e.buf, '"', ':')
	e.value(kind, v)
}

func (e *Encoder) group(name string, attrs []slog.Attr, depth int) {
	if len(attrs) == 0 || depth >= maxDepth {
		return
	}
	mark := len(e.pfx)
	if name != "" {
		e.pfx = norm.AppendKey(e.pfx, name)
		e.pfx = append(e.pfx, '_')
	}
	for _, a := range attrs {
		e.attr(a, depth+1)
	}
	e.pfx = e.pfx[:mark]
}

func (e *Encoder) reserved(key []byte) bool {
	return string(key) == TimestampKey || (e.IDKey != "" && string(key) == e.IDKey)
}

func (e *Encoder) writeKey(key string) {
	e.buf = append(e.buf, ',', '"')
	e.buf = append(e.buf, key...)
	e.buf = append(e.buf, '"', ':')
}

func (e *Encoder) value(kind slog.Kind, v slog.Value) {
	switch kind {
	case slog.KindString:
		e.buf = AppendString(e.buf, v.String())
	case slog.KindInt64:
		e.buf = strconv.AppendInt(e.buf, v.Int64(), 10)
	case slog.KindUint64:
		e.buf = strconv.AppendUint(e.buf, v.Uint64(), 10)
	case slog.KindFloat64:
		e.buf = AppendFloat(e.buf, v.Float64())
	case slog.KindBool:
		e.buf = strconv.AppendBool(e.buf, v.Bool())
	case slog.KindDuration:
		e.buf = strconv.AppendInt(e.buf, int64(v.Duration()), 10)
	case slog.KindTime:
		e.buf = append(e.buf, '"')
		e.buf = v.Time().AppendFormat(e.buf, time.RFC3339Nano)
		e.buf = append(e.buf, '"')
	default:
		e.buf = AppendString(e.buf, v.String())
	}
}

// any writes a value of kind Any: an error as its text, anything else as
// encoding/json renders it, with objects flattened under key.
func (e *Encoder) any(key string, x any, depth int) {
	if err, ok := x.(error); ok {
		if _, marshals := x.(json.Marshaler); !marshals {
			e.writeKey(key)
			e.buf = AppendString(e.buf, errorText(err))
			return
		}
	}
	raw, err := marshal(x)
	if err != nil {
		e.writeKey(key)
		e.buf = AppendString(e.buf, "!ERROR:"+err.Error())
		return
	}
	e.rawJSON(key, raw, depth)
}

// errorText is err.Error() that turns a panic in the method into a text
// naming it, as slog does for a panicking LogValue, so a faulty error value
// cannot crash the goroutine that logs it.
func errorText(err error) (text string) {
	defer func() {
		if r := recover(); r != nil {
			text = fmt.Sprintf("!PANIC in Error: %v", r)
		}
	}()
	return err.Error()
}

// marshal is json.Marshal that turns a panic in a MarshalJSON method into
// an error, so a faulty value cannot crash the goroutine that logs it.
func marshal(x any) (raw []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			raw, err = nil, fmt.Errorf("panic in MarshalJSON: %v", r)
		}
	}()
	return json.Marshal(x)
}
