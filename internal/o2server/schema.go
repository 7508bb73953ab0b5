package o2server

import (
	"slices"
	"strconv"
)

// Arrow type names as the server prints them in schemas and errors.
const (
	tUtf8    = "Utf8"
	tInt64   = "Int64"
	tUInt64  = "UInt64"
	tFloat64 = "Float64"
	tBool    = "Boolean"
)

// knownTypes are the Arrow type names accepted when a stream is created or
// fields are added through the API.
var knownTypes = []string{
	"Boolean", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
	"Float16", "Float32", "Float64", "Utf8", "LargeUtf8", "Utf8View", "Binary", "Date32", "Date64",
}

// field is one column of a stream schema.
type field struct {
	name string
	typ  string
}

// typeClass groups Arrow types by how values are stored and cast.
type typeClass uint8

const (
	classOther typeClass = iota
	classString
	classInt
	classUint
	classFloat
	classBool
)

func classOf(t string) typeClass {
	switch t {
	case "Utf8", "LargeUtf8":
		return classString
	case "Int8", "Int16", "Int32", "Int64":
		return classInt
	case "UInt8", "UInt16", "UInt32", "UInt64":
		return classUint
	case "Float16", "Float32", "Float64":
		return classFloat
	case "Boolean":
		return classBool
	}
	return classOther
}

// declType is the SQLite column type used for an Arrow type. The names give
// the right affinity and let query results be converted back.
func declType(t string) string {
	switch classOf(t) {
	case classInt:
		return "INTEGER"
	case classUint:
		return "UBIGINT"
	case classFloat:
		return "REAL"
	case classBool:
		return "BOOLEAN"
	}
	return "TEXT"
}

// valueType is the Arrow type the server infers for a JSON value, or "" for
// null (infer_json_schema_from_object).
func valueType(v *jvalue) string {
	switch v.kind {
	case jString:
		return tUtf8
	case jBool:
		return tBool
	case jNumber:
		if _, ok := v.isInt(); ok {
			return tInt64
		}
		if _, err := strconv.ParseUint(v.s, 10, 64); err == nil {
			return tUInt64
		}
		return tFloat64
	}
	return ""
}

// mergeType combines the type seen so far in a batch with the type of one
// more value (convert_data_type). The result is the wider of the two.
func mergeType(have, next string) string {
	if have == "" || have == next {
		return next
	}
	switch have {
	case tUtf8:
		return have
	case tBool:
		return next
	case tFloat64:
		if next == tUtf8 {
			return next
		}
		return have
	case tInt64:
		if next == tBool {
			return have
		}
		return next
	case tUInt64:
		if next == tInt64 || next == tBool {
			return have
		}
		return next
	}
	return have
}

// widening lists, per Arrow type, the types a column may be widened to
// (is_widening_conversion). Anything not listed may only become Utf8.
var widening = map[string][]string{
	"Boolean":   {"Utf8", "LargeUtf8", "Int8", "Int16", "Int32", "Int64", "Float16", "Float32", "Float64"},
	"Int8":      {"Utf8", "LargeUtf8", "Int16", "Int32", "Int64", "Float16", "Float32", "Float64"},
	"Int16":     {"Utf8", "LargeUtf8", "Int32", "Int64", "Float16", "Float32", "Float64"},
	"Int32":     {"Utf8", "LargeUtf8", "Int64", "UInt32", "UInt64", "Float32", "Float64"},
	"Int64":     {"Utf8", "LargeUtf8", "UInt64", "Float64"},
	"UInt8":     {"Utf8", "LargeUtf8", "UInt16", "UInt32", "UInt64"},
	"UInt16":    {"Utf8", "LargeUtf8", "UInt32", "UInt64"},
	"UInt32":    {"Utf8", "LargeUtf8", "UInt64"},
	"UInt64":    {"Utf8", "LargeUtf8"},
	"Float16":   {"Utf8", "LargeUtf8", "Float32", "Float64"},
	"Float32":   {"Utf8", "LargeUtf8", "Float64"},
	"Float64":   {"Utf8", "LargeUtf8"},
	"Utf8":      {"LargeUtf8"},
	"LargeUtf8": {"LargeUtf8"},
}

func isWidening(from, to string) bool {
	allowed, ok := widening[from]
	if !ok {
		return to == tUtf8
	}
	return slices.Contains(allowed, to)
}
