package wire

import (
	"math"
	"strconv"
)

// AppendFloat appends f as a JSON number that always reads back as a float
// (2 is written 2.0), so a column's type does not depend on whether its
// first value happened to be whole. NaN and infinities, which JSON cannot
// carry, are written as null, which the server drops. The digits are the
// shortest that read back as f, as strconv writes them.
func AppendFloat(dst []byte, f float64) []byte {
	if n, ok := milli(f); ok {
		return appendMilli(dst, n)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	for _, c := range dst[start:] {
		if c == '.' || c == 'e' {
			return dst
		}
	}
	return append(dst, '.', '0')
}

// milli reports whether f is the double nearest to n/1000 for an integer n
// of at most 15 digits, as most measured values (prices, latencies,
// ratios) are. Such a decimal is then the shortest that reads back as f:
// any two decimals of at most 15 significant digits are distinct doubles,
// so the digits of n are the ones strconv's shortest formatting finds.
// Zero is left to strconv, which keeps the sign of -0.
func milli(f float64) (int64, bool) {
	m := f * 1000
	if !(m > -1e15 && m < 1e15) || f == 0 {
		return 0, false
	}
	n := int64(m)
	if float64(n) != m || float64(n)/1000 != f {
		return 0, false
	}
	return n, true
}

// appendMilli writes n/1000 in strconv's 'f' form with trailing zeros
// trimmed, and ".0" for a whole number.
func appendMilli(dst []byte, n int64) []byte {
	u := uint64(n)
	if n < 0 {
		dst = append(dst, '-')
		u = uint64(-n)
	}
	dst = strconv.AppendUint(dst, u/1000, 10)
	frac := u % 1000
	if frac == 0 {
		return append(dst, '.', '0')
	}
	dst = append(dst, '.', byte('0'+frac/100))
	if frac%100 != 0 {
		dst = append(dst, byte('0'+frac/10%10))
		if frac%10 != 0 {
			dst = append(dst, byte('0'+frac%10))
		}
	}
	return dst
}
