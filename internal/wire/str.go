package wire

import "unicode/utf8"

// AppendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// encoding/json does; HTML characters are not escaped.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	i := safePrefix(s)
	if i == len(s) {
		dst = append(dst, s...)
		return append(dst, '"')
	}
	start := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if safe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = appendEscaped(dst, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			switch r {
			case utf8.RuneError:
				dst = append(dst, `\ufffd`...)
			case '\u2028':
				dst = append(dst, `\u2028`...)
			default:
				dst = append(dst, `\u2029`...)
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// SWAR masks: each has one byte value in every byte of a word.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// safePrefix returns the length of s's leading run of ASCII bytes that a
// JSON string holds unescaped, reading eight bytes at a time.
func safePrefix(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		// A byte that is non-ASCII, a control, '"' or '\\' sets its high bit.
		quote := w ^ ('"' * ones)
		slash := w ^ ('\\' * ones)
		bad := w | (w - 0x20*ones) | (quote - ones) | (slash - ones)
		if bad&highs != 0 {
			break
		}
	}
	for i < len(s) && safeByte[s[i]] {
		i++
	}
	return i
}

const hexDigits = "0123456789abcdef"

func appendEscaped(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	default:
		return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
	}
}

// safeByte is safe over all byte values: false from utf8.RuneSelf up.
var safeByte = func() (t [256]bool) {
	copy(t[:], safe[:])
	return t
}()

// safe reports the ASCII bytes a JSON string may hold unescaped.
var safe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()
