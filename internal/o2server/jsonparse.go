package o2server

import (
	"unicode/utf16"
	"unicode/utf8"
)

// jparser parses one JSON document strictly, as serde_json::from_slice.
type jparser struct {
	data  []byte
	i     int
	depth int
	buf   []byte
}

// parseJSON parses data as exactly one JSON value with optional surrounding
// whitespace.
func parseJSON(data []byte) (jvalue, *jsonError) {
	p := jparser{data: data}
	p.skipWS()
	v, err := p.value()
	if err != nil {
		return jvalue{}, err
	}
	p.skipWS()
	if p.i < len(p.data) {
		return jvalue{}, p.errAt(p.i, msgTrailing)
	}
	return v, nil
}

// errAt builds an error for the byte at index i, positioned as serde does.
func (p *jparser) errAt(i int, msg string) *jsonError {
	return positionError(p.data, i, msg)
}

func positionError(data []byte, i int, msg string) *jsonError {
	// serde_json reports the position just past the byte it peeked at.
	end := min(len(data), i+1)
	line, start := 1, 0
	for j := 0; j < end; j++ {
		if data[j] == '\n' {
			line++
			start = j + 1
		}
	}
	return &jsonError{msg: msg, line: line, column: end - start}
}

func (p *jparser) skipWS() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jparser) value() (jvalue, *jsonError) {
	if p.i >= len(p.data) {
		return jvalue{}, p.errAt(p.i, msgEOFValue)
	}
	switch c := p.data[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		return jvalue{kind: jString, s: s}, err
	case c == 't':
		return jvalue{kind: jBool, b: true}, p.ident("true")
	case c == 'f':
		return jvalue{kind: jBool}, p.ident("false")
	case c == 'n':
		return jvalue{}, p.ident("null")
	case c == '-' || ('0' <= c && c <= '9'):
		start := p.i
		if err := p.number(); err != nil {
			return jvalue{}, err
		}
		return jvalue{kind: jNumber, s: string(p.data[start:p.i])}, nil
	default:
		return jvalue{}, p.errAt(p.i, msgExpValue)
	}
}

func (p *jparser) ident(word string) *jsonError {
	p.i++
	for k := 1; k < len(word); k++ {
		if p.i >= len(p.data) {
			return p.errAt(p.i, msgEOFValue)
		}
		if p.data[p.i] != word[k] {
			return p.errAt(p.i, msgExpIdent)
		}
		p.i++
	}
	return nil
}

func (p *jparser) enter() *jsonError {
	p.depth++
	if p.depth >= maxJSONDepth {
		return p.errAt(p.i, msgRecursion)
	}
	return nil
}

func (p *jparser) array() (jvalue, *jsonError) {
	if err := p.enter(); err != nil {
		return jvalue{}, err
	}
	defer func() { p.depth-- }()
	p.i++
	v := jvalue{kind: jArray}
	p.skipWS()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.i++
		return v, nil
	}
	for {
		p.skipWS()
		if p.i >= len(p.data) {
			return v, p.errAt(p.i, msgEOFList)
		}
		if p.data[p.i] == ']' && len(v.arr) > 0 {
			return v, p.errAt(p.i, msgTrailComma)
		}
		elem, err := p.value()
		if err != nil {
			return v, err
		}
		v.arr = append(v.arr, elem)
		p.skipWS()
		if p.i >= len(p.data) {
			return v, p.errAt(p.i, msgEOFList)
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return v, nil
		default:
			return v, p.errAt(p.i, msgExpListEnd)
		}
	}
}

func (p *jparser) object() (jvalue, *jsonError) {
	if err := p.enter(); err != nil {
		return jvalue{}, err
	}
	defer func() { p.depth-- }()
	p.i++
	v := jvalue{kind: jObject}
	p.skipWS()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		return v, nil
	}
	for {
		p.skipWS()
		if p.i >= len(p.data) {
			return v, p.errAt(p.i, msgEOFObject)
		}
		if p.data[p.i] == '}' && len(v.obj) > 0 {
			return v, p.errAt(p.i, msgTrailComma)
		}
		if p.data[p.i] != '"' {
			return v, p.errAt(p.i, msgKeyString)
		}
		key, err := p.str()
		if err != nil {
			return v, err
		}
		p.skipWS()
		if p.i >= len(p.data) {
			return v, p.errAt(p.i, msgEOFObject)
		}
		if p.data[p.i] != ':' {
			return v, p.errAt(p.i, msgExpColon)
		}
		p.i++
		p.skipWS()
		val, err := p.value()
		if err != nil {
			return v, err
		}
		v.set(key, val)
		p.skipWS()
		if p.i >= len(p.data) {
			return v, p.errAt(p.i, msgEOFObject)
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return v, nil
		default:
			return v, p.errAt(p.i, msgExpObjEnd)
		}
	}
}

// number consumes a number literal following the JSON grammar.
func (p *jparser) number() *jsonError {
	n, msg := scanNumber(p.data, p.i)
	if msg != "" {
		return p.errAt(n, msg)
	}
	p.i = n
	return nil
}

// scanNumber returns the index after the number starting at i, or the index
// of the offending byte and a message.
func scanNumber(d []byte, i int) (int, string) {
	if d[i] == '-' {
		i++
	}
	if i >= len(d) {
		return i, msgEOFValue
	}
	switch {
	case d[i] == '0':
		i++
		if i < len(d) && isDigit(d[i]) {
			return i, msgBadNumber
		}
	case isDigit(d[i]):
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	default:
		return i, msgBadNumber
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) {
			return i, msgEOFValue
		}
		if !isDigit(d[i]) {
			return i, msgBadNumber
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) {
			return i, msgEOFValue
		}
		if !isDigit(d[i]) {
			return i, msgBadNumber
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	return i, ""
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// str consumes a string literal and returns its decoded value.
func (p *jparser) str() (string, *jsonError) {
	p.i++
	start := p.i
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			raw := p.data[start:p.i]
			p.i++
			if !utf8.Valid(raw) {
				return "", p.errAt(p.i-1, msgBadUnicode)
			}
			return string(raw), nil
		case c == '\\':
			return p.strSlow(start)
		case c < 0x20:
			return "", p.errAt(p.i, msgControl)
		}
		p.i++
	}
	return "", p.errAt(p.i, msgEOFString)
}

// strSlow decodes a string with escapes, starting over at start.
func (p *jparser) strSlow(start int) (string, *jsonError) {
	buf := append(p.buf[:0], p.data[start:p.i]...)
	defer func() { p.buf = buf[:0] }()
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			p.i++
			if !utf8.Valid(buf) {
				return "", p.errAt(p.i-1, msgBadUnicode)
			}
			return string(buf), nil
		case c < 0x20:
			return "", p.errAt(p.i, msgControl)
		case c != '\\':
			buf = append(buf, c)
			p.i++
			continue
		}
		p.i++
		if p.i >= len(p.data) {
			return "", p.errAt(p.i, msgEOFString)
		}
		e := p.data[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, err := p.unicodeEscape()
			if err != nil {
				return "", err
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", p.errAt(p.i-1, msgBadEscape)
		}
	}
	return "", p.errAt(p.i, msgEOFString)
}

func (p *jparser) hex4() (rune, *jsonError) {
	var r rune
	for k := 0; k < 4; k++ {
		if p.i >= len(p.data) {
			return 0, p.errAt(p.i, msgEOFString)
		}
		c := p.data[p.i]
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, p.errAt(p.i, msgBadEscape)
		}
		r = r<<4 | rune(d)
		p.i++
	}
	return r, nil
}

// unicodeEscape decodes the hex digits after "\u", joining surrogate pairs
// and rejecting lone surrogates as serde_json does.
func (p *jparser) unicodeEscape() (rune, *jsonError) {
	r, err := p.hex4()
	if err != nil {
		return 0, err
	}
	switch {
	case 0xDC00 <= r && r <= 0xDFFF:
		return 0, p.errAt(p.i-1, msgLoneSurr)
	case 0xD800 <= r && r <= 0xDBFF:
		if p.i+1 >= len(p.data) || p.data[p.i] != '\\' || p.data[p.i+1] != 'u' {
			return 0, p.errAt(p.i, msgEndHex)
		}
		p.i += 2
		r2, err := p.hex4()
		if err != nil {
			return 0, err
		}
		if r2 < 0xDC00 || r2 > 0xDFFF {
			return 0, p.errAt(p.i-1, msgLoneSurr)
		}
		return utf16.DecodeRune(r, r2), nil
	}
	return r, nil
}
