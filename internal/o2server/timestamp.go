package o2server

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/o2kit/o2kit/internal/norm"
)

// errTimestamp is the record failure for a _timestamp that cannot be read.
var errTimestamp = errors.New("Can't parse timestamp")

// micros reads an integer timestamp whose unit is detected from its size;
// zero means now (parse_i64_to_timestamp_micros).
func micros(v, now int64) int64 {
	if v == 0 {
		return now
	}
	return norm.TimestampMicros(v)
}

// timestampOf reads a _timestamp value as the server does
// (parse_timestamp_micro_from_value). It returns the time in µs and whether
// the stored value is already that integer and so is kept as sent.
func timestampOf(v *jvalue, now int64) (int64, bool, error) {
	switch v.kind {
	case jString:
		ts, err := parseTimeString(v.s, now)
		return ts, false, err
	case jNumber:
		if n, ok := v.isInt(); ok {
			ts := micros(n, now)
			return ts, ts == n, nil
		}
		if u, err := strconv.ParseUint(v.s, 10, 64); err == nil {
			n := int64(u)
			ts := micros(n, now)
			return ts, ts == n, nil
		}
		f, ok := v.float()
		if !ok {
			return 0, false, errTimestamp
		}
		return micros(saturate(f), now), false, nil
	}
	return 0, false, errTimestamp
}

// saturate converts f to int64 as Rust's `as` does: truncating, saturating
// at the bounds and mapping NaN to zero.
func saturate(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

// parseTimeString reads a string timestamp: an integer with unit detection,
// a float, or one of the date formats of parse_str_to_time.
func parseTimeString(s string, now int64) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return micros(n, now), nil
	}
	if f, ok := parseRustFloat(s); ok {
		return micros(saturate(f), now), nil
	}
	t, err := parseDate(strings.Trim(s, `"`))
	if err != nil {
		return 0, errTimestamp
	}
	return t.UnixMicro(), nil
}

// parseRustFloat accepts what Rust's f64::from_str accepts: decimal numbers
// with optional sign and exponent, "inf", "infinity" and "nan".
func parseRustFloat(s string) (float64, bool) {
	body := strings.TrimLeft(s, "+-")
	if len(s)-len(body) > 1 || body == "" {
		return 0, false
	}
	switch strings.ToLower(body) {
	case "inf", "infinity", "nan":
	default:
		for i := 0; i < len(body); i++ {
			c := body[i]
			if !isDigit(c) && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-' {
				return 0, false
			}
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !isRangeErr(err) {
		return 0, false
	}
	return f, true
}

func parseDate(s string) (time.Time, error) {
	switch {
	case strings.Contains(s, " ") && len(s) == 19:
		return time.Parse("2006-01-02 15:04:05", s)
	case strings.Contains(s, "T") && !strings.Contains(s, " "):
		if len(s) == 19 {
			return time.Parse("2006-01-02T15:04:05", s)
		}
		if dot := strings.LastIndexByte(s, '.'); dot >= 0 {
			switch len(s) - dot - 1 {
			case 3:
				return time.Parse("2006-01-02T15:04:05.000", s)
			case 6:
				return time.Parse("2006-01-02T15:04:05.000000", s)
			}
		}
		return time.Parse(time.RFC3339Nano, s)
	}
	return parseRFC2822(s)
}

var rfc2822Zones = map[string]int{
	"UT": 0, "GMT": 0, "Z": 0,
	"EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
	"MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}

var months = map[string]time.Month{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}

// parseRFC2822 reads "[Wed, ]8 Mar 2023 16:46:51 CST" with the obsolete zone
// names chrono accepts.
func parseRFC2822(s string) (time.Time, error) {
	bad := errors.New("invalid RFC 2822 date")
	f := strings.Fields(s)
	if len(f) > 0 && strings.HasSuffix(f[0], ",") {
		f = f[1:]
	}
	if len(f) != 5 {
		return time.Time{}, bad
	}
	day, err1 := strconv.Atoi(f[0])
	mon, ok := months[strings.ToLower(f[1])]
	year, err2 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil || !ok || len(f[0]) > 2 {
		return time.Time{}, bad
	}
	switch {
	case len(f[2]) == 2 && year < 50:
		year += 2000
	case len(f[2]) == 2 || len(f[2]) == 3:
		year += 1900
	}
	clock := strings.Split(f[3], ":")
	if len(clock) < 2 || len(clock) > 3 {
		return time.Time{}, bad
	}
	var hms [3]int
	for i, c := range clock {
		n, err := strconv.Atoi(c)
		if err != nil || len(c) != 2 {
			return time.Time{}, bad
		}
		hms[i] = n
	}
	offset, ok := zoneOffset(f[4])
	if !ok || hms[0] > 23 || hms[1] > 59 || hms[2] > 60 || day < 1 || day > 31 {
		return time.Time{}, bad
	}
	t := time.Date(year, mon, day, hms[0], hms[1], hms[2], 0, time.FixedZone("", offset))
	if t.Day() != day {
		return time.Time{}, bad
	}
	return t, nil
}

func zoneOffset(z string) (int, bool) {
	if h, ok := rfc2822Zones[strings.ToUpper(z)]; ok {
		return h * 3600, true
	}
	if len(z) == 1 && ('A' <= z[0] && z[0] <= 'Z' || 'a' <= z[0] && z[0] <= 'z') {
		return 0, true // military zones read as -0000
	}
	if len(z) != 5 || (z[0] != '+' && z[0] != '-') {
		return 0, false
	}
	n, err := strconv.Atoi(z[1:])
	if err != nil {
		return 0, false
	}
	off := (n/100)*3600 + (n%100)*60
	if z[0] == '-' {
		off = -off
	}
	return off, true
}
