package pipeline

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
	names  map[string]bool  // canonical names
	maxLen int              // of a canonical name
	ends   *[1 << 10]uint64 // set of the last two bytes of the names, to rule most keys out at once
	short  bool             // a name of one byte: no key is ruled out
}

func newSecretKeys(extra []string) secretKeys {
	s := secretKeys{names: map[string]bool{}, ends: new([1 << 10]uint64)}
	for _, n := range append(append([]string(nil), defaultSecretKeys...), extra...) {
		c := canonicalKey(nil, n)
		if len(c) == 0 {
			continue
		}
		s.names[string(c)] = true
		s.maxLen = max(s.maxLen, len(c))
		if len(c) < 2 {
			s.short = true
			continue
		}
		end := uint16(c[len(c)-2])<<8 | uint16(c[len(c)-1])
		s.ends[end>>6] |= 1 << (end & 63)
	}
	return s
}

// maxKeyTail is how much of a key's end is compared.
const maxKeyTail = 64

func (s *secretKeys) match(key string) bool {
	if key == "" || s.ruledOut(key) {
		return false
	}
	if len(key) > maxKeyTail {
		key = key[len(key)-maxKeyTail:]
	}
	var scratch [2 * maxKeyTail]byte
	c := canonicalKey(scratch[:0], key)
	for pos := max(0, len(c)-s.maxLen); pos < len(c); pos++ {
		if (pos == 0 || c[pos-1] == '_') && s.names[string(c[pos:])] {
			return true
		}
	}
	return false
}

// ruledOut reports whether no name can match key, judging by its last two
// bytes when they are lower-case letters or digits and so stay as they are
// in the canonical form (names of one byte are never ruled out).
func (s *secretKeys) ruledOut(key string) bool {
	if len(key) < 2 || s.short {
		return false
	}
	a, b := key[len(key)-2], key[len(key)-1]
	if !isLowerOrDigit(a) || !isLowerOrDigit(b) {
		return false
	}
	end := uint16(a)<<8 | uint16(b)
	return s.ends[end>>6]&(1<<(end&63)) == 0
}

func isLowerOrDigit(c byte) bool { return 'a' <= c && c <= 'z' || isDigit(c) }

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

// keySet matches keys equal to one of its names in the canonical form.
type keySet map[string]bool

func newKeySet(names []string) keySet {
	s := keySet{}
	for _, n := range names {
		if c := canonicalKey(nil, n); len(c) > 0 {
			s[string(c)] = true
		}
	}
	return s
}

// has reports whether key is in s; an empty set costs nothing.
func (s keySet) has(key string) bool {
	if len(s) == 0 || key == "" || len(key) > maxKeyTail {
		return false
	}
	var scratch [2 * maxKeyTail]byte
	return s[string(canonicalKey(scratch[:0], key))]
}
