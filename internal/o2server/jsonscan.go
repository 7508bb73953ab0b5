package o2server

import (
	"encoding/binary"
	"unicode/utf8"

	"github.com/o2kit/o2kit/internal/norm"
)

// scanner validates JSON without building values, with the same verdicts as
// jparser: serde_json's grammar, UTF-8 and surrogate checks and recursion
// limit. Count-only servers use it so that a record costs no allocation.
// On failure only ok is cleared; the message comes from re-parsing with
// jparser, which is slow but only runs for bad input.
type scanner struct {
	data  []byte
	i     int
	depth int
	ok    bool
}

// strClass marks bytes that end the fast path inside a string.
var strClass = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	return t
}()

func (s *scanner) ws() {
	data, i := s.data, s.i
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	s.i = i
}

// value skips one value. It reports false on invalid JSON.
func (s *scanner) value() bool {
	if s.i >= len(s.data) {
		return false
	}
	switch c := s.data[s.i]; {
	case c == '{':
		return s.container('}')
	case c == '[':
		return s.container(']')
	case c == '"':
		_, _, ok := s.str()
		return ok
	case c == 't':
		return s.lit("true")
	case c == 'f':
		return s.lit("false")
	case c == 'n':
		return s.lit("null")
	case c == '-' || isDigit(c):
		n, msg := scanNumber(s.data, s.i)
		s.i = n
		return msg == ""
	}
	return false
}

func (s *scanner) lit(w string) bool {
	if len(s.data)-s.i < len(w) || string(s.data[s.i:s.i+len(w)]) != w {
		return false
	}
	s.i += len(w)
	return true
}

// container skips an object or array.
func (s *scanner) container(end byte) bool {
	s.depth++
	defer func() { s.depth-- }()
	if s.depth >= maxJSONDepth {
		return false
	}
	s.i++
	s.ws()
	if s.i < len(s.data) && s.data[s.i] == end {
		s.i++
		return true
	}
	for {
		s.ws()
		if end == '}' {
			if s.i >= len(s.data) || s.data[s.i] != '"' {
				return false
			}
			if _, _, ok := s.str(); !ok {
				return false
			}
			s.ws()
			if s.i >= len(s.data) || s.data[s.i] != ':' {
				return false
			}
			s.i++
			s.ws()
		}
		if !s.value() {
			return false
		}
		s.ws()
		if s.i >= len(s.data) {
			return false
		}
		switch s.data[s.i] {
		case ',':
			s.i++
		case end:
			s.i++
			return true
		default:
			return false
		}
	}
}

// str skips a string and returns its raw contents and whether it holds
// escapes. Plain runs are skipped eight bytes at a time.
func (s *scanner) str() ([]byte, bool, bool) {
	s.i++
	start := s.i
	escaped, high := false, false
	for s.i < len(s.data) {
		s.i = plainRun(s.data, s.i, start)
		if s.i >= len(s.data) {
			break
		}
		c := s.data[s.i]
		switch {
		case c == '"':
			raw := s.data[start:s.i]
			s.i++
			if high && !utf8.Valid(raw) {
				return nil, false, false
			}
			return raw, escaped, true
		case c == '\\':
			escaped = true
			if !s.escape() {
				return nil, false, false
			}
		case c < 0x20:
			return nil, false, false
		default:
			high = true
			s.i++
		}
	}
	return nil, false, false
}

// plainRun returns the index of the first byte at or after i that ends a
// plain run inside a string (see strClass), or len(data). Short strings,
// the common case, end within a few bytes, where a table lookup per byte
// beats setting up a word at a time; past 16 bytes it reads eight at a time.
func plainRun(data []byte, i, start int) int {
	for i < len(data) && i-start < 16 {
		if strClass[data[i]] {
			return i
		}
		i++
	}
	for i+8 <= len(data) && !specialWord(binary.LittleEndian.Uint64(data[i:])) {
		i += 8
	}
	for i < len(data) && !strClass[data[i]] {
		i++
	}
	return i
}

const (
	lows   = 0x0101010101010101
	highs  = 0x8080808080808080
	quotes = '"' * lows
	slashs = '\\' * lows
	spaces = 0x20 * lows
)

// specialWord reports whether any of eight bytes ends a plain run: a quote,
// a backslash, a control character or a non-ASCII byte.
func specialWord(w uint64) bool {
	return (zeroByte(w^quotes) | zeroByte(w^slashs) | (w-spaces)&^w&highs | w&highs) != 0
}

// zeroByte has the high bit of each zero byte of v set (and possibly others
// when a zero byte is present).
func zeroByte(v uint64) uint64 { return (v - lows) &^ v & highs }

// escape validates one escape sequence, s.i at the backslash.
func (s *scanner) escape() bool {
	s.i++
	if s.i >= len(s.data) {
		return false
	}
	e := s.data[s.i]
	s.i++
	switch e {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return true
	case 'u':
	default:
		return false
	}
	r, ok := s.hex4()
	switch {
	case !ok || 0xDC00 <= r && r <= 0xDFFF:
		return false
	case 0xD800 <= r && r <= 0xDBFF:
		if len(s.data)-s.i < 2 || s.data[s.i] != '\\' || s.data[s.i+1] != 'u' {
			return false
		}
		s.i += 2
		r2, ok := s.hex4()
		return ok && 0xDC00 <= r2 && r2 <= 0xDFFF
	}
	return true
}

func (s *scanner) hex4() (rune, bool) {
	if len(s.data)-s.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s.data[s.i : s.i+4] {
		var d byte
		switch {
		case isDigit(c):
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	s.i += 4
	return r, true
}

// validJSON reports whether data is exactly one JSON value that jparser
// accepts.
func validJSON(data []byte) bool {
	s := scanner{data: data}
	s.ws()
	if !s.value() {
		return false
	}
	s.ws()
	return s.i == len(s.data)
}

// isTimestampKey reports whether a raw (unescaped) key normalises to
// "_timestamp".
func isTimestampKey(k []byte) bool {
	if len(k) == 10 && k[0] < utf8.RuneSelf {
		c := k[0]
		if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || isDigit(c) {
			return false
		}
		for i, w := range []byte("timestamp") {
			if k[i+1]|0x20 != w {
				return false
			}
		}
		return true
	}
	if len(k) < 10 {
		return false
	}
	for _, c := range k {
		if c >= utf8.RuneSelf {
			var buf [64]byte
			return string(norm.AppendKey(buf[:0], string(k))) == "_timestamp"
		}
	}
	return false
}
