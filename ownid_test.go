package o2kit

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/wire"
)

func TestRecordKeepsItsOwnID(t *testing.T) {
	srv, url := devServer(t)
	c, _ := newClient(t, srv, url)
	own := "0193a0b4-7c1e-7000-8000-000000000001"
	long := strings.Repeat("x", wire.MaxOwnID+1)
	for _, attrs := range [][]slog.Attr{
		{slog.String("case", "own"), slog.String("o2kit_id", own)},
		{slog.String("case", "number"), slog.Int("o2kit_id", 7)},
		{slog.String("case", "empty"), slog.String("o2kit_id", "")},
		{slog.String("case", "long"), slog.String("o2kit_id", long)},
		{slog.String("case", "nested"), slog.Group("o2kit", slog.String("id", own))},
		{slog.String("case", "inline"), slog.Group("", slog.Group("", slog.String("o2kit_id", own+"-inline")))},
		{slog.String("case", "quote"), slog.String("o2kit_id", `ord"1`)},
		{slog.String("case", "backslash"), slog.String("o2kit_id", `ord\1`)},
		{slog.String("case", "control"), slog.String("o2kit_id", "ord\n1")},
		{slog.String("case", "utf8"), slog.String("o2kit_id", "ordé1")},
	} {
		require.NoError(t, c.Emit(t.Context(), Record{Stream: "ids", Attrs: attrs}))
	}
	require.NoError(t, c.Flush(t.Context()))
	byCase := map[string]map[string]any{}
	for _, r := range srv.Records("default", "ids") {
		byCase[r["case"].(string)] = r
	}
	require.Len(t, byCase, 10, "an id JSON would need escaped must not break the batch")
	assert.Equal(t, own, byCase["own"]["o2kit_id"], "a record read back or restored keeps its id")
	assert.Equal(t, own+"-inline", byCase["inline"]["o2kit_id"], "an inline group's attributes stand at the top level")
	for _, k := range []string{"number", "empty", "long", "nested", "quote", "backslash", "control", "utf8"} {
		id, _ := byCase[k]["o2kit_id"].(string)
		assert.Len(t, id, 36, "%s: a field that is not a usable id gets a new one", k)
		assert.NotEqual(t, own, id, k)
	}
}

func TestOwnIDWithoutAnIDField(t *testing.T) {
	srv, url := devServer(t)
	c, _ := newClient(t, srv, url, WithIDField(""))
	require.NoError(t, c.Emit(t.Context(), Record{Stream: "ids", Attrs: []slog.Attr{slog.String("o2kit_id", "kept-as-a-field")}}))
	require.NoError(t, c.Flush(t.Context()))
	recs := srv.Records("default", "ids")
	require.Len(t, recs, 1)
	assert.Equal(t, "kept-as-a-field", recs[0]["o2kit_id"], "with ids off the name is an ordinary field")
}
