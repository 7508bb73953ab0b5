package pipeline

import "net/netip"

// piiMatch is a span of personal data in a string: s[start:end].
type piiMatch struct {
	start, end int
	kind       Kind
}

// piiScanner finds personal data in text with hand-written matchers, one pass
// from left to right; it allocates nothing.
type piiScanner struct {
	kinds kindSet
}

// Byte classes of the scan loop, one table load per byte.
const (
	clTrigger = 1 << iota // may start a match: digits, "+(@:", 'b', 'B', and 'J' of a JWT's "eyJ"
	clWord                // continues a word (see isWordByte)
	clAlnum               // a letter or digit: starts a match only at a word's start
	clJoiner              // joins the words around it into one token (see isJoiner)
)

var class = func() (t [256]uint8) {
	for c := range 256 {
		b := byte(c)
		if isWordByte(b) {
			t[c] |= clWord
		}
		if isAlnum(b) {
			t[c] |= clAlnum
		}
		if isJoiner(b) {
			t[c] |= clJoiner
		}
	}
	for _, c := range []byte("0123456789+(@:bBJ") {
		t[c] |= clTrigger
	}
	return t
}()

// next returns the first match in s at or after from.
func (sc *piiScanner) next(s string, from int) (piiMatch, bool) {
	noIPv6 := from // colons before it are inside a run that is no IPv6 address
	for i := from; i < len(s); i++ {
		i = skipPlain(s, i)
		if i == len(s) {
			break
		}
		if class[s[i]]&clAlnum != 0 && s[i] != 'J' && i > 0 && !startsToken(s, i) {
			// Digits and letters start a match only at a token's start
			// (a JWT's J checks its own): skip the rest of this word.
			for i+1 < len(s) && class[s[i+1]]&clAlnum != 0 {
				i++
			}
			continue
		}
		var m piiMatch
		ok := false
		switch c := s[i]; {
		case isDigit(c):
			var end int
			if m, ok, end = sc.digits(s, i); !ok {
				i = end - 1
			}
		case c == '+':
			m, ok = sc.intlPhone(s, i)
		case c == '(':
			m, ok = sc.parenPhone(s, i)
		case c == '@':
			m, ok = sc.email(s, i, from)
		case c == ':':
			if i >= noIPv6 && colonMayBeIPv6(s, i) {
				m, ok, noIPv6 = sc.ipv6(s, i, from)
			}
		case c == 'J':
			m, ok = sc.jwt(s, i)
		default: // 'b' or 'B'
			m, ok = sc.bearer(s, i)
		}
		if ok && m.kind == KindIP && anonymisedIP(s[m.start:m.end]) {
			i, ok = m.end-1, false
		}
		if ok {
			return m, true
		}
	}
	return piiMatch{}, false
}

// anonymisedIP reports whether the address ip (as the scanner matched it)
// is already anonymised, the way analytics tools and the behavior package
// do it: an IPv4 address with its last octet zero (a /24 network) or an
// IPv6 address with all but its first 48 bits zero. Such an address names
// a network, not a host, and is left as it is. An address netip does not
// parse (leading zeros, a zone) is not.
func anonymisedIP(ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	bits := 48
	if a.Is4() {
		bits = 24
	}
	p, err := a.Prefix(bits)
	return err == nil && p.Addr() == a
}

// startsToken reports whether a digit or letter at i starts a token: it
// does not continue a word, or a token joined by '-' or '.'.
func startsToken(s string, i int) bool {
	c := class[s[i-1]]
	return c&clWord == 0 && (c&clJoiner == 0 || i < 2 || class[s[i-2]]&clAlnum == 0)
}

// digits tries the matchers that start with a digit at i, at a word's
// start; on failure, runEnd is the end of the digits.
func (sc *piiScanner) digits(s string, i int) (m piiMatch, ok bool, runEnd int) {
	j := skipDigits(s, i)
	if n := j - i; n < 11 && (j == len(s) || !isGroupSep(s[j]) || n > 4 || s[j] != '.' && n < 3) {
		return piiMatch{}, false, j // too short alone, and not the start of an address or a grouped number
	}
	m, ok = sc.number(s, i, j)
	return m, ok, j
}

// number tries the matchers on the digits s[i:j].
func (sc *piiScanner) number(s string, i, j int) (piiMatch, bool) {
	n := j - i // digits has ruled out runs too short to match
	switch {
	case j < len(s) && s[j] == '.' && sc.kinds.has(KindIP):
		if end, ok := ipv4(s, i); ok {
			return piiMatch{i, end, KindIP}, true
		}
	case n == 17 && j < len(s) && (s[j] == 'X' || s[j] == 'x'), n == 18:
		end := i + 18
		if sc.kinds.has(KindCNID) && boundaryAfter(s, end) && cnID(s[i:end]) {
			return piiMatch{i, end, KindCNID}, true
		}
	case n == 3 || n == 4:
		return sc.grouped(s, i, j)
	}
	if !boundaryAfter(s, j) {
		return piiMatch{}, false
	}
	digits := s[i:j]
	switch {
	case sc.kinds.has(KindPhone) && (cnMobile(digits) || n == 13 && digits[:2] == "86" && cnMobile(digits[2:])):
		return piiMatch{i, j, KindPhone}, true
	case sc.kinds.has(KindBankCard) && 13 <= n && n <= 19 && cardPrefix(digits[0]) && luhn(digits):
		return piiMatch{i, j, KindBankCard}, true
	}
	return piiMatch{}, false
}

// grouped tries numbers written in groups: a mobile as 138 1234 5678, a
// North American number as 415-555-0123, a card as 4111 1111 1111 1111.
// The first group is s[i:j].
func (sc *piiScanner) grouped(s string, i, j int) (piiMatch, bool) {
	if j >= len(s) || !isGroupSep(s[j]) {
		return piiMatch{}, false
	}
	sep := s[j]
	groups, end, total := [6]int{j - i}, j, j-i
	n := 1
	for n < len(groups) && end < len(s) && s[end] == sep {
		k := skipDigits(s, end+1)
		if k == end+1 {
			break
		}
		groups[n], total, end = k-end-1, total+k-end-1, k
		n++
	}
	if n < 3 || !boundaryAfter(s, end) {
		return piiMatch{}, false
	}
	g := groups[:n]
	switch {
	case sc.kinds.has(KindPhone) && n == 3 && g[0] == 3 && g[1] == 4 && g[2] == 4 && sep != '.':
		if s[i] == '1' && '3' <= s[i+1] && s[i+1] <= '9' {
			return piiMatch{i, end, KindPhone}, true
		}
	case sc.kinds.has(KindPhone) && n == 3 && g[0] == 3 && g[1] == 3 && g[2] == 4 && sep != ' ':
		if nanp(s[i:]) && nanp(s[i+4:]) {
			return piiMatch{i, end, KindPhone}, true
		}
	case sc.kinds.has(KindBankCard) && cardGroups(g) && 13 <= total && total <= 19 && sep != '.':
		if cardPrefix(s[i]) && luhn(s[i:end]) {
			return piiMatch{i, end, KindBankCard}, true
		}
	}
	return piiMatch{}, false
}

// cardGroups reports whether group lengths are a card's: fours with a
// last group of one to four (4-4-4-4, 4-4-4-4-3), or 4-6-4 and 4-6-5.
func cardGroups(g []int) bool {
	if len(g) == 3 && g[0] == 4 && g[1] == 6 && (g[2] == 4 || g[2] == 5) {
		return true
	}
	for k, n := range g {
		if n != 4 && !(k == len(g)-1 && n >= 1 && n < 4) {
			return false
		}
	}
	return len(g) >= 4
}

// ipv4 returns the end of a dotted-quad IPv4 address starting at i.
func ipv4(s string, i int) (int, bool) {
	end := i
	for part := range 4 {
		if part > 0 {
			if end >= len(s) || s[end] != '.' {
				return 0, false
			}
			end++
		}
		k := skipDigits(s, end)
		if k == end || k-end > 3 || atoi(s[end:k]) > 255 {
			return 0, false
		}
		end = k
	}
	return end, boundaryAfter(s, end)
}

// maxIPv6 is the longest textual IPv6 address without a zone.
const maxIPv6 = 45

// ipv6 tries an IPv6 address around the colon at i, not reaching back
// before from. On failure, runEnd is where the run of address bytes
// around i ends: a colon before it would be tried in vain.
func (sc *piiScanner) ipv6(s string, i, from int) (m piiMatch, ok bool, runEnd int) {
	if !sc.kinds.has(KindIP) {
		return piiMatch{}, false, len(s)
	}
	k := i
	for k > from && i-k < maxIPv6 && isIPv6Byte(s[k-1]) {
		k--
	}
	j := i
	for j < len(s) && j-k <= maxIPv6 && isIPv6Byte(s[j]) {
		j++
	}
	if !maybeIPv6(s[k:j]) {
		return piiMatch{}, false, j
	}
	for j > i+1 && s[j-1] == '.' {
		j--
	}
	if j-k > maxIPv6 || j-k < 3 || !boundaryBefore(s, k) || !boundaryAfter(s, j) ||
		!validIPv6(s[k:j]) || !hasHexDigit(s[k:j]) {
		if j-k >= maxIPv6 {
			return piiMatch{}, false, i + 1 // the run may be longer than seen: try the next colon
		}
		return piiMatch{}, false, j
	}
	return piiMatch{k, j, KindIP}, true, j
}

func hasHexDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isHex(s[i]) {
			return true
		}
	}
	return false
}

// colonMayBeIPv6 reports whether the colon at i may be part of an IPv6
// address: one is followed by a hex digit or a colon, or ends "::".
func colonMayBeIPv6(s string, i int) bool {
	return i+1 < len(s) && (isHex(s[i+1]) || s[i+1] == ':') || i > 0 && s[i-1] == ':'
}

// maybeIPv6 reports whether s has the colons of an IPv6 address: a "::"
// or seven. It rules out a time such as 12:30:45 before the full test.
func maybeIPv6(s string) bool {
	colons := 0
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			if i > 0 && s[i-1] == ':' {
				return true
			}
			colons++
		}
	}
	return colons >= 7
}

// validIPv6 reports whether s is an IPv6 address in text form (RFC 4291):
// eight groups of one to four hex digits, or fewer around one "::", the
// last two may be written as an IPv4 address. Unlike netip.ParseAddr it
// allocates nothing when s is not one.
func validIPv6(s string) bool {
	groups, elided := 0, false
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		elided, s = true, s[2:]
	}
	for len(s) > 0 {
		k := 0
		for k < len(s) && k < 5 && isHex(s[k]) {
			k++
		}
		if k < len(s) && s[k] == '.' {
			end, ok := ipv4(s, 0)
			return ok && end == len(s) && (groups+2 == 8 || elided && groups+2 < 8)
		}
		if k == 0 || k > 4 {
			return false
		}
		groups, s = groups+1, s[k:]
		switch {
		case len(s) == 0:
		case len(s) >= 2 && s[0] == ':' && s[1] == ':' && !elided:
			elided, s = true, s[2:]
		case s[0] == ':' && len(s) > 1:
			s = s[1:]
		default:
			return false
		}
	}
	return groups == 8 && !elided || elided && groups < 8
}

// skipPlain returns the index of the first byte at or after i that may
// start a match, or len(s).
func skipPlain(s string, i int) int {
	rest := s[i:]
	for len(rest) >= 4 && (class[rest[0]]|class[rest[1]]|class[rest[2]]|class[rest[3]])&clTrigger == 0 {
		rest = rest[4:] // most bytes start nothing: skip them four at a time
	}
	for len(rest) > 0 && class[rest[0]]&clTrigger == 0 {
		rest = rest[1:]
	}
	return len(s) - len(rest)
}
