package pipeline

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/wire"
)

// staticCases are records for comparing the client's two ways of adding
// static fields: their own fields of the same keys, at the top, in inline
// groups, in named groups and under keys that normalise alike.
func staticCases() [][]slog.Attr {
	return [][]slog.Attr{
		nil,
		typicalAttrs(),
		piiAttrs(),
		{slog.String("host", "own")},
		{slog.String("Host", "other key")},
		{slog.Group("", slog.String("host", "inline"), slog.Int("n", 1))},
		{slog.Group("", slog.Group("", slog.String("region", "deep")))},
		{slog.Group("host", slog.String("name", "a group named host"))},
		{slog.String("env", "x"), slog.Group("", slog.String("service", "s"))},
		{slog.Any("host", nil), slog.String("_timestamp", "reserved")},
	}
}

func TestStaticFieldsEncodeAsEnrichDoes(t *testing.T) {
	chains := map[string]Chain{
		"default": Default("checkout"),
		"two enrichers": {MaskPII(), Enrich(Host(), Region("eu")), Enrich(Region("us"), Service("api"),
			slog.Group("build", slog.String("Commit", "abc"), slog.Int("n", 7)))},
		"only enrich": {Enrich(slog.String("o2kit_idx", "x"), slog.String("service", "svc"))},
	}
	ctx := context.Background()
	for name, c := range chains {
		rest, static, ok := c.SplitStatic()
		require.True(t, ok, name)
		st := wire.NewStatic(o2kit.DefaultIDField, static)
		require.NotNil(t, st, name)
		for i, attrs := range staticCases() {
			r := o2kit.Record{Stream: "app", Attrs: attrs}
			full, err := c.Process(ctx, r)
			require.NoError(t, err)
			if rest != nil {
				r, err = rest.Process(ctx, r)
				require.NoError(t, err)
			}
			id := []byte("0193a3c5-9f00-7000-8000-000000000000")
			enc := wire.Encoder{IDKey: o2kit.DefaultIDField}
			want := string(enc.AppendRecord(nil, 1, id, full.Attrs))
			got := string(enc.AppendRecordStatic(nil, 1, id, r.Attrs, st))
			assert.Equal(t, want, got, "%s: record %d", name, i)
		}
	}
}

func TestStaticSplitKeepsWhatIsNotStatic(t *testing.T) {
	_, _, ok := Chain{Enrich(Host()), MaskPII()}.SplitStatic()
	assert.False(t, ok, "a processor after Enrich sees its fields")
	_, _, ok = Chain{Enrich(slog.Any("m", map[string]int{"a": 1}))}.SplitStatic()
	assert.False(t, ok, "a value of kind Any may change")
	rest, static, ok := Chain{Enrich(Service("a")), nil}.SplitStatic()
	require.True(t, ok)
	assert.Nil(t, rest)
	assert.Equal(t, []slog.Attr{Service("a")}, static)
}

func TestStaticFieldsReachTheServerLikeProcessed(t *testing.T) {
	chain := Chain{MaskPII(), Enrich(Service("checkout"), Region("eu"))}
	processed := Func(chain.Process) // not static: every record runs the chain
	fast, fastSrv := devClient(t, o2kit.Processor(chain))
	slow, slowSrv := devClient(t, processed)
	ctx := context.Background()
	for _, c := range []*o2kit.Client{fast, slow} {
		for _, attrs := range staticCases() {
			require.NoError(t, c.Emit(ctx, o2kit.Record{Stream: "app", Attrs: attrs}))
		}
		require.NoError(t, c.EmitAs(ctx, o2kit.Metrics, o2kit.Record{Stream: "up", Attrs: []slog.Attr{
			slog.String("__name__", "up"), slog.String("__type__", "gauge"), slog.Float64("value", 1)}}))
		require.NoError(t, c.Flush(ctx))
	}
	strip := func(recs []map[string]any) []map[string]any {
		for _, r := range recs {
			delete(r, o2kit.DefaultIDField)
		}
		return recs
	}
	got := strip(fastSrv.Records("default", "app"))
	require.Len(t, got, len(staticCases()))
	assert.Equal(t, strip(slowSrv.Records("default", "app")), got)
	assert.Equal(t, "eu", got[0]["region"])
	metrics := fastSrv.RecordsOf("default", "metrics", "up")
	require.Len(t, metrics, 1)
	assert.Equal(t, "checkout", metrics[0]["service"], "metrics still run the processors")
	assert.Equal(t, slowSrv.RecordsOf("default", "metrics", "up"), metrics)
}
