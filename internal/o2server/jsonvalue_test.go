package o2server

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseJSONErrorsMatchSerde(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", "EOF while parsing a value at line 1 column 0"},
		{"x", "expected value at line 1 column 1"},
		{"{bad", "key must be a string at line 1 column 2"},
		{`{"a" 1}`, "expected `:` at line 1 column 6"},
		{`{"a":1,}`, "trailing comma at line 1 column 8"},
		{`[1,]`, "trailing comma at line 1 column 4"},
		{`[1 2]`, "expected `,` or `]` at line 1 column 4"},
		{`{"a":1 "b":2}`, "expected `,` or `}` at line 1 column 8"},
		{`{"a":1`, "EOF while parsing an object at line 1 column 6"},
		{`[1`, "EOF while parsing a list at line 1 column 2"},
		{`"abc`, "EOF while parsing a string at line 1 column 4"},
		{`tru`, "EOF while parsing a value at line 1 column 3"},
		{`trux`, "expected ident at line 1 column 4"},
		{`01`, "invalid number at line 1 column 2"},
		{`-`, "EOF while parsing a value at line 1 column 1"},
		{`1.x`, "invalid number at line 1 column 3"},
		{`{} x`, "trailing characters at line 1 column 4"},
		{"\"a\x01\"", `control character (\u0000-\u001F) found while parsing a string at line 1 column 3`},
		{`"\q"`, "invalid escape at line 1 column 3"},
		{`"\udc00"`, "lone leading surrogate in hex escape at line 1 column 7"},
		{"[\n  x]", "expected value at line 2 column 3"},
		{strings.Repeat("[", 128), "recursion limit exceeded at line 1 column 128"},
	}
	for _, tt := range tests {
		_, err := parseJSON([]byte(tt.in))
		require.NotNil(t, err, "%q", tt.in)
		assert.Equal(t, tt.want, err.Error(), "%q", tt.in)
	}
}

func TestParseJSONKeepsNumberTextAndOrder(t *testing.T) {
	v, err := parseJSON([]byte(` {"b":1.50,"a":[1e2,-0,2.0],"b2":"\u00e9\n","a":true} `))
	require.Nil(t, err)
	assert.Equal(t, `{"b":1.50,"a":true,"b2":"é\n"}`, string(appendJSON(nil, &v, false)))
	assert.Equal(t, `{"a":true,"b":1.50,"b2":"é\n"}`, string(appendJSON(nil, &v, true)))
}

func TestAppendJSONStringEscapesLikeSerde(t *testing.T) {
	assert.Equal(t, `"<a&b>\"\\\u0001\t é"`, string(appendJSONString(nil, "<a&b>\"\\\x01\t é")))
}

func TestFormatRyu(t *testing.T) {
	for f, want := range map[float64]string{
		2: "2.0", 1.5: "1.5", 100: "100.0", 1e16: "1e16", 1e15: "1000000000000000.0",
		0.001: "0.001", 1e-7: "1e-7", 1.5e300: "1.5e300", -0.25: "-0.25", 0: "0.0", 123456.789: "123456.789",
	} {
		assert.Equal(t, want, formatRyu(f), "%v", f)
	}
	assert.Equal(t, "1", formatRustFloat(1))
	assert.Equal(t, "100000000000000000000", formatRustFloat(1e20))
}

func TestScannerAgreesWithParser(t *testing.T) {
	for _, in := range []string{
		`{}`, `[]`, `{"a":[1,{"b":null}],"c":"\ud83d\ude00"}`, ` 1 `, `"x"`, `{"a":1,}`, `[1,]`,
		`{"a" 1}`, `"\ud800"`, `"\ud800\u0041"`, "\"\xff\"", `01`, `1e`, `-`, `1.`, `nul`, `{} {}`,
		strings.Repeat("[", 127) + strings.Repeat("]", 127), strings.Repeat("[", 128) + strings.Repeat("]", 128),
	} {
		_, err := parseJSON([]byte(in))
		assert.Equal(t, err == nil, validJSON([]byte(in)), "%q", in)
	}
}

// FuzzScanner checks the count-only scanner against encoding/json and the
// full parser. encoding/json is laxer in three ways serde_json is not:
// invalid UTF-8, lone surrogates and nesting past 127 levels.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{
		`{"a":1}`, `[{"_timestamp":"2026-01-01T00:00:00Z"}]`, `{"a":[1,2,{"b":"c"}]}`, `"\u00e9"`,
		`{"a":1,}`, `[1 2]`, `tru`, `-0.5e+3`, `{"\ud83d\ude00":null}`, "\"\xff\"", `"\ud800"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := validJSON(b)
		_, perr := parseJSON(b)
		require.Equal(t, perr == nil, got, "scanner and parser disagree on %q", b)
		want := json.Valid(b)
		if got && !want {
			t.Fatalf("scanner accepts %q, encoding/json rejects it", b)
		}
		if want && !got {
			require.True(t, serdeStricter(b), "scanner rejects %q, encoding/json accepts it", b)
		}
		if got {
			// A valid document decodes to the same value both ways.
			v, _ := parseJSON(b)
			require.Equal(t, decodeNumbers(t, b), decodeNumbers(t, appendJSON(nil, &v, false)))
		}
	})
}

// serdeStricter reports whether a document valid for encoding/json is
// rejected by serde_json for one of its known extra checks.
func serdeStricter(b []byte) bool {
	if !utf8.Valid(b) || strings.Contains(string(b), `\u`) {
		return true
	}
	depth, maxDepth := 0, 0
	inStr, esc := false, false
	for _, c := range b {
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case !inStr && (c == '[' || c == '{'):
			depth++
			maxDepth = max(maxDepth, depth)
		case !inStr && (c == ']' || c == '}'):
			depth--
		}
	}
	return maxDepth >= maxJSONDepth
}

func decodeNumbers(t *testing.T, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	require.NoError(t, d.Decode(&v))
	return v
}
