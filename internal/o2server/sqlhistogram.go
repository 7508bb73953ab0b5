package o2server

import (
	"strconv"
	"strings"
)

// histogram rewrites histogram(ts[, 'N unit'[, tz]]) to o2_histogram with
// the interval in µs; without an interval it follows the time range.
func (rw *rewriter) histogram(args [][]token, plan *queryPlan) ([]token, *searchError) {
	if len(args) == 0 {
		return nil, &searchError{code: 20008, detail: "Unexpected argument len in histogram function: 0"}
	}
	var secs int64
	if len(args) > 1 {
		if len(args[1]) != 1 || args[1][0].kind != tkString {
			return nil, errSQL("Unexpected argument type in histogram function")
		}
		v := args[1][0].val
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return nil, errSQL("Invalid histogram interval: %s", v)
		}
		n, ok := intervalSeconds(v)
		if !ok {
			return nil, errSQL("Unsupported histogram interval unit")
		}
		secs = n
	}
	adjusted := adjustInterval(secs, rw.in.start, rw.in.end)
	plan.histogram = &adjusted
	width := secs
	if width <= 0 {
		width = adjusted
	}
	out := []token{raw("o2_histogram(")}
	out = append(out, args[0]...)
	return append(out, raw(", "+strconv.FormatInt(width*1_000_000, 10)+")")), nil
}

// intervalSeconds reads "10 second", "5m", "2 hours", "1 day".
func intervalSeconds(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	pos := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if pos <= 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(s[:pos], 10, 64)
	if err != nil {
		return 0, false
	}
	switch strings.ToLower(strings.TrimSpace(s[pos:])) {
	case "second", "seconds", "s", "secs", "sec":
		return n, true
	case "minute", "minutes", "m", "mins", "min":
		return n * 60, true
	case "hour", "hours", "h", "hrs", "hr":
		return n * 3600, true
	case "day", "days", "d":
		return n * 86400, true
	}
	return 0, false
}

// autoInterval picks the histogram interval for a time range
// (generate_histogram_interval).
func autoInterval(start, end int64) int64 {
	if start == 0 && end == 0 {
		return 3600
	}
	d := end - start
	const h = int64(3600) * 1_000_000
	for _, step := range []struct{ min, secs int64 }{
		{24 * 60 * h, 86400}, {24 * 30 * h, 43200}, {24 * 28 * h, 21600}, {24 * 21 * h, 10800},
		{24 * 15 * h, 7200}, {6 * h, 3600}, {2 * h, 60}, {h, 30}, {h / 2, 15}, {10 * 1_000_000, 10},
	} {
		if d >= step.min {
			return step.secs
		}
	}
	return 1
}

// adjustInterval is validate_and_adjust_histogram_interval: the interval
// reported in histogram_interval.
func adjustInterval(secs, start, end int64) int64 {
	const day = 86400
	switch {
	case secs <= 0:
		return autoInterval(start, end)
	case secs%day == 0 || day%secs == 0:
		return secs
	}
	for _, v := range []int64{1, 5, 10, 15, 30, 60, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 28800, 43200, 86400} {
		if v >= secs {
			return v
		}
	}
	return day
}
