package wire

import (
	"bytes"
	"encoding/json"
	"slices"
	"unicode/utf8"

	"github.com/o2kit/o2kit/internal/norm"
)

// rawJSON writes a value that encoding/json produced, under key. Objects
// are flattened with '_' and normalised keys, arrays become compact JSON
// strings and empty arrays and objects are left out, as OpenObserve stores
// them. This is the slow path for values of kind Any.
func (e *Encoder) rawJSON(key string, raw []byte, depth int) {
	switch raw[0] {
	case '{':
		var obj map[string]any
		if err := unmarshal(raw, &obj); err != nil {
			e.writeKey(key)
			e.buf = AppendString(e.buf, "!ERROR:"+err.Error())
			return
		}
		e.object(key, obj, depth)
	case '[':
		if string(raw) == "[]" {
			return
		}
		e.writeKey(key)
		e.buf = AppendString(e.buf, string(raw))
	case '"':
		e.writeKey(key)
		if utf8.Valid(raw) {
			e.buf = append(e.buf, raw...)
			return
		}
		// encoding/json passes a MarshalJSON result's bytes on as they
		// are, invalid UTF-8 included, and one such line makes the server
		// refuse the whole batch: decoding replaces it, as AppendString does.
		var s string
		_ = json.Unmarshal(raw, &s)
		e.buf = AppendString(e.buf, s)
	default:
		e.writeKey(key)
		e.buf = append(e.buf, raw...)
	}
}

func (e *Encoder) object(key string, obj map[string]any, depth int) {
	if depth >= maxDepth {
		raw, _ := json.Marshal(obj)
		e.writeKey(key)
		e.buf = AppendString(e.buf, string(raw))
		return
	}
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		child := key + "_" + norm.Key(k)
		if e.reserved([]byte(child)) {
			continue
		}
		switch v := obj[k].(type) {
		case map[string]any:
			e.object(child, v, depth+1)
		case []any:
			if len(v) == 0 {
				continue
			}
			raw, _ := json.Marshal(v)
			e.writeKey(child)
			e.buf = AppendString(e.buf, string(raw))
		case nil:
			// The server drops nulls; sending them only costs bytes.
		case string:
			e.writeKey(child)
			e.buf = AppendString(e.buf, v)
		case json.Number:
			e.writeKey(child)
			e.buf = append(e.buf, v...)
		case bool:
			e.writeKey(child)
			e.buf = appendBool(e.buf, v)
		}
	}
}

func appendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

func unmarshal(raw []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	return d.Decode(v)
}
