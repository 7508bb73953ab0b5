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

	"github.com/o2kit/o2kit/internal/norm"
)

// TimestampKey is the field OpenObserve reads the event time from.
const TimestampKey = "_timestamp"

// maxDepth bounds recursion through nested groups and JSON objects, so a
// self-referencing LogValuer or a hostile value cannot exhaust the stack.
const maxDepth = 64

// Encoder writes records. Its zero value is ready to use; it keeps scratch
// space and a cache of normal keys between calls, so one Encoder must not be
// used by two goroutines at once (pool them), and its IDKey must be set
// before its first record.
type Encoder struct {
	// IDKey is the normalised name of the record id field; empty leaves the
	// id out.
	IDKey string

	buf []byte
	// keys remembers normal keys; it assumes IDKey does not change once
	// the Encoder is in use.
	keys keyCache
	// fields remembers the openings of top-level fields, with the same
	// assumption.
	fields fieldCache
	// pfx holds the normalised group prefixes of the attr being written,
	// each ending in '_'; nested groups extend it and truncate it back.
	pfx []byte

	// ErrorChains makes the encoder follow each top-level attr holding an
	// error that wraps others with a field key_chain: the types and texts
	// of what it wraps ([Chain]). Set and clear it between attrs as they
	// need it.
	ErrorChains bool

	// statKeys remembers what keys stand for in a Static.
	statKeys staticKeys

	idAt, idEnd int // where the id of the record being written is in dst; idEnd 0 for none
	own         ownState
	nfields     int // fields written to the record being written, see Fields
}

// ownState is what the record being written says of its own id.
type ownState struct {
	id          string
	ok, decided bool
}

// AppendRecord appends one record as a JSON object followed by '\n':
// `_timestamp` (µs), then the id field when IDKey and id are non-empty, then
// attrs. Attributes whose key normalises to `_timestamp` or IDKey are left
// out: the record's own time and id are authoritative.
//
// A top-level string attr named exactly IDKey is the record's own id, as
// a record read back from OpenObserve or a backup carries: [Encoder.OwnID]
// reports it once the record is written, and [Encoder.ReplaceID] puts it
// in place of id.
func (e *Encoder) AppendRecord(dst []byte, micros int64, id []byte, attrs []slog.Attr) []byte {
	dst = e.Begin(dst, micros, id)
	for i := range attrs {
		dst = e.attr(dst, &attrs[i], 0)
	}
	return e.End(dst)
}

// Begin starts a record written an attr at a time: it appends what
// AppendRecord writes before the attrs. Attr appends each attr, End closes
// the record; the bytes are those AppendRecord writes for the same attrs.
func (e *Encoder) Begin(dst []byte, micros int64, id []byte) []byte {
	dst = append(dst, `{"`+TimestampKey+`":`...)
	dst = appendInt(dst, micros)
	e.idAt, e.idEnd, e.own, e.nfields = 0, 0, ownState{}, 1
	if e.IDKey != "" && len(id) > 0 {
		e.nfields++
		dst = append(dst, ',', '"')
		dst = append(dst, e.IDKey...)
		dst = append(dst, '"', ':', '"')
		e.idAt = len(dst)
		dst = append(dst, id...)
		e.idEnd = len(dst)
		dst = append(dst, '"')
	}
	e.pfx = e.pfx[:0]
	return dst
}

// Fields returns a bound on the number of fields of the record written
// last (by AppendRecord, AppendRecordStatic or Begin to End): it counts
// every field written, null ones and those a later field of the same key
// replaces included, so the record has at most that many columns.
func (e *Encoder) Fields() int { return e.nfields }

// Attr appends a as a top-level field of the record begun with Begin.
func (e *Encoder) Attr(dst []byte, a *slog.Attr) []byte { return e.attr(dst, a, 0) }

// End closes the record begun with Begin.
func (e *Encoder) End(dst []byte) []byte { return append(dst, '}', '\n') }

// attr appends a under the current group prefix. The hot path works on
// dst, not on a field, so the buffer stays in registers.
func (e *Encoder) attr(dst []byte, a *slog.Attr, depth int) []byte {
	kind := a.Value.Kind()
	if kind == slog.KindGroup {
		return e.group(dst, a.Key, a.Value.Group(), depth)
	}
	if kind == slog.KindLogValuer {
		// A chain follows attrs of kind Any only, not what a LogValuer
		// resolves to, as a slog handler's own rules see it.
		chains := e.ErrorChains
		e.ErrorChains = false
		r := slog.Attr{Key: a.Key, Value: a.Value.Resolve()}
		dst = e.attr(dst, &r, depth)
		e.ErrorChains = chains
		return dst
	}
	if a.Key == "" {
		return dst
	}
	mark := len(dst)
	dst, ok := e.appendOpen(dst, a.Key)
	if !ok { // a reserved key: the record's own id, perhaps
		if kind == slog.KindString {
			e.noteOwn(a, depth)
		}
		return dst
	}
	if kind == slog.KindAny {
		dst = e.anyAttr(dst, mark, a.Value.Any(), depth)
	} else {
		dst = appendValue(dst, kind, a.Value)
	}
	if kind != slog.KindString && len(dst) > mark+2 && dst[mark+2] == '_' {
		dst = docID(dst, mark)
	}
	if kind == slog.KindAny && e.ErrorChains && depth == 0 {
		dst = e.appendChain(dst, a)
	}
	return dst
}

// appendOpen appends `,"key":` for the key k under the current group
// prefix, and reports false, with dst unchanged, when the whole key is
// reserved.
func (e *Encoder) appendOpen(dst []byte, k string) ([]byte, bool) {
	top := len(e.pfx) == 0
	if top {
		if s := e.fields.find(k); s != nil {
			e.nfields++
			return s.appendTo(dst), true
		}
	}
	mark := len(dst)
	dst = append(dst, ',', '"')
	dst, ok := e.appendKey(dst, mark, k)
	if !ok {
		return dst, false
	}
	dst = append(dst, '"', ':')
	if top && string(dst[mark+2:len(dst)-2]) == k {
		// Normal, and not reserved since appendKey took it.
		e.fields.remember(k, dst[mark:])
	}
	e.nfields++
	return dst, true
}

// anyAttr appends a value of kind Any after the opening of its field,
// which starts at dst[mark]: an error that is not a json.Marshaler as its
// text, anything else through the slow path of [Encoder.any].
func (e *Encoder) anyAttr(dst []byte, mark int, x any, depth int) []byte {
	if err, ok := x.(error); ok {
		if _, marshals := x.(json.Marshaler); !marshals {
			return AppendString(dst, ErrorText(err))
		}
	}
	key := string(dst[mark+2 : len(dst)-2])
	e.buf = dst[:mark]
	e.nfields-- // the opening is taken back; any writes its own
	e.any(key, x, depth)
	dst, e.buf = e.buf, nil
	return dst
}

func (e *Encoder) group(dst []byte, name string, attrs []slog.Attr, depth int) []byte {
	if len(attrs) == 0 || depth >= maxDepth {
		return dst
	}
	mark := len(e.pfx)
	if name != "" {
		e.pfx = norm.AppendKey(e.pfx, name)
		e.pfx = append(e.pfx, '_')
	}
	for i := range attrs {
		dst = e.attr(dst, &attrs[i], depth+1)
	}
	e.pfx = e.pfx[:mark]
	return dst
}

func (e *Encoder) reserved(key []byte) bool {
	return string(key) == TimestampKey || (e.IDKey != "" && string(key) == e.IDKey)
}

func (e *Encoder) writeKey(key string) {
	e.nfields++
	e.buf = append(e.buf, ',', '"')
	e.buf = append(e.buf, key...)
	e.buf = append(e.buf, '"', ':')
}

// appendValue appends v, of a kind other than Any, Group and LogValuer.
func appendValue(dst []byte, kind slog.Kind, v slog.Value) []byte {
	switch kind {
	case slog.KindString:
		dst = AppendString(dst, v.String())
	case slog.KindInt64:
		dst = appendInt(dst, v.Int64())
	case slog.KindUint64:
		dst = appendUint(dst, v.Uint64())
	case slog.KindFloat64:
		dst = AppendFloat(dst, v.Float64())
	case slog.KindBool:
		dst = strconv.AppendBool(dst, v.Bool())
	case slog.KindDuration:
		dst = appendInt(dst, int64(v.Duration()))
	case slog.KindTime:
		dst = append(dst, '"')
		dst = appendTime(dst, v.Time())
		dst = append(dst, '"')
	default:
		dst = AppendString(dst, v.String())
	}
	return dst
}

// any writes a value of kind Any, other than the errors [Encoder.anyAttr]
// writes, as encoding/json renders it, with objects flattened under key.
func (e *Encoder) any(key string, x any, depth int) {
	raw, err := Marshal(x)
	if err != nil {
		e.writeKey(key)
		e.buf = AppendString(e.buf, "!ERROR:"+err.Error())
		return
	}
	e.rawJSON(key, raw, depth)
}

// ErrorText is err.Error() that turns a panic in the method into a text
// naming it, as slog does for a panicking LogValue, so a faulty error value
// cannot crash the goroutine that logs it.
func ErrorText(err error) (text string) {
	defer func() {
		if r := recover(); r != nil {
			text = fmt.Sprintf("!PANIC in Error: %v", r)
		}
	}()
	return err.Error()
}

// Marshal is json.Marshal that turns a panic in a MarshalJSON method into
// an error, so a faulty value cannot crash the goroutine that logs it.
func Marshal(x any) (raw []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			raw, err = nil, fmt.Errorf("panic in MarshalJSON: %v", r)
		}
	}()
	return json.Marshal(x)
}
