package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const genID = "0193a0b4-7c1e-7000-8000-00000000000a"

// errValuer resolves to an error.
type errValuer struct{ err error }

func (v errValuer) LogValue() slog.Value { return slog.AnyValue(v.err) }

// idValuer resolves to a string: the id it names is the resolved one.
type idValuer string

func (v idValuer) LogValue() slog.Value { return slog.StringValue(string(v)) }

func TestOwnID(t *testing.T) {
	inline := func(as ...slog.Attr) slog.Attr { return slog.Attr{Value: slog.GroupValue(as...)} }
	deep := slog.String("o2kit_id", "deep")
	for i := 0; i < maxInlineOwn+1; i++ {
		deep = inline(deep, slog.Int("n", i))
	}
	for _, c := range []struct {
		name  string
		attrs []slog.Attr
		want  string // "" keeps the generated id
	}{
		{"none", []slog.Attr{slog.String("a", "b")}, ""},
		{"top", []slog.Attr{slog.String("a", "b"), slog.String("o2kit_id", "own-1")}, "own-1"},
		{"first decides", []slog.Attr{slog.String("o2kit_id", "own-1"), slog.String("o2kit_id", "own-2")}, "own-1"},
		{"empty decides at the top", []slog.Attr{slog.String("o2kit_id", ""), slog.String("o2kit_id", "own-2")}, ""},
		{"inline", []slog.Attr{inline(slog.String("o2kit_id", "own-3"))}, "own-3"},
		{"empty inline does not decide", []slog.Attr{inline(slog.String("o2kit_id", "")), slog.String("o2kit_id", "own-4")}, "own-4"},
		{"empty inline is passed over", []slog.Attr{inline(slog.String("o2kit_id", ""), slog.String("o2kit_id", "own-6"))}, "own-6"},
		{"too deep", []slog.Attr{deep}, ""},
		{"in a named group", []slog.Attr{slog.Group("o2kit", slog.String("id", "x")), slog.Group("g", slog.String("o2kit_id", "x"))}, ""},
		{"not a string", []slog.Attr{slog.Int("o2kit_id", 7)}, ""},
		{"only the exact name", []slog.Attr{slog.String("O2kit-ID", "x")}, ""},
		{"quote", []slog.Attr{slog.String("o2kit_id", `a"b`)}, ""},
		{"non-ASCII", []slog.Attr{slog.String("o2kit_id", "é")}, ""},
		{"too long", []slog.Attr{slog.String("o2kit_id", strings.Repeat("x", MaxOwnID+1))}, ""},
		{"longest", []slog.Attr{slog.String("o2kit_id", strings.Repeat("x", MaxOwnID))}, strings.Repeat("x", MaxOwnID)},
		{"short", []slog.Attr{slog.String("o2kit_id", "1")}, "1"},
		{"log valuer", []slog.Attr{slog.Any("o2kit_id", idValuer("own-5"))}, "own-5"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := Encoder{IDKey: "o2kit_id"}
			prefix := []byte("earlier record\n")
			out := e.AppendRecord(append([]byte(nil), prefix...), 1, []byte(genID), c.attrs)
			own, ok := e.OwnID()
			assert.Equal(t, c.want != "", ok)
			if ok {
				assert.Equal(t, c.want, own)
				var replaced bool
				out, replaced = e.ReplaceID(out, own)
				require.True(t, replaced)
			}
			require.True(t, strings.HasPrefix(string(out), string(prefix)), "bytes before the record are kept")
			line := out[len(prefix):]
			require.True(t, json.Valid(line), "%s", line)
			var m map[string]any
			require.NoError(t, json.Unmarshal(line, &m))
			want := c.want
			if want == "" {
				want = genID
			}
			assert.Equal(t, want, m["o2kit_id"])
			assert.EqualValues(t, 1, m["_timestamp"])
		})
	}
}

func TestReplaceIDWithoutID(t *testing.T) {
	e := Encoder{IDKey: "o2kit_id"}
	out := e.AppendRecord(nil, 1, nil, []slog.Attr{slog.String("o2kit_id", "own")})
	own, ok := e.OwnID()
	require.True(t, ok)
	got, replaced := e.ReplaceID(out, own)
	assert.False(t, replaced, "no id was written to replace")
	assert.Equal(t, out, got)
	_, replaced = (&Encoder{IDKey: "o2kit_id"}).ReplaceID([]byte(`{}`), "x")
	assert.False(t, replaced)
}

func TestBeginAttrEndIsAppendRecord(t *testing.T) {
	attrs := []slog.Attr{
		slog.String("Msg", "x"), slog.Group("g", slog.Int("n", 1)), slog.Attr{}, slog.Group(""),
		slog.Any("err", errors.New("e")), slog.String("_timestamp", "no"),
	}
	var a, b Encoder
	a.IDKey, b.IDKey = "o2kit_id", "o2kit_id"
	want := a.AppendRecord(nil, 5, []byte(genID), attrs)
	got := b.Begin(nil, 5, []byte(genID))
	for i := range attrs {
		got = b.Attr(got, &attrs[i])
	}
	assert.Equal(t, string(want), string(b.End(got)))
}

func TestErrorChains(t *testing.T) {
	wrapped := fmt.Errorf("open x: %w", fs.ErrNotExist)
	joined := errors.Join(errors.New("a"), errors.New("b"))
	attrs := []slog.Attr{
		slog.Any("err", wrapped), slog.Any("plain", errors.New("p")), slog.Any("both", joined),
		slog.Group("g", slog.Any("inner", wrapped)), slog.Any("", wrapped), slog.Any("n", 3),
	}
	e := Encoder{ErrorChains: true}
	var m map[string]any
	require.NoError(t, json.Unmarshal(e.AppendRecord(nil, 1, nil, attrs), &m))
	assert.Equal(t, "open x: file does not exist", m["err"])
	assert.Equal(t, "*errors.errorString: file does not exist", m["err_chain"])
	assert.Equal(t, "*errors.errorString: a | *errors.errorString: b", m["both_chain"])
	assert.NotContains(t, m, "plain_chain", "an error that wraps nothing has no chain")
	assert.NotContains(t, m, "g_inner_chain", "only top-level attrs get a chain")
	assert.Len(t, m, 8)

	lv := slog.Any("lverr", errValuer{wrapped})
	assert.NotContains(t, string(e.Attr(nil, &lv)), "lverr_chain", "only attrs of kind Any get a chain")
	assert.True(t, e.ErrorChains, "and the setting is kept")

	e.ErrorChains = false
	m = nil
	require.NoError(t, json.Unmarshal(e.AppendRecord(nil, 1, nil, attrs), &m))
	assert.NotContains(t, m, "err_chain")
}

func FuzzReplaceID(f *testing.F) {
	f.Add("own", "x")
	f.Add("", "\x00")
	f.Add(strings.Repeat("y", 200), `"`)
	f.Fuzz(func(t *testing.T, own, other string) {
		e := Encoder{IDKey: "o2kit_id"}
		attrs := []slog.Attr{slog.String("a", other), slog.String("o2kit_id", own), slog.String("b", other)}
		out := e.AppendRecord([]byte("x\n"), 9, []byte(genID), attrs)
		id, ok := e.OwnID()
		if ok {
			out, ok = e.ReplaceID(out, id)
			require.True(t, ok)
		}
		require.True(t, json.Valid(out[2:]), "%q", out)
		var m map[string]any
		require.NoError(t, json.Unmarshal(out[2:], &m))
		if want := own; ok {
			assert.Equal(t, want, m["o2kit_id"])
		} else {
			assert.Equal(t, genID, m["o2kit_id"])
		}
	})
}
