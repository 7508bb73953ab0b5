package wire

import (
	"encoding/json"
	"log/slog"
	"math"
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

// TestAppendRecordDocID pins that a top-level _id field is always a
// string or absent: OpenObserve's write path fails the whole request on
// any other _id.
func TestAppendRecordDocID(t *testing.T) {
	const head = `{"_timestamp":1700000000000000,"o2kit_id":"id-1",`
	for _, c := range []struct {
		attr slog.Attr
		want string
	}{
		{slog.String("_id", "doc-1"), `"_id":"doc-1"`},
		{slog.Int("_id", -7), `"_id":"-7"`},
		{slog.Uint64("@ID", 18446744073709551615), `"_id":"18446744073709551615"`},
		{slog.Float64(".id", 2), `"_id":"2.0"`},
		{slog.Bool("_id", true), `"_id":"true"`},
		{slog.Duration("_id", 3), `"_id":"3"`},
		{slog.Any("_id", json.Number("12")), `"_id":"12"`},
		{slog.Any("_id", []int{1}), `"_id":"[1]"`},
		{slog.Any("_id", map[string]int{"a": 1}), `"_id_a":1`},
		{slog.Group("", slog.Int("_id", 5)), `"_id":"5"`},
		{slog.Group("x", slog.Int("_id", 5)), `"x__id":5`},
	} {
		got := encode(c.attr, slog.Int("after", 1))
		require.True(t, json.Valid([]byte(got)), got)
		assert.Equal(t, head+c.want+`,"after":1}`+"\n", got, "%v", c.attr)
	}
	for _, a := range []slog.Attr{slog.Float64("_id", math.NaN()), slog.Any("_id", nil)} {
		assert.Equal(t, head+`"after":1}`+"\n", encode(a, slog.Int("after", 1)), "%v: null is left out", a)
	}
	assert.Equal(t, `,"_id":"1"`, string(NewStatic("o2kit_id", []slog.Attr{slog.Int("_id", 1)}).frags[0]))
}

// FuzzAppendRecordBadInput checks what the server needs of every line,
// whatever the attributes hold: valid JSON in valid UTF-8, one
// _timestamp, at most one id, and an _id, if any, that is a string.
func FuzzAppendRecordBadInput(f *testing.F) {
	f.Add("_id", "v", []byte(`{"a":1}`), 1.5, int64(1))
	f.Add("@timestamp", "\xff\u2028", []byte("\"\xff\""), math.NaN(), int64(-1))
	f.Add("O2KIT.ID", "\x00\"\\", []byte("1e400"), math.Inf(1), int64(math.MinInt64))
	f.Fuzz(func(t *testing.T, key, s string, raw []byte, fl float64, i int64) {
		var e Encoder
		e.IDKey = "o2kit_id"
		attrs := []slog.Attr{
			slog.String(key, s), slog.Float64(key, fl), slog.Int64(key, i), slog.Any(key, rawMarshaler(raw)),
			slog.Any(key, json.RawMessage(raw)), slog.Group("", slog.Any(key, rawMarshaler(raw)), slog.Float64(key, fl)),
			slog.Group(key, slog.Any(s, rawMarshaler(raw))),
		}
		line := e.AppendRecord(nil, i, []byte("id-1"), attrs)
		if !json.Valid(line) || !utf8.Valid(line) {
			t.Fatalf("invalid line: %q", line)
		}
		counts := map[string]int{}
		err := members(line, func(k, v []byte) {
			counts[string(k)]++
			if string(k) == DocIDKey && v[0] != '"' {
				t.Fatalf("_id %s is not a string: %q", v, line)
			}
		})
		if err != nil {
			t.Fatalf("%v: %q", err, line)
		}
		if counts["_timestamp"] != 1 || counts["o2kit_id"] != 1 {
			t.Fatalf("time or id twice: %q", line)
		}
		_ = CheckSample(line)
	})
}
