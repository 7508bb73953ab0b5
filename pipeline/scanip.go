package pipeline

import "net/netip"

// The IP address matchers of the scanner.

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
