// Package norm holds OpenObserve's naming rules: how stream names and field
// keys are normalised, and how integer timestamps are read. The client applies
// them before sending, so what users query is what they wrote, and the
// embedded dev server applies them on ingestion, as the real server does.
package norm

import (
	"unicode"
	"unicode/utf8"
)

// StreamName returns the name OpenObserve stores a stream under: every run of
// characters outside [a-zA-Z0-9_:] becomes one '_', then ASCII letters are
// lowered. "My-App.Logs" becomes "my_app_logs" and "****" becomes "_".
func StreamName(s string) string {
	if isNormalStream(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	inRun := false
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && isStreamByte(byte(r)):
			b = append(b, lowerASCII(byte(r)))
			inRun = false
		case !inRun:
			b = append(b, '_')
			inRun = true
		}
	}
	return string(b)
}

func isNormalStream(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isStreamByte(c) || ('A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

func isStreamByte(c byte) bool {
	return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || c == '_' || c == ':'
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// Key returns the field key OpenObserve stores for k. ASCII upper case is
// lowered and any other ASCII character outside [a-z0-9_] becomes '_', one
// per character. A key with non-ASCII characters keeps Unicode lower-case
// letters and numbers, lowers upper-case letters and turns every other
// character into '_': "hello世界" becomes "hello__".
func Key(k string) string {
	if IsKey(k) {
		return k
	}
	return string(AppendKey(make([]byte, 0, len(k)), k))
}

// IsKey reports whether k is already a normalised key, so [AppendKey] would
// copy it unchanged.
func IsKey(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c >= utf8.RuneSelf {
			return isKeyUnicode(k[i:])
		}
		if !isKeyByte(c) {
			return false
		}
	}
	return true
}

func isKeyUnicode(k string) bool {
	for _, r := range k {
		if r < utf8.RuneSelf {
			if !isKeyByte(byte(r)) {
				return false
			}
			continue
		}
		if !isLower(r) && !unicode.IsNumber(r) {
			return false
		}
	}
	return true
}

func isKeyByte(c byte) bool {
	return ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || c == '_'
}

// keyByte is the table form of isKeyByte, for the hot path.
var keyByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = isKeyByte(byte(c))
	}
	return t
}()

// AppendKey appends the normalised form of k (see [Key]) to dst. It does not
// allocate beyond growing dst.
func AppendKey(dst []byte, k string) []byte {
	// Fast path: most keys are already normal and are copied whole.
	i := 0
	for i < len(k) && keyByte[k[i]] {
		i++
	}
	if i == len(k) {
		return append(dst, k...)
	}
	ascii := true
	for j := i; j < len(k); j++ {
		if k[j] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		dst = append(dst, k[:i]...)
		for ; i < len(k); i++ {
			c := k[i]
			switch {
			case isKeyByte(c):
				dst = append(dst, c)
			case 'A' <= c && c <= 'Z':
				dst = append(dst, c+'a'-'A')
			default:
				dst = append(dst, '_')
			}
		}
		return dst
	}
	for _, r := range k {
		switch {
		case r == utf8.RuneError:
			dst = append(dst, '_')
		case isLower(r) || unicode.IsNumber(r):
			dst = utf8.AppendRune(dst, r)
		case isUpper(r):
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		default:
			dst = append(dst, '_')
		}
	}
	return dst
}

// isLower follows Unicode's Lowercase property, as Rust's char::is_lowercase.
func isLower(r rune) bool {
	return unicode.IsLower(r) || unicode.Is(unicode.Other_Lowercase, r)
}

// isUpper follows Unicode's Uppercase property, as Rust's char::is_uppercase.
func isUpper(r rune) bool {
	return unicode.IsUpper(r) || unicode.Is(unicode.Other_Uppercase, r)
}

// Thresholds that decide the unit of an integer timestamp, as the server
// does: anything above 1971-01-01 in a finer unit is read in that unit.
const (
	nanosAbove  = 31_536_000_000_000_000
	microsAbove = 31_536_000_000_000
	millisAbove = 31_536_000_000
)

// TimestampMicros reads an integer timestamp whose unit (seconds,
// milliseconds, microseconds or nanoseconds) is detected from its size, and
// returns microseconds. Zero stays zero, which the server reads as now.
func TimestampMicros(v int64) int64 {
	switch {
	case v > nanosAbove:
		return v / 1000
	case v > microsAbove:
		return v
	case v > millisAbove:
		return v * 1000
	default:
		return v * 1_000_000
	}
}

// SameKey reports whether a and b are stored as the same field key, as
// [Key] normalises them: "Service" and "service", or "order-id" and
// "order_id". It allocates nothing when both are ASCII.
func SameKey(a, b string) bool {
	if a == b {
		return true
	}
	ascii := true
	if len(a) == len(b) {
		for i := 0; i < len(a); i++ {
			x, y := a[i], b[i]
			if x >= utf8.RuneSelf || y >= utf8.RuneSelf {
				ascii = false
				break
			}
			if asciiKeyByte(x) != asciiKeyByte(y) {
				return false
			}
		}
		if ascii {
			return true
		}
	}
	if ascii && isASCII(a) && isASCII(b) {
		return false // ASCII keys keep their length
	}
	return Key(a) == Key(b)
}

// asciiKeyByte is what Key makes of the ASCII byte c.
func asciiKeyByte(c byte) byte {
	if c = lowerASCII(c); keyByte[c] {
		return c
	}
	return '_'
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
