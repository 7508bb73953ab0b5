package pipeline

// piiMatch is a span of personal data in a string: s[start:end].
type piiMatch struct {
	start, end int
	kind       Kind
}

// piiScanner finds personal data in text with hand-written matchers, one pass
// from left to right; it allocates nothing.
type piiScanner struct {
	kinds kindSet
	exact bool // try every match start, without the tests of scanpre.go and whole-token skips (for tests)
}

// Byte classes of the scan loop, one table load per byte.
const (
	clTrigger = 1 << iota // may start a match: "+(@", 'b', 'B', and 'J' of a JWT's "eyJ"
	clWord                // continues a word (see isWordByte)
	clAlnum               // a letter or digit: starts a match only at a word's start
	clJoiner              // joins the words around it into one token (see isJoiner)
	clDigit               // a digit, which may start a match
	clColon               // ':', which may be part of an IPv6 address
	clKeyEnd              // a lower-case letter or digit, which a key's canonical form keeps (see secretKeys.ruledOut)

	allTriggers = clTrigger | clDigit | clColon
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
	for _, c := range []byte("+(@bBJ") {
		t[c] |= clTrigger
	}
	for c := '0'; c <= '9'; c++ {
		t[c] |= clDigit
	}
	t[':'] |= clColon
	for c := range 256 {
		if b := byte(c); 'a' <= b && b <= 'z' || isDigit(b) {
			t[c] |= clKeyEnd
		}
	}
	return t
}()

// next returns the first match in s at or after from, the end of the
// match before (or 0). The text before from is not looked at: it stands
// for a match, which the mask replaces, so the scan of s finds what a
// scan of the masked text finds.
func (sc *piiScanner) next(s string, from int) (piiMatch, bool) {
	m, ok := sc.first(s[from:], 0)
	if ok {
		m.start, m.end = m.start+from, m.end+from
	}
	return m, ok
}

// first returns the first match in s. No byte before start may start a
// match (see [firstTrigger]).
func (sc *piiScanner) first(s string, start int) (piiMatch, bool) {
	const from = 0
	noIPv6 := from // colons before it are inside a run that is no IPv6 address
	trig, checked := uint8(allTriggers), uint8(0)
	firstDigit := len(s) // the first number start: the check waits for a second
	if sc.exact {
		checked = clDigit | clColon
	}
	for i := start; i < len(s); i++ {
		i = skipPlain(s, i, trig)
		if i == len(s) {
			break
		}
		if class[s[i]]&clAlnum != 0 && s[i] != 'J' && i > 0 && !startsToken(s, i) {
			// Digits and letters start a match only at a token's start
			// (a JWT's J checks its own): skip the rest of this token.
			i = sc.tokenEnd(s, i+1) - 1
			continue
		}
		var m piiMatch
		ok := false
		switch c := s[i]; {
		case isDigit(c):
			if checked&clDigit == 0 && i > firstDigit {
				if checked |= clDigit; !numbersAhead(s[i:]) {
					trig &^= clDigit
					continue
				}
			}
			firstDigit = min(firstDigit, i)
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
			if checked&clColon == 0 {
				if checked |= clColon; !ipv6Ahead(s[from:]) {
					trig &^= clColon
					continue
				}
			}
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

// firstTrigger returns the index of the first byte of s that may start a
// match, or len(s) when none may and the scanner would find nothing.
// Small enough to be inlined, it spares the many short values without
// one ("INFO", "POST", "EUR") the scanner's calls.
func firstTrigger(s string) int { return skipPlain(s, 0, allTriggers) }

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

// tokenEnd returns the end of the token (words joined by '-', '.', ','
// or '/', as in ord-2026-11-30 or 10.5) that goes on at i, inside which
// no letter or digit starts a match: none starts a token, and a JWT's J
// follows an "eyJ" at a word's start, where the skip stops.
func (sc *piiScanner) tokenEnd(s string, i int) int {
	i = wordEnd(s, i)
	if sc.exact {
		return i // one word at a time, as tests compare
	}
	for i+1 < len(s) && class[s[i]]&clJoiner != 0 && class[s[i+1]]&clAlnum != 0 {
		if len(s)-i > 3 && s[i+1:i+4] == "eyJ" {
			break
		}
		i = wordEnd(s, i+2)
	}
	return i
}

// wordEnd returns the index of the first byte at or after i that is not a
// letter or digit, or len(s).
func wordEnd(s string, i int) int {
	rest := s[i:]
	for len(rest) >= 4 && class[rest[0]]&class[rest[1]]&class[rest[2]]&class[rest[3]]&clAlnum != 0 {
		rest = rest[4:] // skip four at a time, as skipPlain
	}
	for len(rest) > 0 && class[rest[0]]&clAlnum != 0 {
		rest = rest[1:]
	}
	return len(s) - len(rest)
}

// skipPlain returns the index of the first byte at or after i of a class
// in trig, which may start a match, or len(s).
func skipPlain(s string, i int, trig uint8) int {
	rest := s[i:]
	for len(rest) >= 4 && (class[rest[0]]|class[rest[1]]|class[rest[2]]|class[rest[3]])&trig == 0 {
		rest = rest[4:] // most bytes start nothing: skip them four at a time
	}
	for len(rest) > 0 && class[rest[0]]&trig == 0 {
		rest = rest[1:]
	}
	return len(s) - len(rest)
}
