package wire

import (
	"encoding/json"
	"log/slog"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawMarshaler is a json.Marshaler that returns fixed bytes.
type rawMarshaler string

func (r rawMarshaler) MarshalJSON() ([]byte, error) { return []byte(r), nil }

// TestAppendRecordMarshalerInvalidUTF8 pins that a MarshalJSON result
// with invalid UTF-8, which encoding/json passes on unchecked, is written
// with the bytes replaced: the server refuses a batch holding one such line.
func TestAppendRecordMarshalerInvalidUTF8(t *testing.T) {
	for _, x := range []any{rawMarshaler("\"a\xffb\""), json.RawMessage("\"\xc3\""), rawMarshaler(`{"k\xfe":"v\xff"}`)} {
		got := encode(slog.Any("r", x), slog.Int("after", 1))
		require.True(t, json.Valid([]byte(got)), got)
		assert.True(t, utf8.ValidString(got), "%q", got)
		assert.Contains(t, got, `"after":1`)
	}
	assert.Contains(t, encode(slog.Any("r", rawMarshaler("\"a\xffb\""))), "\"r\":\"a\ufffdb\"")
}
