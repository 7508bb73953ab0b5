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
	names  map[string]bool            // canonical names
	maxLen int                        // of a canonical name
	ends   [1 << (endBits - 6)]uint64 // hashed set of the last two bytes of the names, to rule most keys out at once (all set when a name has one byte)
}

func newSecretKeys(extra []string) secretKeys {
	s := secretKeys{names: map[string]bool{}}
	for _, n := range append(append([]string(nil), defaultSecretKeys...), extra...) {
		c := canonicalKey(nil, n)
		if len(c) == 0 {
			continue
		}
		s.names[string(c)] = true
		s.maxLen = max(s.maxLen, len(c))
		if len(c) < 2 { // no key is ruled out
			for i := range s.ends {
				s.ends[i] = ^uint64(0)
			}
			continue
		}
		h := endHash(c[len(c)-2], c[len(c)-1])
		s.ends[h>>6] |= 1 << (h & 63)
	}
	return s
}

// maxKeyTail is how much of a key's end is compared.
const maxKeyTail = 64

func (s *secretKeys) match(key string) bool {
	return key != "" && !s.ruledOut(key) && s.matchCanonical(key)
}

// matchCanonical is match without the shortcut of ruledOut.
func (s *secretKeys) matchCanonical(key string) bool {
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
// in the canonical form (names of one byte are never ruled out). Small
// enough to be inlined: most keys are ruled out here.
func (s *secretKeys) ruledOut(key string) bool {
	if len(key) < 2 {
		return false
	}
	a, b := key[len(key)-2], key[len(key)-1]
	h := endHash(a, b)
	return class[a]&class[b]&clKeyEnd != 0 && s.ends[h>>6]&(1<<(h&63)) == 0
}

// endBits is the log2 of the bits of secretKeys.ends: 512 bits, one cache
// line held in the masker itself, so that most keys are ruled out without
// a miss when the encoder's work has pushed the masker's tables out.
const endBits = 9

// endHash spreads the last two bytes of a name over the bits of
// secretKeys.ends.
func endHash(a, b byte) uint32 { return (uint32(a)<<8 | uint32(b)) * 0x9e3779b1 >> (32 - endBits) }

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
