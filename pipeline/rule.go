package pipeline

import (
	"fmt"
	"log/slog"
	"math"
	"time"
	"unicode/utf8"
)

// Type is the type a [Rule] requires of a field's value.
type Type uint8

// The types a rule may require. TypeNumber accepts integers and floats;
// TypeTime accepts a time value or an RFC 3339 string.
const (
	TypeAny Type = iota
	TypeString
	TypeInt
	TypeFloat
	TypeNumber
	TypeBool
	TypeTime
)

// Rule is what a [Contract] requires of one field. Build it from
// [Require] or [Optional] and chain the checks:
//
//	pipeline.Require("amount_minor").Type(pipeline.TypeInt).Between(1, 10_000_000)
//	pipeline.Optional("currency").OneOf("EUR", "USD")
//
// A Rule is a value; each method returns a changed copy.
type Rule struct {
	name     string
	required bool
	typ      Type
	enum     []string
	min, max float64
	minLen   int
	maxLen   int // -1: no length check
	ranged   bool
}

// Require returns a rule for a field every record must have. The name is
// a path: "shipping.country" is the country field of the shipping group.
func Require(name string) Rule { return Rule{name: name, required: true, maxLen: -1} }

// Optional returns a rule for a field checked only when a record has it.
func Optional(name string) Rule { return Rule{name: name, maxLen: -1} }

// Type requires the value to be of type t.
func (r Rule) Type(t Type) Rule { r.typ = t; return r }

// OneOf requires the value, as text, to be one of values.
func (r Rule) OneOf(values ...string) Rule {
	r.enum = append([]string(nil), values...)
	return r
}

// Between requires the value to be a number from min to max, inclusive.
func (r Rule) Between(min, max float64) Rule {
	r.min, r.max, r.ranged = min, max, true
	return r
}

// Len requires the value to be a string of min to max characters.
func (r Rule) Len(min, max int) Rule {
	r.minLen, r.maxLen = min, max
	return r
}

// validate reports a rule that can never pass or is malformed.
func (r Rule) validate() error {
	switch {
	case r.name == "":
		return errEmptyKey
	case r.ranged && (math.IsNaN(r.min) || math.IsNaN(r.max) || r.min > r.max):
		return fmt.Errorf("pipeline: rule %q: range %v to %v is empty", r.name, r.min, r.max)
	case r.maxLen >= 0 && (r.minLen < 0 || r.minLen > r.maxLen):
		return fmt.Errorf("pipeline: rule %q: length %d to %d is empty", r.name, r.minLen, r.maxLen)
	case r.typ > TypeTime:
		return fmt.Errorf("pipeline: rule %q: unknown type %d", r.name, r.typ)
	}
	return nil
}

// Checks a rule makes, in reasons and counter keys.
const (
	checkMissing = "missing"
	checkType    = "type"
	checkEnum    = "enum"
	checkRange   = "range"
	checkLength  = "length"
)

// check returns the check v fails, or "".
func (r *Rule) check(v slog.Value) string {
	v = v.Resolve()
	if !r.typeOK(v) {
		return checkType
	}
	if len(r.enum) > 0 && !r.inEnum(v) {
		return checkEnum
	}
	if r.ranged {
		f, ok := number(v)
		if !ok {
			return checkType
		}
		if f < r.min || f > r.max || math.IsNaN(f) {
			return checkRange
		}
	}
	if r.maxLen >= 0 {
		if v.Kind() != slog.KindString {
			return checkType
		}
		if n := utf8.RuneCountInString(v.String()); n < r.minLen || n > r.maxLen {
			return checkLength
		}
	}
	return ""
}

func (r *Rule) typeOK(v slog.Value) bool {
	k := v.Kind()
	switch r.typ {
	case TypeString:
		return k == slog.KindString
	case TypeInt:
		return k == slog.KindInt64 || k == slog.KindUint64
	case TypeFloat:
		return k == slog.KindFloat64
	case TypeNumber:
		_, ok := number(v)
		return ok
	case TypeBool:
		return k == slog.KindBool
	case TypeTime:
		if k == slog.KindString {
			_, err := time.Parse(time.RFC3339Nano, v.String())
			return err == nil
		}
		return k == slog.KindTime
	}
	return true
}

func (r *Rule) inEnum(v slog.Value) bool {
	s := v.String() // no allocation for strings, the common case
	for _, e := range r.enum {
		if s == e {
			return true
		}
	}
	return false
}

// number returns v as a float64 when it is a number.
func number(v slog.Value) (float64, bool) {
	switch v.Kind() {
	case slog.KindInt64:
		return float64(v.Int64()), true
	case slog.KindUint64:
		return float64(v.Uint64()), true
	case slog.KindFloat64:
		return v.Float64(), true
	}
	return 0, false
}
