package pipeline

// intlPhone tries an international number at the '+' at i: a country code
// and 8 to 15 digits in all, in groups split by single spaces, dashes, dots
// or parentheses ("+86 138 1234 5678", "+1 (415) 555-0123").
func (sc *piiScanner) intlPhone(s string, i int) (piiMatch, bool) {
	if !sc.kinds.has(KindPhone) || !boundaryBefore(s, i) || i+1 >= len(s) || s[i+1] < '1' || s[i+1] > '9' {
		return piiMatch{}, false
	}
	digits, end, seps := 0, i+1, 0
	for k := i + 1; k < len(s) && digits <= 15; k++ {
		switch c := s[k]; {
		case isDigit(c):
			digits++
			end, seps = k+1, 0
		case isPhoneSep(c) && seps < 2:
			seps++
		default:
			k = len(s)
		}
	}
	if digits < 8 || digits > 15 || !boundaryAfter(s, end) {
		return piiMatch{}, false
	}
	return piiMatch{i, end, KindPhone}, true
}

// parenPhone tries a North American number written "(415) 555-0123".
func (sc *piiScanner) parenPhone(s string, i int) (piiMatch, bool) {
	const form = "(ddd) ddd-dddd"
	if !sc.kinds.has(KindPhone) || len(s)-i < len(form)-1 || !boundaryBefore(s, i) {
		return piiMatch{}, false
	}
	k := i
	for f := 0; f < len(form); f++ {
		switch {
		case form[f] == ' ' && k < len(s) && s[k] != ' ':
			// The space after the area code is optional.
		case k >= len(s):
			return piiMatch{}, false
		case form[f] == 'd' && !isDigit(s[k]), form[f] != 'd' && s[k] != form[f]:
			return piiMatch{}, false
		default:
			k++
		}
	}
	if !nanp(s[i+1:]) || !boundaryAfter(s, k) {
		return piiMatch{}, false
	}
	return piiMatch{i, k, KindPhone}, true
}

// Bounds of an e-mail address's parts (RFC 5321).
const (
	maxLocal  = 64
	maxDomain = 253
)

// email tries an address around the '@' at at, not reaching back before
// from: a local part, and a domain of two labels or more ending in a
// top-level domain of letters.
func (sc *piiScanner) email(s string, at, from int) (piiMatch, bool) {
	if !sc.kinds.has(KindEmail) {
		return piiMatch{}, false
	}
	k := at
	for k > from && at-k < maxLocal && isLocalByte(s[k-1]) {
		k--
	}
	for k < at && s[k] == '.' {
		k++
	}
	if k == at || !boundaryBefore(s, k) && k > from {
		return piiMatch{}, false
	}
	end, ok := domain(s, at+1)
	if !ok {
		return piiMatch{}, false
	}
	return piiMatch{k, end, KindEmail}, true
}

// domain returns the end of the domain name starting at i.
func domain(s string, i int) (int, bool) {
	labels, end, tld := 0, i, true
	for k := i; k < len(s) && k-i <= maxDomain; {
		j := k
		for j < len(s) && (isAlnum(s[j]) || s[j] == '-') {
			j++
		}
		if j == k || s[k] == '-' || s[j-1] == '-' {
			break
		}
		labels++
		end, tld = j, isLetters(s[k:j]) && j-k >= 2
		if j+1 >= len(s) || s[j] != '.' || !isAlnum(s[j+1]) {
			break
		}
		k = j + 1
	}
	return end, labels >= 2 && tld && boundaryAfter(s, end)
}

// bearer tries the credentials after "Bearer " or "Basic " at i: at least
// eight characters of a token68 (RFC 7235). The scheme stays readable.
func (sc *piiScanner) bearer(s string, i int) (piiMatch, bool) {
	if !sc.kinds.has(KindToken) || !wordStart(s, i) {
		return piiMatch{}, false
	}
	k := i
	switch {
	case hasPrefixFold(s[i:], "bearer"):
		k += len("bearer")
	case hasPrefixFold(s[i:], "basic"):
		k += len("basic")
	default:
		return piiMatch{}, false
	}
	start := k
	for start < len(s) && s[start] == ' ' {
		start++
	}
	if start == k {
		return piiMatch{}, false
	}
	end := start
	for end < len(s) && isTokenByte(s[end]) {
		end++
	}
	for end < len(s) && s[end] == '=' {
		end++
	}
	if end-start < 8 {
		return piiMatch{}, false
	}
	return piiMatch{start, end, KindToken}, true
}

// jwt tries a JSON Web Token whose "eyJ" ends at the J at j: three
// base64url segments split by dots, the first (the header, a JSON object)
// starting "eyJ".
func (sc *piiScanner) jwt(s string, j int) (piiMatch, bool) {
	i := j - 2
	if !sc.kinds.has(KindJWT) || i < 0 || len(s)-i < 10 || s[i] != 'e' || s[i+1] != 'y' || !wordStart(s, i) {
		return piiMatch{}, false
	}
	end := i
	for seg := range 3 {
		if seg > 0 {
			if end >= len(s) || s[end] != '.' {
				return piiMatch{}, false
			}
			end++
		}
		k := end
		for k < len(s) && isBase64URL(s[k]) {
			k++
		}
		if seg < 2 && k-end < 4 {
			return piiMatch{}, false
		}
		end = k
	}
	if end < len(s) && (isWordByte(s[end]) || s[end] == '.') {
		return piiMatch{}, false
	}
	return piiMatch{i, end, KindJWT}, true
}
