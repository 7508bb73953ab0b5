package pipeline

// Byte classes of the scanners. Bytes of multi-byte UTF-8 characters are
// none of them, so personal data written next to CJK text is found.

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
func isAlnum(c byte) bool  { return isDigit(c) || isLetter(c) }
func isHex(c byte) bool    { return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f' }

// isWordByte reports whether c continues a word: a number next to one is
// part of an identifier, not personal data on its own.
func isWordByte(c byte) bool { return isAlnum(c) || c == '_' || c == '@' }

// isJoiner reports whether c joins the words on its two sides into one
// token, as '-' does in ORD-13812345678 and '.' in 3.14.
func isJoiner(c byte) bool { return c == '-' || c == '.' || c == ',' || c == '/' }

func isGroupSep(c byte) bool  { return c == ' ' || c == '-' || c == '.' }
func isPhoneSep(c byte) bool  { return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' }
func isIPv6Byte(c byte) bool  { return isHex(c) || c == ':' || c == '.' }
func isBase64URL(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }
func isTokenByte(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
}

func isLocalByte(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

// boundaryBefore reports whether a match may start at i: it does not
// continue a word or a joined token.
func boundaryBefore(s string, i int) bool {
	if i == 0 {
		return true
	}
	c := s[i-1]
	return !isWordByte(c) && !(isJoiner(c) && i >= 2 && isAlnum(s[i-2]))
}

// boundaryAfter reports whether a match may end at j.
func boundaryAfter(s string, j int) bool {
	if j >= len(s) {
		return true
	}
	c := s[j]
	return !isWordByte(c) && !(isJoiner(c) && j+1 < len(s) && isAlnum(s[j+1]))
}

// wordStart reports whether a word starts at i.
func wordStart(s string, i int) bool { return i == 0 || !isWordByte(s[i-1]) }

func skipDigits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) {
			return false
		}
	}
	return true
}

// hasPrefixFold reports whether s starts with the lower-case ASCII prefix,
// in any case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if s[i]|0x20 != prefix[i] {
			return false
		}
	}
	return true
}
