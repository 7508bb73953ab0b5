package o2server

import (
	"errors"
	"strings"
)

// tokKind is the kind of a SQL token.
type tokKind uint8

const (
	tkIdent  tokKind = iota // bare word: keyword or identifier
	tkQuoted                // "quoted identifier"
	tkString                // 'string literal'
	tkNumber
	tkOp // punctuation and operators
)

// token is one SQL token. text is the source text; for tkIdent val is the
// word lower-cased, for tkQuoted and tkString the unquoted value.
type token struct {
	kind  tokKind
	text  string
	val   string
	space bool // white space or a comment came before it
}

func (t token) is(word string) bool { return t.kind == tkIdent && t.val == word }
func (t token) op(s string) bool    { return t.kind == tkOp && t.text == s }

var multiOps = []string{"!~*", "<=>", "->>", "::", "<=", ">=", "<>", "!=", "||", "~*", "!~", "->", "==", "<<", ">>"}

// tokenize splits a query into tokens; comments become white space.
func tokenize(sql string) ([]token, error) {
	var toks []token
	space := false
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			space = true
			i++
			continue
		case strings.HasPrefix(sql[i:], "--"):
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
			space = true
			continue
		case strings.HasPrefix(sql[i:], "/*"):
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				return nil, errors.New("unterminated comment")
			}
			i += end + 4
			space = true
			continue
		}
		t, n, err := scanToken(sql[i:])
		if err != nil {
			return nil, err
		}
		t.space = space
		space = false
		toks = append(toks, t)
		i += n
	}
	return toks, nil
}

func scanToken(s string) (token, int, error) {
	c := s[0]
	switch {
	case c == '\'' || c == '"':
		val, n, ok := scanQuoted(s, c)
		if !ok {
			return token{}, 0, errors.New("unterminated quoted string")
		}
		kind := tkString
		if c == '"' {
			kind = tkQuoted
		}
		return token{kind: kind, text: s[:n], val: val}, n, nil
	case isDigit(c) || c == '.' && len(s) > 1 && isDigit(s[1]):
		n := 0
		for n < len(s) && (isDigit(s[n]) || s[n] == '.') {
			n++
		}
		if n < len(s) && (s[n] == 'e' || s[n] == 'E') {
			m := n + 1
			if m < len(s) && (s[m] == '+' || s[m] == '-') {
				m++
			}
			if m < len(s) && isDigit(s[m]) {
				for n = m; n < len(s) && isDigit(s[n]); n++ {
				}
			}
		}
		return token{kind: tkNumber, text: s[:n], val: s[:n]}, n, nil
	case isWordByte(c):
		n := 0
		for n < len(s) && (isWordByte(s[n]) || isDigit(s[n]) || s[n] == '$') {
			n++
		}
		return token{kind: tkIdent, text: s[:n], val: strings.ToLower(s[:n])}, n, nil
	}
	for _, op := range multiOps {
		if strings.HasPrefix(s, op) {
			return token{kind: tkOp, text: op}, len(op), nil
		}
	}
	return token{kind: tkOp, text: s[:1]}, 1, nil
}

func isWordByte(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}

// scanQuoted reads a quoted token where a doubled quote stands for itself.
func scanQuoted(s string, q byte) (string, int, bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != q {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == q {
			b.WriteByte(q)
			i++
			continue
		}
		return b.String(), i + 1, true
	}
	return "", 0, false
}

// quoteString renders a SQL string literal.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// render joins tokens back into SQL text.
func render(toks []token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && (t.space || needsSpace(toks[i-1], t)) {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}

func needsSpace(a, b token) bool {
	wordish := func(t token) bool { return t.kind != tkOp }
	return wordish(a) && wordish(b)
}

// raw makes a token of generated SQL text.
func raw(text string) token {
	return token{kind: tkOp, text: text, space: true}
}
