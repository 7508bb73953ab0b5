package o2server

import (
	"math"
	"strconv"
)

// castFailure is the message a record fails with when a value cannot be cast
// to its column's type; the trailing space is the server's.
func castFailure(f field) string {
	return "Failed to cast " + f.name + " to type " + f.typ + " "
}

// castValue casts v to the type of a column that is narrower than the value
// (cast_to_type). It reports false when the server would fail the record.
func castValue(v jvalue, t string) (jvalue, bool) {
	if v.kind == jNull {
		return v, true
	}
	switch classOf(t) {
	case classString:
		if v.kind == jString {
			return v, true
		}
		return jstr(displayString(&v)), true
	case classInt:
		switch v.kind {
		case jNumber:
			return v, true
		case jString:
			n, err := strconv.ParseInt(v.s, 10, 64)
			return jint(n), err == nil
		case jBool:
			return jint(b2i(v.b)), true
		}
	case classUint:
		switch v.kind {
		case jNumber:
			return v, true
		case jString:
			n, err := strconv.ParseUint(v.s, 10, 64)
			return juint(n), err == nil
		case jBool:
			return jint(b2i(v.b)), true
		}
	case classFloat:
		switch v.kind {
		case jNumber:
			return v, true
		case jString:
			f, ok := parseRustFloat(v.s)
			return jvalue{kind: jNumber, s: formatRyu(f)}, ok
		case jBool:
			return jvalue{kind: jNumber, s: formatRyu(float64(b2i(v.b)))}, true
		}
	case classBool:
		switch v.kind {
		case jBool:
			return v, true
		case jNumber:
			f, _ := v.float()
			return jbool(f > 0), true
		case jString:
			return jbool(v.s == "true"), v.s == "true" || v.s == "false"
		}
	}
	return v, false
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// displayString is serde_json's get_string_value: numbers through Rust's
// Display, booleans as words.
func displayString(v *jvalue) string {
	switch v.kind {
	case jString:
		return v.s
	case jBool:
		return strconv.FormatBool(v.b)
	case jNumber:
		if n, ok := v.isInt(); ok {
			return strconv.FormatInt(n, 10)
		}
		if u, err := strconv.ParseUint(v.s, 10, 64); err == nil {
			return strconv.FormatUint(u, 10)
		}
		f, _ := v.float()
		return formatRustFloat(f)
	case jNull:
		return ""
	}
	return string(appendJSON(nil, v, true))
}

// columnValue converts a JSON value to what is stored in a column of type t,
// leniently as the server's record-batch builder does.
func columnValue(v *jvalue, t string) any {
	if v.kind == jNull {
		return nil
	}
	switch classOf(t) {
	case classInt:
		return intOf(v)
	case classUint:
		return uintStored(v)
	case classFloat:
		return floatOf(v)
	case classBool:
		return b2i(boolOf(v))
	case classString:
		return textOf(v)
	}
	if v.kind == jString {
		return v.s
	}
	return displayString(v)
}

func intOf(v *jvalue) int64 {
	switch v.kind {
	case jNumber:
		if n, ok := v.isInt(); ok {
			return n
		}
		if u, err := strconv.ParseUint(v.s, 10, 64); err == nil {
			return int64(u)
		}
		f, _ := v.float()
		return saturate(f)
	case jString:
		n, _ := strconv.ParseInt(v.s, 10, 64)
		return n
	case jBool:
		return b2i(v.b)
	}
	return 0
}

// uintStored returns a UInt64 value as SQLite holds it: the same 64 bits as
// an integer, read back as unsigned through the column's declared type.
func uintStored(v *jvalue) any {
	var u uint64
	switch v.kind {
	case jNumber:
		if n, err := strconv.ParseUint(v.s, 10, 64); err == nil {
			u = n
		} else if n, ok := v.isInt(); ok {
			u = uint64(n)
		} else {
			f, _ := v.float()
			u = uint64(math.Max(0, math.Min(f, math.MaxUint64)))
		}
	case jString:
		u, _ = strconv.ParseUint(v.s, 10, 64)
	case jBool:
		u = uint64(b2i(v.b))
	}
	return int64(u)
}

func floatOf(v *jvalue) float64 {
	switch v.kind {
	case jNumber:
		f, _ := v.float()
		return f
	case jString:
		f, _ := parseRustFloat(v.s)
		return f
	case jBool:
		return float64(b2i(v.b))
	}
	return 0
}

func boolOf(v *jvalue) bool {
	switch v.kind {
	case jBool:
		return v.b
	case jNumber:
		f, _ := v.float()
		return f > 0
	case jString:
		return v.s == "true"
	}
	return false
}

// textOf is how a non-string value lands in a Utf8 column: integers as
// digits, floats in ryu's form, booleans as words.
func textOf(v *jvalue) string {
	switch v.kind {
	case jString:
		return v.s
	case jBool:
		return strconv.FormatBool(v.b)
	case jNumber:
		if n, ok := v.isInt(); ok {
			return strconv.FormatInt(n, 10)
		}
		if u, err := strconv.ParseUint(v.s, 10, 64); err == nil {
			return strconv.FormatUint(u, 10)
		}
		f, _ := v.float()
		return formatRyu(f)
	}
	return ""
}

// convertStored converts a stored value into the storage of type to. from
// is the type the row was written with, so that, as when the server reads
// an old file under a widened schema, a boolean becomes "true" and an
// integer "5" even after the column went through other types.
func convertStored(v any, from, to string) any {
	if v == nil {
		return nil
	}
	var n int64
	var f float64
	switch x := v.(type) {
	case int64:
		n, f = x, float64(x)
	case float64:
		n, f = saturate(x), x
	case string:
		return x
	default:
		return v
	}
	switch classOf(from) {
	case classBool:
		truth := f != 0
		switch classOf(to) {
		case classString:
			return strconv.FormatBool(truth)
		case classFloat:
			return float64(b2i(truth))
		}
		return b2i(truth)
	case classInt, classUint:
		switch classOf(to) {
		case classString:
			if classOf(from) == classUint {
				return strconv.FormatUint(uint64(n), 10)
			}
			return strconv.FormatInt(n, 10)
		case classFloat:
			return float64(n)
		}
		return n
	case classFloat:
		switch classOf(to) {
		case classString:
			return formatRyu(f)
		case classInt, classUint:
			return saturate(f)
		}
		return f
	}
	return v
}
