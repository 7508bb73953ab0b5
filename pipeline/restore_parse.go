package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"
	"unicode/utf8"
)

// timestampKey is the field OpenObserve keeps the event time in, in µs.
const timestampKey = "_timestamp"

// syntaxError is a malformed line, with the byte offset (from 1) where
// reading stopped.
type syntaxError struct {
	col int
	msg string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("column %d: %s", e.col, e.msg) }

// scanObject calls fn for each member of the JSON object in line, with the
// raw key (quotes removed, escapes left in) and the raw value. It accepts
// only one object, with nothing but white space around it; values may be
// of any JSON kind. Hits are flat objects, so this is all a backup line
// needs, and it is much cheaper than decoding into a map.
func scanObject(line []byte, fn func(key, val []byte) error) error {
	s := scanner{b: line}
	s.space()
	if !s.take('{') {
		return s.fail("want '{'")
	}
	s.space()
	if s.take('}') {
		return s.end()
	}
	for {
		s.space()
		key, err := s.str()
		if err != nil {
			return err
		}
		s.space()
		if !s.take(':') {
			return s.fail("want ':' after a key")
		}
		s.space()
		val, err := s.value(0)
		if err != nil {
			return err
		}
		if err := fn(key[1:len(key)-1], val); err != nil {
			return err
		}
		s.space()
		if s.take('}') {
			return s.end()
		}
		if !s.take(',') {
			return s.fail("want ',' or '}'")
		}
	}
}

type scanner struct {
	b []byte
	i int
}

func (s *scanner) fail(msg string) error { return &syntaxError{col: s.i + 1, msg: msg} }

func (s *scanner) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\r' || s.b[s.i] == '\n') {
		s.i++
	}
}

func (s *scanner) take(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *scanner) end() error {
	s.space()
	if s.i != len(s.b) {
		return s.fail("data after the object")
	}
	return nil
}

// str reads a JSON string and returns it with its quotes.
func (s *scanner) str() ([]byte, error) {
	start := s.i
	if !s.take('"') {
		return nil, s.fail("want a string")
	}
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return s.b[start:s.i], nil
		case c == '\\':
			s.i += 2
		case c < 0x20:
			return nil, s.fail("control character in a string")
		default:
			s.i++
		}
	}
	return nil, s.fail("unterminated string")
}

// value reads any JSON value and returns its raw bytes.
func (s *scanner) value(depth int) ([]byte, error) {
	if s.i >= len(s.b) {
		return nil, s.fail("want a value")
	}
	start := s.i
	switch c := s.b[s.i]; {
	case c == '"':
		return s.str()
	case c == '{' || c == '[':
		if depth > 64 {
			return nil, s.fail("nested too deep")
		}
		return s.nested(start, depth)
	case c == '-' || c >= '0' && c <= '9':
		for s.i < len(s.b) && bytes.IndexByte([]byte("+-.eE0123456789"), s.b[s.i]) >= 0 {
			s.i++
		}
	default:
		for s.i < len(s.b) && s.b[s.i] >= 'a' && s.b[s.i] <= 'z' {
			s.i++
		}
	}
	raw := s.b[start:s.i]
	if !json.Valid(raw) {
		s.i = start
		return nil, s.fail("bad value")
	}
	return raw, nil
}

// nested skips an object or array, checking it with encoding/json.
func (s *scanner) nested(start, depth int) ([]byte, error) {
	open := 0
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '"':
			if _, err := s.str(); err != nil {
				return nil, err
			}
			continue
		case '{', '[':
			open++
		case '}', ']':
			open--
		}
		s.i++
		if open == 0 {
			raw := s.b[start:s.i]
			if !json.Valid(raw) {
				s.i = start
				return nil, s.fail("bad object or array")
			}
			return raw, nil
		}
	}
	return nil, s.fail("unterminated object or array")
}

// record is a backup line turned back into what Emit takes.
type record struct {
	ts    int64 // µs
	attrs []slog.Attr
}

// keyCache holds the keys seen so far, so that the keys of a backup's
// records, the same in line after line, are made strings once.
type keyCache map[string]string

// maxKeys bounds a keyCache; keys past it are made strings each time.
const maxKeys = 4096

func (c keyCache) key(raw []byte) (string, error) {
	if k, ok := c[string(raw)]; ok {
		return k, nil
	}
	k, err := unquote(raw)
	if err == nil && len(c) < maxKeys {
		c[string(raw)] = k
	}
	return k, err
}

// parseRecord reads a backup line: its _timestamp, which must be an
// integer, and with keys given the other members as attributes in their
// order. dst is reused for the attributes.
func parseRecord(line []byte, keys keyCache, dst []slog.Attr) (record, error) {
	r := record{ts: -1, attrs: dst[:0]}
	err := scanObject(line, func(key, val []byte) error {
		if string(key) == timestampKey {
			ts, ok := parseInt(val)
			if !ok {
				return fmt.Errorf("_timestamp %s is not an integer of microseconds", clipLine(val))
			}
			r.ts = ts
			return nil
		}
		if keys == nil {
			return nil
		}
		a, ok, err := attrOf(keys, key, val)
		if ok {
			r.attrs = append(r.attrs, a)
		}
		return err
	})
	if err == nil && r.ts < 0 {
		err = fmt.Errorf("no _timestamp")
	}
	return r, err
}

// parseInt reads a JSON integer that fits in an int64, without the
// allocation strconv's error path costs.
func parseInt(b []byte) (int64, bool) {
	digits := b
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 18 {
		n, err := strconv.ParseInt(string(b), 10, 64)
		return n, err == nil
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if len(digits) < len(b) {
		n = -n
	}
	return n, true
}

// attrOf converts one member: strings, integers (as int64 or uint64),
// other numbers (float64) and booleans keep their kind; nulls are left out;
// objects and arrays are passed as JSON for the client to flatten as the
// server would.
func attrOf(keys keyCache, rawKey, val []byte) (slog.Attr, bool, error) {
	key, err := keys.key(rawKey)
	if err != nil {
		return slog.Attr{}, false, err
	}
	switch val[0] {
	case '"':
		s, err := unquote(val[1 : len(val)-1])
		return slog.String(key, s), err == nil, err
	case 't', 'f':
		return slog.Bool(key, val[0] == 't'), true, nil
	case 'n':
		return slog.Attr{}, false, nil
	case '{', '[':
		return slog.Any(key, json.RawMessage(bytes.Clone(val))), true, nil
	}
	if n, ok := parseInt(val); ok {
		return slog.Int64(key, n), true, nil
	}
	if n, err := strconv.ParseUint(string(val), 10, 64); err == nil {
		return slog.Uint64(key, n), true, nil
	}
	f, err := strconv.ParseFloat(string(val), 64)
	if err != nil {
		return slog.Attr{}, false, fmt.Errorf("number %s: %w", clipLine(val), err)
	}
	return slog.Float64(key, f), true, nil
}

// unquote turns the inside of a JSON string into a Go string.
func unquote(raw []byte) (string, error) {
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return string(raw), nil
	}
	var s string
	q := make([]byte, 0, len(raw)+2)
	q = append(append(append(q, '"'), raw...), '"')
	if err := json.Unmarshal(q, &s); err != nil {
		return "", fmt.Errorf("string %s: %w", clipLine(raw), err)
	}
	return s, nil
}

// micros converts a _timestamp to a time.
func fromMicros(ts int64) time.Time { return time.UnixMicro(ts).UTC() }

func clipLine(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}
