package pipeline

import "strings"

// Rejected match starts (a short number, the colons of a time) cost the
// scanner more than reading the rest of the string once. So the first
// number and the first colon that may start a match make the scanner ask
// whether any match of their kind can lie in the rest of the string; when
// none can, it stops stopping at digits or colons. The tests keep only
// what every match needs:
//
//   - a phone, card or ID number that starts with a digit has 10 digits
//     or more (a North American number, 415-555-0123) in one run of
//     digits and the separators ' ', '-', '.', '(', ')' and '+' (numbers
//     that start with '+' or '(' the scanner always tries);
//   - an IPv4 address has 3 dots;
//   - an IPv6 address has a "::" or 7 colons (see maybeIPv6).

// minNumberRun is the fewest digits of a number starting with a digit
// that the scanner may match.
const minNumberRun = 10

// runStep holds, for each byte, the digits it adds to a run (bits 0-7)
// and whether it keeps the run going (bit 8).
var runStep = func() (t [256]uint16) {
	for c := '0'; c <= '9'; c++ {
		t[c] = 1 | 1<<8
	}
	for _, c := range []byte(" -.()+") {
		t[c] = 1 << 8
	}
	return t
}()

// numbersAhead reports whether s may hold a number the scanner matches
// starting with a digit: a run of minNumberRun digits, or an IPv4
// address.
func numbersAhead(s string) bool {
	return strings.Count(s, ".") >= 3 || hasNumberRun(s)
}

// hasNumberRun reports whether s holds a run of minNumberRun digits or
// more. Such a run is at least minNumberRun bytes long, so it covers one
// of every minNumberRun bytes: only the runs around those are read, and
// most text is passed over minNumberRun bytes at a time.
func hasNumberRun(s string) bool {
	for k := minNumberRun - 1; k < len(s); k += minNumberRun {
		if runStep[s[k]]>>8 == 0 {
			continue
		}
		// s[k] keeps a run going: count the digits of the whole run. Its
		// start is after the last byte looked at above, which ended a
		// run, so no byte is read twice.
		a, b := k, k+1
		for a > 0 && runStep[s[a-1]]>>8 != 0 {
			a--
		}
		for b < len(s) && runStep[s[b]]>>8 != 0 {
			b++
		}
		digits := 0
		for i := a; i < b; i++ {
			digits += int(runStep[s[i]] & 0xff)
		}
		if digits >= minNumberRun {
			return true
		}
		k = b // the next run starts after b: look at b+minNumberRun
	}
	return false
}

// ipv6Ahead reports whether s may hold an IPv6 address.
func ipv6Ahead(s string) bool {
	return strings.Contains(s, "::") || strings.Count(s, ":") >= 7
}
