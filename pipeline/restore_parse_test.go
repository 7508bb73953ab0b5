package pipeline

import (
	"encoding/json"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRecord(t *testing.T) {
	line := `{"_timestamp":1795595400000000,"o2kit_id":"0193-x","message":"say \"hi\"\n","n":-42,` +
		`"big":18446744073709551615,"f":2.0,"e":1e3,"ok":true,"no":false,"gone":null,"obj":{"a":[1,2]},"arr":[]}`
	rec, err := parseRecord([]byte(line), keyCache{}, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(1795595400000000), rec.ts)
	assert.Equal(t, []slog.Attr{
		slog.String("o2kit_id", "0193-x"),
		slog.String("message", "say \"hi\"\n"),
		slog.Int64("n", -42),
		slog.Uint64("big", math.MaxUint64),
		slog.Float64("f", 2),
		slog.Float64("e", 1000),
		slog.Bool("ok", true),
		slog.Bool("no", false),
		slog.Any("obj", json.RawMessage(`{"a":[1,2]}`)),
		slog.Any("arr", json.RawMessage(`[]`)),
	}, rec.attrs)
}

func TestParseRecordRejects(t *testing.T) {
	for line, want := range map[string]string{
		``:                               "column 1: want '{'",
		`{}`:                             "no _timestamp",
		`{"_timestamp":1.5}`:             "_timestamp 1.5 is not an integer",
		`{"_timestamp":"1"}`:             `_timestamp "1" is not an integer`,
		`{"_timestamp":1`:                "column 16: want ',' or '}'",
		`{"_timestamp":1}x`:              "column 17: data after the object",
		`{"_timestamp":1,"a":tru}`:       "column 21: bad value",
		`{"_timestamp":1,"a":01}`:        "column 21: bad value",
		`{"_timestamp":1,"a":"x`:         "column 23: unterminated string",
		`{"_timestamp":1,"a":"` + "\x01": "column 22: control character in a string",
		`{"_timestamp":1,"a":{"b":1}`:    "column 28: want ',' or '}'",
		`{"_timestamp":1,"a":[1,}]}`:     "column 21: bad object or array",
		`{"_timestamp":1 "a":1}`:         "column 17: want ',' or '}'",
		`{_timestamp:1}`:                 "column 2: want a string",
		`{"_timestamp" 1}`:               "column 15: want ':' after a key",
		`{"_timestamp":1,"a":"\x"}`:      `string \x: invalid character 'x' in string escape code`,
	} {
		_, err := parseRecord([]byte(line), keyCache{}, nil)
		assert.ErrorContains(t, err, want, line)
	}
}

// The parser never panics, and what it accepts is valid JSON whose
// timestamp and attributes encoding/json reads the same way.
func FuzzParseRecord(f *testing.F) {
	f.Add(`{"_timestamp":1,"a":"b","c":[1,{"d":null}],"e":-1.5e-3,"f":true}`)
	f.Add(`{"_timestamp":1795595400000000,"s":"\u00e9\ud83d\ude00\\","n":18446744073709551616}`)
	f.Add(` { "_timestamp" : 2 , "x" : { } } `)
	f.Fuzz(func(t *testing.T, line string) {
		rec, err := parseRecord([]byte(line), keyCache{}, nil)
		if err != nil {
			return
		}
		require.True(t, json.Valid([]byte(line)), line)
		var m map[string]any
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		require.NoError(t, dec.Decode(&m))
		require.Equal(t, json.Number(strconv.FormatInt(rec.ts, 10)), m["_timestamp"])
		count := map[string]int{}
		for _, a := range rec.attrs {
			count[a.Key]++
		}
		for _, a := range rec.attrs {
			v, ok := m[a.Key]
			require.True(t, ok || v == nil, "key %q", a.Key)
			if s, isStr := v.(string); isStr && count[a.Key] == 1 {
				require.Equal(t, s, a.Value.String())
			}
		}
	})
}

// benchLine is a stored order record as a search hit returns it.
const benchLine = `{"_timestamp":1795595400000000,"o2kit_id":"019ab2c3-d4e5-7f60-8a1b-2c3d4e5f6a7b",` +
	`"message":"order placed","seq":4711,"order_id":"ord-004711","amount_minor":5711,` +
	`"latency_ms":13.5,"first_order":false,"user_id":"u-123456","currency":"EUR"}`

// The record parser against decoding the same line into a map, as a
// restore through encoding/json would.
func BenchmarkParseRecord(b *testing.B) {
	line := []byte(benchLine)
	b.Run("scanObject", func(b *testing.B) {
		var buf []slog.Attr
		keys := keyCache{}
		b.ReportAllocs()
		b.SetBytes(int64(len(line)))
		for b.Loop() {
			rec, err := parseRecord(line, keys, buf)
			if err != nil {
				b.Fatal(err)
			}
			buf = rec.attrs
		}
	})
	b.Run("encoding_json_map", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(line)))
		for b.Loop() {
			var m map[string]any
			if err := json.Unmarshal(line, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}
