// Package retryafter reads the Retry-After header of an HTTP answer, for
// the client's sender and for the alert notifiers alike.
package retryafter

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Parse reads a Retry-After value (RFC 9110, section 10.2.3):
// delta-seconds, a run of ASCII digits, or an HTTP-date in any of the
// three formats [http.ParseTime] takes, counted from now. It returns the
// wait, at most limit, and true; a date in the past means no wait. A value
// that is empty or malformed (a sign, a fraction, a date without its zone)
// gives 0 and false. Seconds too many for any clock give limit.
func Parse(v string, now time.Time, limit time.Duration) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if digits(v) {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil || s > uint64(limit/time.Second) { // err is only ErrRange: too many digits
			return limit, true
		}
		return time.Duration(s) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), limit), true
}

// digits reports whether s, not empty, is all ASCII digits.
func digits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
