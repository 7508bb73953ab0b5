package wire

import (
	"math"
	"strconv"
	"time"
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
	dst = appendUint(dst, u/1000)
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

// appendTime appends t as time.RFC3339Nano formats it, without the
// layout interpretation for the common case of a UTC time between 1970
// and 9999; others go through [time.Time.AppendFormat].
func appendTime(dst []byte, t time.Time) []byte {
	sec := t.Unix()
	if t.Location() != time.UTC || sec < 0 || sec > maxRFC3339 {
		return t.AppendFormat(dst, time.RFC3339Nano)
	}
	y, m, d := civil(sec / 86400)
	s := sec % 86400
	var b [20]byte // 2006-01-02T15:04:05
	put2(b[0:2], y/100)
	put2(b[2:4], y%100)
	b[4] = '-'
	put2(b[5:7], m)
	b[7] = '-'
	put2(b[8:10], d)
	b[10] = 'T'
	put2(b[11:13], int(s/3600))
	b[13] = ':'
	put2(b[14:16], int(s/60%60))
	b[16] = ':'
	put2(b[17:19], int(s%60))
	dst = append(dst, b[:19]...)
	if ns := t.Nanosecond(); ns != 0 {
		var f [10]byte
		f[0] = '.'
		for i := 9; i >= 1; i-- {
			f[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for f[n-1] == '0' {
			n--
		}
		dst = append(dst, f[:n]...)
	}
	return append(dst, 'Z')
}

// maxRFC3339 is 9999-12-31T23:59:59Z in Unix seconds.
const maxRFC3339 = 253402300799

// civil returns the proleptic Gregorian date of a day count since
// 1970-01-01 (days >= 0), by Howard Hinnant's days_from_civil inverse.
func civil(days int64) (year, month, day int) {
	z := uint64(days) + 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = int(doy - (153*mp+2)/5 + 1)
	month = int(mp + 3)
	if month > 12 {
		month -= 12
	}
	year = int(yoe + era*400)
	if month <= 2 {
		year++
	}
	return year, month, day
}

// put2 writes v (0 to 99) as two digits.
func put2(b []byte, v int) {
	_ = b[1]
	b[0], b[1] = byte('0'+v/10), byte('0'+v%10)
}
