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
// JSON string holds unescaped, reading eight bytes at a time. A string of
// four bytes or more whose words are all clean is settled by words alone:
// its last, partial word is read as the eight (or two times four) bytes
// that end it, overlapping the bytes already read.
func safePrefix(s string) int {
	n, i := len(s), 0
	switch {
	case n >= 8:
		for ; i+8 <= n; i += 8 {
			if !cleanWord(load8(s[i : i+8])) {
				return i + safeBytes(s[i:])
			}
		}
		if i == n || cleanWord(load8(s[n-8:])) {
			return n
		}
	case n >= 4:
		if cleanWord(uint64(load4(s[:4])) | uint64(load4(s[n-4:]))<<32) {
			return n
		}
	}
	return i + safeBytes(s[i:])
}

// cleanWord reports whether none of the eight bytes of w is non-ASCII, a
// control, '"' or '\\'. Such a byte sets its high bit in bad; a borrow
// only carries upward from one, so a word without one is never flagged.
func cleanWord(w uint64) bool {
	quote := w ^ ('"' * ones)
	slash := w ^ ('\\' * ones)
	bad := w | (w - 0x20*ones) | (quote - ones) | (slash - ones)
	return bad&highs == 0
}

// safeBytes returns the length of s's leading run of safe bytes, a byte at
// a time.
func safeBytes(s string) int {
	i := 0
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
