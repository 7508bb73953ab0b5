package pipeline

import "bytes"

// defaultSecretKeys name the fields whose values are secrets whatever they
// hold.
var defaultSecretKeys = []string{
	"password", "passwd", "pwd", "passphrase", "secret", "token", "api_key", "apikey",
	"access_key", "private_key", "secret_key", "authorization", "auth", "cookie",
	"credential", "credentials",
}

// secretKeys matches field keys against the names of secrets. Keys are
// compared in a canonical form: lower case, words split by '_' (camelCase,
// '-', '.' and ' ' split words too). A name matches a key that is the name
// or ends with '_' and the name.
type secretKeys struct {
	names [][]byte
	last  [256]bool // last bytes of the names, to rule most keys out at once
}

func newSecretKeys(extra []string) secretKeys {
	var s secretKeys
	for _, n := range append(append([]string(nil), defaultSecretKeys...), extra...) {
		c := canonicalKey(nil, n)
		if len(c) == 0 {
			continue
		}
		s.names = append(s.names, c)
		s.last[c[len(c)-1]] = true
	}
	return s
}

// maxKeyTail is how much of a key's end is compared.
const maxKeyTail = 64

func (s *secretKeys) match(key string) bool {
	if key == "" || !s.last[key[len(key)-1]|lowerBit(key[len(key)-1])] {
		return false
	}
	if len(key) > maxKeyTail {
		key = key[len(key)-maxKeyTail:]
	}
	var scratch [2 * maxKeyTail]byte
	c := canonicalKey(scratch[:0], key)
	for _, n := range s.names {
		if bytes.HasSuffix(c, n) && (len(c) == len(n) || c[len(c)-len(n)-1] == '_') {
			return true
		}
	}
	return false
}

// lowerBit returns the bit that lowers c when c is an upper-case letter.
func lowerBit(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return 0x20
	}
	return 0
}

// canonicalKey appends the canonical form of key to dst.
func canonicalKey(dst []byte, key string) []byte {
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case 'A' <= c && c <= 'Z':
			if i > 0 && camelBreak(key, i) {
				dst = append(dst, '_')
			}
			dst = append(dst, c+'a'-'A')
		case c == '-' || c == '.' || c == ' ':
			dst = append(dst, '_')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// camelBreak reports whether a word starts at the upper-case key[i]: after
// a lower-case letter or digit ("apiKey"), or as the last capital of an
// acronym before a lower-case letter ("DBPassword").
func camelBreak(key string, i int) bool {
	p := key[i-1]
	if 'a' <= p && p <= 'z' || isDigit(p) {
		return true
	}
	return 'A' <= p && p <= 'Z' && i+1 < len(key) && 'a' <= key[i+1] && key[i+1] <= 'z'
}
