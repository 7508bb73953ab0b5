package o2server

import (
	"fmt"
	"strconv"
	"strings"
)

// jkind is the kind of a parsed JSON value.
type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

// jvalue is a parsed JSON value that keeps what serde_json with the
// arbitrary_precision feature keeps: member order and the literal text of
// numbers. The real server is built that way, so "2.0" stays "2.0" when an
// array is stored as a string.
type jvalue struct {
	kind jkind
	b    bool
	s    string // string value, or the literal text of a number
	arr  []jvalue
	obj  []jmember
}

type jmember struct {
	key string
	val jvalue
}

// get returns the value of member k of an object.
func (v *jvalue) get(k string) (*jvalue, bool) {
	for i := range v.obj {
		if v.obj[i].key == k {
			return &v.obj[i].val, true
		}
	}
	return nil, false
}

// set replaces member k or appends it, as serde_json's map insert does.
func (v *jvalue) set(k string, val jvalue) {
	for i := range v.obj {
		if v.obj[i].key == k {
			v.obj[i].val = val
			return
		}
	}
	v.obj = append(v.obj, jmember{key: k, val: val})
}

func jstr(s string) jvalue  { return jvalue{kind: jString, s: s} }
func jint(n int64) jvalue   { return jvalue{kind: jNumber, s: strconv.FormatInt(n, 10)} }
func juint(n uint64) jvalue { return jvalue{kind: jNumber, s: strconv.FormatUint(n, 10)} }
func jbool(b bool) jvalue   { return jvalue{kind: jBool, b: b} }

// isInt reports whether a number literal is an integer that fits int64,
// which is serde_json's is_i64.
func (v *jvalue) isInt() (int64, bool) {
	if v.kind != jNumber {
		return 0, false
	}
	n, err := strconv.ParseInt(v.s, 10, 64)
	return n, err == nil
}

// float returns a number literal as float64 (serde_json's as_f64 with
// arbitrary_precision: infinite results are not numbers).
func (v *jvalue) float() (float64, bool) {
	f, err := strconv.ParseFloat(v.s, 64)
	if err != nil && !isRangeErr(err) {
		return 0, false
	}
	return f, true
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// maxJSONDepth is serde_json's recursion limit: 128 nested containers fail.
const maxJSONDepth = 128

// jsonError is a parse error with serde_json's message and position.
type jsonError struct {
	msg    string
	line   int
	column int
}

// Error formats the error as serde_json's Display does.
func (e *jsonError) Error() string {
	return fmt.Sprintf("%s at line %d column %d", e.msg, e.line, e.column)
}

// debug formats the error as serde_json's Debug does, which is what the
// server prints inside "Failed processing: JsonError(...)".
func (e *jsonError) debug() string {
	return fmt.Sprintf("Error(%s, line: %d, column: %d)", rustQuote(e.msg), e.line, e.column)
}

func rustQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// serde_json error messages.
const (
	msgEOFValue    = "EOF while parsing a value"
	msgEOFList     = "EOF while parsing a list"
	msgEOFObject   = "EOF while parsing an object"
	msgEOFString   = "EOF while parsing a string"
	msgExpValue    = "expected value"
	msgExpIdent    = "expected ident"
	msgExpListEnd  = "expected `,` or `]`"
	msgExpObjEnd   = "expected `,` or `}`"
	msgExpColon    = "expected `:`"
	msgKeyString   = "key must be a string"
	msgTrailing    = "trailing characters"
	msgTrailComma  = "trailing comma"
	msgBadNumber   = "invalid number"
	msgBadEscape   = "invalid escape"
	msgControl     = `control character (\u0000-\u001F) found while parsing a string`
	msgBadUnicode  = "invalid unicode code point"
	msgLoneSurr    = "lone leading surrogate in hex escape"
	msgEndHex      = "unexpected end of hex escape"
	msgRecursion   = "recursion limit exceeded"
	msgNotSequence = "invalid type: map, expected a sequence"
)
