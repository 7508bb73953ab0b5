package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type panicky struct{}

func (panicky) LogValue() slog.Value { panic("boom") }

type point struct {
	X    int            `json:"X"`
	Tags []string       `json:"tags"`
	Meta map[string]any `json:"Meta.Info"`
	None []int          `json:"none"`
}

type badJSON struct{}

type panicJSON struct{}

func (panicJSON) MarshalJSON() ([]byte, error) { panic("kaboom") }

func (badJSON) MarshalJSON() ([]byte, error) { return nil, errors.New("no") }

type panicError struct{}

func (panicError) Error() string { panic("kaboom") }

func encode(attrs ...slog.Attr) string {
	var e Encoder
	e.IDKey = "o2kit_id"
	return string(e.AppendRecord(nil, 1_700_000_000_000_000, []byte("id-1"), attrs))
}

func TestAppendRecordGolden(t *testing.T) {
	when := time.Date(2026, 11, 25, 10, 0, 0, 123000000, time.UTC)
	cases := []struct {
		name  string
		attrs []slog.Attr
		want  string
	}{
		{"empty", nil, `{"_timestamp":1700000000000000,"o2kit_id":"id-1"}`},
		{"scalars", []slog.Attr{
			slog.String("msg", "hi"), slog.Int("n", -3), slog.Uint64("u", 7),
			slog.Float64("f", 2), slog.Float64("g", 0.25), slog.Bool("ok", true),
			slog.Duration("d", 1500*time.Millisecond), slog.Time("at", when),
		}, `{"_timestamp":1700000000000000,"o2kit_id":"id-1","msg":"hi","n":-3,"u":7,"f":2.0,"g":0.25,"ok":true,"d":1500000000,"at":"2026-11-25T10:00:00.123Z"}`},
		{"keys normalised", []slog.Attr{slog.String("User.ID", "u1"), slog.String("x-Req Id", "r")},
			`{"_timestamp":1700000000000000,"o2kit_id":"id-1","user_id":"u1","x_req_id":"r"}`},
		{"groups flatten", []slog.Attr{slog.Group("Order", slog.Int("amount", 1250), slog.Group("ship", slog.String("to", "DE")))},
			`{"_timestamp":1700000000000000,"o2kit_id":"id-1","order_amount":1250,"order_ship_to":"DE"}`},
		{"empty group dropped, unnamed group inlined", []slog.Attr{slog.Group("g"), slog.Group("", slog.Int("a", 1))},
			`{"_timestamp":1700000000000000,"o2kit_id":"id-1","a":1}`},
		{"reserved keys skipped", []slog.Attr{slog.Int("_timestamp", 1), slog.String("O2kit-ID", "x"), slog.Int("@timestamp", 2)},
			`{"_timestamp":1700000000000000,"o2kit_id":"id-1"}`},
		{"empty key skipped", []slog.Attr{slog.Int("", 1)}, `{"_timestamp":1700000000000000,"o2kit_id":"id-1"}`},
		{"nan and inf are null", []slog.Attr{slog.Float64("a", math.NaN()), slog.Float64("b", math.Inf(-1))},
			`{"_timestamp":1700000000000000,"o2kit_id":"id-1","a":null,"b":null}`},
		{"floats", []slog.Attr{slog.Float64("a", 1e21), slog.Float64("b", 1e-7), slog.Float64("c", -0.5)},
			`{"_timestamp":1700000000000000,"o2kit_id":"id-1","a":1e+21,"b":1e-07,"c":-0.5}`},
		{"escaping", []slog.Attr{slog.String("s", "a\"b\\c\n\t\x01<>&\u2028\xff")},
			`{"_timestamp":1700000000000000,"o2kit_id":"id-1","s":"a\"b\\c\n\t\u0001<>&\u2028\ufffd"}`},
		{"error", []slog.Attr{slog.Any("err", fmt.Errorf("pay: %w", errors.New("declined")))},
			`{"_timestamp":1700000000000000,"o2kit_id":"id-1","err":"pay: declined"}`},
		{"struct flattens, arrays stringify", []slog.Attr{slog.Any("P", point{X: 1, Tags: []string{"a", "b"}, Meta: map[string]any{"Z": nil, "k": map[string]any{"v": true}, "e": map[string]any{}}})},
			`{"_timestamp":1700000000000000,"o2kit_id":"id-1","p_meta_info_k_v":true,"p_x":1,"p_tags":"[\"a\",\"b\"]"}`},
		{"slice", []slog.Attr{slog.Any("ids", []int{1, 2}), slog.Any("none", []int{})},
			`{"_timestamp":1700000000000000,"o2kit_id":"id-1","ids":"[1,2]"}`},
		{"marshal error", []slog.Attr{slog.Any("b", badJSON{})},
			`{"_timestamp":1700000000000000,"o2kit_id":"id-1","b":"!ERROR:json: error calling MarshalJSON for type wire.badJSON: no"}`},
		{"panicking Error", []slog.Attr{slog.Any("err", panicError{}), slog.Int("after", 1)},
			`{"_timestamp":1700000000000000,"o2kit_id":"id-1","err":"!PANIC in Error: kaboom","after":1}`},
		{"panicking MarshalJSON", []slog.Attr{slog.Any("p", panicJSON{}), slog.Int("after", 1)},
			`{"_timestamp":1700000000000000,"o2kit_id":"id-1","p":"!ERROR:panic in MarshalJSON: kaboom","after":1}`},
		{"panicking LogValuer", []slog.Attr{slog.Any("p", panicky{})},
			`{"_timestamp":1700000000000000,"o2kit_id":"id-1","p":"LogValue panicked\n`},
		{"nil any", []slog.Attr{slog.Any("n", nil)}, `{"_timestamp":1700000000000000,"o2kit_id":"id-1","n":null}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := encode(c.attrs...)
			require.True(t, json.Valid([]byte(got)), got)
			require.True(t, strings.HasSuffix(got, "}\n"))
			if strings.HasSuffix(c.want, "}") {
				assert.Equal(t, c.want+"\n", got)
			} else {
				assert.True(t, strings.HasPrefix(got, c.want), got)
			}
		})
	}
}

func TestAppendRecordWithoutID(t *testing.T) {
	var e Encoder
	got := e.AppendRecord(nil, 5, []byte("x"), []slog.Attr{slog.Int("o2kit_id", 1)})
	assert.Equal(t, "{\"_timestamp\":5,\"o2kit_id\":1}\n", string(got))
}

func typicalAttrs() []slog.Attr {
	return []slog.Attr{
		slog.String("message", "order placed"),
		slog.String("user_id", "u-123456"),
		slog.String("order_id", "ord-98765"),
		slog.Int64("amount_minor", 129900),
		slog.String("currency", "EUR"),
		slog.Float64("latency_ms", 12.5),
		slog.Bool("first_order", true),
		slog.Duration("elapsed", 1500*time.Microsecond),
	}
}

func TestAppendRecordDoesNotAllocate(t *testing.T) {
	var e Encoder
	e.IDKey = "o2kit_id"
	attrs := append(typicalAttrs(), slog.Group("http", slog.String("method", "POST"), slog.Int("status", 201)), slog.Time("at", time.Now()))
	buf := make([]byte, 0, 1024)
	allocs := testing.AllocsPerRun(1000, func() {
		buf = e.AppendRecord(buf[:0], 1, []byte("id"), attrs)
	})
	assert.Zero(t, allocs)
}

func TestIDs(t *testing.T) {
	g := NewIDs()
	at := time.UnixMilli(1_700_000_000_123)
	seen := map[string]bool{}
	for range 1000 {
		id := string(g.Append(nil, at))
		require.Len(t, id, IDLen)
		require.False(t, seen[id], "duplicate id %s", id)
		seen[id] = true
		assert.Equal(t, byte('7'), id[14], "version 7: %s", id)
		assert.Contains(t, "89ab", string(id[19]), "RFC 4122 variant: %s", id)
		assert.Equal(t, "018bcfe5-687b", id[:13], "millisecond prefix")
	}
	other := NewIDs()
	assert.NotEqual(t, string(g.Append(nil, at)), string(other.Append(nil, at)))
}

func BenchmarkAppendRecord(b *testing.B) {
	var e Encoder
	e.IDKey = "o2kit_id"
	attrs := typicalAttrs()
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = e.AppendRecord(buf[:0], 1_700_000_000_000_000, []byte("018bcfe5-687b-7abc-8def-0123456789ab"), attrs)
	}
	b.SetBytes(int64(len(buf)))
}

// BenchmarkAppendRecordLog is the record the logging handler builds for
// logger.Info with eight attributes, one of each common kind.
func BenchmarkAppendRecordLog(b *testing.B) {
	var e Encoder
	e.IDKey = "o2kit_id"
	attrs := []slog.Attr{
		slog.String("level", "INFO"), slog.String("service", "checkout"), slog.String("message", "order placed"),
		slog.String("order_id", "ord-20261125-000731"),
		slog.Int64("amount_minor", 129900),
		slog.Float64("latency_ms", 12.75),
		slog.Bool("first_order", true),
		slog.Duration("elapsed", 1530*time.Millisecond),
		slog.Any("err", errors.New("card declined")),
		slog.Time("placed_at", time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)),
		slog.Group("shipping", slog.String("country", "DE"), slog.Int("items", 3)),
	}
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = e.AppendRecord(buf[:0], 1_700_000_000_000_000, []byte("018bcfe5-687b-7abc-8def-0123456789ab"), attrs)
	}
	b.SetBytes(int64(len(buf)))
}

func FuzzAppendRecord(f *testing.F) {
	f.Add("key", "value", int64(1), 1.5, true)
	f.Add("K.e-y", "\xff\x00\"", int64(-1), math.NaN(), false)
	f.Fuzz(func(t *testing.T, key, s string, i int64, fl float64, b bool) {
		var e Encoder
		e.IDKey = "o2kit_id"
		attrs := []slog.Attr{
			slog.String(key, s), slog.Int64(key+"i", i), slog.Float64(key+"f", fl), slog.Bool(key+"b", b),
			slog.Group(key, slog.String(s, key)), slog.Any(key+"m", map[string]any{key: s, s: []any{i, b}}),
		}
		out := e.AppendRecord(nil, i, []byte("id"), attrs)
		if !json.Valid(out) {
			t.Fatalf("invalid JSON: %q", out)
		}
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatal(err)
		}
		for k := range m {
			if strings.ContainsAny(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZ.-@ \"\\") {
				t.Fatalf("key %q is not normalised", k)
			}
		}
		if _, ok := m["_timestamp"].(float64); !ok {
			t.Fatalf("no _timestamp in %q", out)
		}
	})
}

func BenchmarkIDs(b *testing.B) {
	g := NewIDs()
	at := time.UnixMilli(1_700_000_000_123)
	var buf [IDLen]byte
	for b.Loop() {
		_ = g.Append(buf[:0], at)
	}
}

func TestAppendUUID(t *testing.T) {
	u := [16]byte{0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b, 0x7a, 0xbc, 0x8d, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab}
	assert.Equal(t, "018bcfe5-687b-7abc-8def-0123456789ab", string(appendUUID([]byte("x"), &u))[1:])
}
