package o2server

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// appendJSON appends v in serde_json's compact form: numbers as written,
// strings escaped minimally, object keys sorted by bytes when sorted is set
// (serde_json's default map) or in insertion order otherwise.
func appendJSON(dst []byte, v *jvalue, sorted bool) []byte {
	switch v.kind {
	case jNull:
		return append(dst, "null"...)
	case jBool:
		if v.b {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case jNumber:
		return append(dst, v.s...)
	case jString:
		return appendJSONString(dst, v.s)
	case jArray:
		dst = append(dst, '[')
		for i := range v.arr {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSON(dst, &v.arr[i], sorted)
		}
		return append(dst, ']')
	}
	members := v.obj
	if sorted && !slices.IsSortedFunc(members, cmpMember) {
		members = slices.Clone(members)
		slices.SortFunc(members, cmpMember)
	}
	dst = append(dst, '{')
	for i := range members {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, members[i].key)
		dst = append(dst, ':')
		dst = appendJSON(dst, &members[i].val, sorted)
	}
	return append(dst, '}')
}

func cmpMember(a, b jmember) int { return strings.Compare(a.key, b.key) }

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as serde_json does: only '"', '\\' and control
// characters are escaped; HTML characters and non-ASCII text are kept.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// formatRyu formats f as Rust's ryu crate does, which is how the server turns
// a float into text when a number lands in a string column: "2.0", "1.5",
// "1e20", "1e-7".
func formatRyu(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // "-1.2345e+20"
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, _ := strconv.Atoi(exp)
	n := len(digits)
	kk := x + 1 // position of the decimal point
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	switch {
	case n <= kk && kk <= 16:
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", kk-n))
		b.WriteString(".0")
	case 0 < kk && kk <= 16:
		b.WriteString(digits[:kk])
		b.WriteByte('.')
		b.WriteString(digits[kk:])
	case -5 < kk && kk <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -kk))
		b.WriteString(digits)
	default:
		b.WriteString(digits[:1])
		if n > 1 {
			b.WriteByte('.')
			b.WriteString(digits[1:])
		}
		b.WriteByte('e')
		b.WriteString(strconv.Itoa(kk - 1))
	}
	return b.String()
}

// formatRustFloat formats f as Rust's Display for f64: the shortest text
// that reads back, never in exponent form, and without ".0" for integers.
func formatRustFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
