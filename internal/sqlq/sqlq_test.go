package sqlq

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestQuote(t *testing.T) {
	assert.Equal(t, `'it''s'`, String("it's"))
	assert.Equal(t, `'a\b'`, String(`a\b`))
	assert.Equal(t, `'ab'`, String("a\x00b"))
	assert.Equal(t, `"alerts"`, Ident("alerts"))
	assert.Equal(t, `"a""b"`, Ident(`a"b`))
	assert.Equal(t, `"ab"`, Ident("a\x00b"))
}

func FuzzString(f *testing.F) {
	f.Add("x' OR '1'='1")
	f.Add("'\x00'")
	f.Fuzz(func(t *testing.T, s string) {
		q := String(s)
		inner := q[1 : len(q)-1]
		// Every quote inside the literal comes in a pair, so none ends it.
		assert.Zero(t, strings.Count(strings.ReplaceAll(inner, "''", ""), "'"), q)
		assert.NotContains(t, q, "\x00")
	})
}
