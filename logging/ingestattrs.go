package logging

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/norm"
)

// parseTimestamp reads an RFC 3339 string or an integer Unix time whose
// unit is told by its size, as OpenObserve does; null or absent is zero.
func parseTimestamp(v json.RawMessage) (time.Time, string) {
	const reason = "must be an RFC 3339 string or an integer Unix time"
	if string(v) == "null" {
		return time.Time{}, ""
	}
	if s, ok := jsonString(v); ok {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return t, reason
		}
		return t, ""
	}
	var n json.Number
	if err := json.Unmarshal(v, &n); err != nil {
		return time.Time{}, reason
	}
	i, err := n.Int64()
	if err != nil || i <= 0 {
		return time.Time{}, reason
	}
	return time.UnixMicro(norm.TimestampMicros(i)).UTC(), ""
}

// reservedKeys are the schema's fields, which attributes may not shadow.
var reservedKeys = []string{"_timestamp", FieldLevel, FieldService, FieldMessage, o2kit.FieldUserID,
	o2kit.FieldSessionID, o2kit.FieldRequestID, o2kit.FieldTraceID, o2kit.FieldSpanID, o2kit.FieldTenantID}

// parseAttributes turns a JSON object into attrs, nested objects into
// groups, in key order. It returns the field at fault and why on error.
func parseAttributes(v json.RawMessage) ([]slog.Attr, string, string) {
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	var obj map[string]any
	if err := d.Decode(&obj); err != nil || obj == nil {
		return nil, "attributes", "must be a JSON object"
	}
	attrs, field, reason := toAttrs(obj, "attributes", "", 0)
	return attrs, field, reason
}

// toAttrs turns obj into attrs; path names it for errors, flat is the
// name its keys flatten under.
func toAttrs(obj map[string]any, path, flat string, depth int) ([]slog.Attr, string, string) {
	if depth >= maxDepth {
		return nil, path, "nests too deep"
	}
	attrs := make([]slog.Attr, 0, len(obj))
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if k == "" {
			return nil, path, "has an empty key"
		}
		name := joinKey(flat, o2kit.FieldName(k))
		if slices.Contains(reservedKeys, name) {
			return nil, path + "." + k, "is stored as " + name + ", a schema field; set it at the top of the entry"
		}
		switch x := obj[k].(type) {
		case map[string]any:
			g, field, reason := toAttrs(x, path+"."+k, name, depth+1)
			if reason != "" {
				return nil, field, reason
			}
			attrs = append(attrs, slog.Attr{Key: k, Value: slog.GroupValue(g...)})
		case json.Number:
			if i, err := x.Int64(); err == nil {
				attrs = append(attrs, slog.Int64(k, i))
			} else if f, err := x.Float64(); err == nil {
				attrs = append(attrs, slog.Float64(k, f))
			} else {
				return nil, path + "." + k, "is not a representable number"
			}
		case nil:
			// null: nothing to store, as OpenObserve drops nulls.
		default:
			attrs = append(attrs, slog.Any(k, x))
		}
	}
	return attrs, "", ""
}
