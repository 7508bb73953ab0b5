package o2server

import (
	"errors"
	"strconv"
)

// Query shaping constants of the server's PromQL service (src/promql/src/lib.rs).
const (
	promLookback      = 300_000_000 // µs, DEFAULT_LOOKBACK
	promMinStep       = 1_000_000   // µs, MINIMAL_INTERVAL
	promDefaultStep   = 15_000_000  // µs, DEFAULT_STEP
	promMaxDataPoints = 256         // MAX_DATA_POINTS
	promMaxPoints     = 30_000      // DEFAULT_MAX_POINTS_PER_SERIES
	promInstantStep   = 300_000_000 // µs, the fixed step of instant queries
	promMinRounding   = 10          // MIN_TIMESERIES_POINTS_FOR_TIME_ROUNDING
	promQueryTimeout  = 600         // s, ZO_QUERY_TIMEOUT
)

// errDurationPanic marks a duration the server's parser panics on, which
// drops the connection without an answer.
var errDurationPanic = errors.New("o2server: duration parser panics")

// timeUnits are the duration units in the server's order; '!' stands for
// "ms", which is spelt out by its two letters.
var timeUnits = [...]struct {
	unit rune
	ms   uint64
}{
	{'!', 1}, {'s', 1000}, {'m', 60 * 1000}, {'h', 3600 * 1000},
	{'d', 24 * 3600 * 1000}, {'w', 7 * 24 * 3600 * 1000}, {'y', 365 * 24 * 3600 * 1000},
}

// parseMillis reads a duration as parse_milliseconds does: a bare integer is
// seconds, otherwise numbers followed by units from largest to smallest
// ("1h10m30s10ms"). Its quirks are kept: digits after the last unit are
// ignored, "" is zero, an overflowing number counts as zero and a float such
// as "15.5" fails with "Invalid time format: .".
func parseMillis(s string) (uint64, error) {
	chars := []rune(s)
	if allDigits(chars) {
		return parseUintOrZero(s) * 1000, nil
	}
	unitPos, start, total := len(timeUnits), 0, uint64(0)
	for i := 0; i < len(chars); i++ {
		c := chars[i]
		if isDigitRune(c) {
			continue
		}
		if i == 0 {
			return 0, errors.New("Invalid time format: " + string(c))
		}
		value := parseUintOrZero(string(chars[start:i]))
		start = i + 1
		pos := unitIndex(c, unitPos)
		if pos < 0 && c != 'm' {
			return 0, errors.New("Invalid time format: " + string(c))
		}
		switch {
		case c == 'm' && i+1 < len(chars) && chars[i+1] == 's':
			i++
			unitPos = 0
		case pos < 0:
			return 0, errDurationPanic // unwrap of a missing unit
		default:
			unitPos = pos
		}
		total += value * timeUnits[unitPos].ms
	}
	return total, nil
}

// parseUintOrZero reads an unsigned integer; anything unreadable, overflow
// included, is zero (unwrap_or(0)).
func parseUintOrZero(s string) uint64 {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0
	}
	return n
}

func allDigits(rs []rune) bool {
	for _, r := range rs {
		if !isDigitRune(r) {
			return false
		}
	}
	return true
}

func isDigitRune(r rune) bool { return r >= '0' && r <= '9' }

// unitIndex finds a unit among the first n units, or returns -1.
func unitIndex(c rune, n int) int {
	for i := range n {
		if timeUnits[i].unit == c {
			return i
		}
	}
	return -1
}

// parsePromTime reads a time parameter as parse_str_to_timestamp_micros
// does: an integer with its unit detected (0 is now), a float of any unit
// truncated first, or a date in the ingestion formats, RFC 3339 among them.
func (s *Server) parsePromTime(v string) (int64, error) {
	us, err := parseTimeString(v, s.nowMicros())
	if err != nil {
		return 0, errors.New("invalid time format [string]")
	}
	return us, nil
}

// searchTimeout reads the timeout parameter in seconds; 0 means the
// server default. Unreadable values are ignored, as the server only logs
// them.
func searchTimeout(v string, ok bool) (int64, error) {
	if !ok {
		return 0, nil
	}
	ms, err := parseMillis(v)
	if errors.Is(err, errDurationPanic) {
		return 0, err
	}
	if err != nil {
		return 0, nil
	}
	return int64(ms / 1000), nil
}

// roundStep picks a step for a range (round_step): whole seconds, then
// whole minutes above a minute and multiples of five seconds above ten.
func roundStep(step int64) int64 {
	const second = 1_000_000
	if step >= second {
		step -= step % second
	}
	switch {
	case step == 0:
		return promDefaultStep
	case step > 60*second:
		return step - step%(60*second)
	case step > 10*second:
		return step - step%(5*second)
	}
	return step
}

// adjustStartEnd aligns a range of ten or more points to the step, keeping
// the number of points, so that results can be cached (adjust_start_end).
func adjustStartEnd(start, end, step int64) (int64, int64) {
	points := (end-start)/step + 1
	if points < promMinRounding {
		return start, end
	}
	start -= start % step
	if adj := end % step; adj > 0 {
		end += step - adj
	}
	for n := (end-start)/step + 1; n > points; n-- {
		end -= step
	}
	return start, end
}
