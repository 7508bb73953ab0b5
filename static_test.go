package o2kit

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/norm"
)

// fields is a StaticFielder that adds its fields the way pipeline.Enrich
// does, in short.
type fields []slog.Attr

func (f fields) StaticAttrs() ([]slog.Attr, bool) { return f, true }

func (f fields) Process(_ context.Context, r Record) (Record, error) {
	out := []slog.Attr{{Value: slog.GroupValue(r.Attrs...)}}
	for _, a := range f {
		if !hasKey(r.Attrs, a.Key) {
			out = append(out, a)
		}
	}
	r.Attrs = out
	return r, nil
}

func hasKey(attrs []slog.Attr, key string) bool {
	for _, a := range attrs {
		if a.Key != "" && norm.SameKey(a.Key, key) || (a.Key == "" && a.Value.Kind() == slog.KindGroup && hasKey(a.Value.Group(), key)) {
			return true
		}
	}
	return false
}

func TestSplitStaticTakesOnlyTheTail(t *testing.T) {
	pass := ProcessorFunc(func(_ context.Context, r Record) (Record, error) { return r, nil })
	host, svc := fields{slog.String("host", "h")}, fields{slog.String("service", "s"), slog.String("host", "x")}

	head, st := splitStatic([]Processor{pass, host, svc}, DefaultIDField)
	require.NotNil(t, st)
	assert.Len(t, head, 1)
	var dst []byte
	dst = st.AppendMissing(dst, nil)
	assert.Equal(t, `,"host":"h","service":"s"`, string(dst), "a later processor's host never shows")

	ps := []Processor{host, pass}
	head, st = splitStatic(ps, DefaultIDField)
	assert.Nil(t, st, "pass sees host")
	assert.Equal(t, ps, head)

	_, st = splitStatic([]Processor{fields{slog.String(DefaultIDField, "x")}}, DefaultIDField)
	assert.Nil(t, st, "an id field keeps the processor path")
}

func TestStaticFieldsStoredAsProcessed(t *testing.T) {
	srv, url := devServer(t)
	f := fields{slog.String("host", "web-1"), slog.Group("build", slog.String("Tag", "v1"))}
	fast, _ := newClient(t, srv, url, WithProcessors(f), WithIDField(""))
	slow, _ := newClient(t, srv, url, WithProcessors(ProcessorFunc(f.Process)), WithIDField(""))
	require.NotNil(t, fast.static)
	require.Nil(t, slow.static)
	ctx := context.Background()
	recs := [][]slog.Attr{nil, {slog.String("host", "own")}, {slog.Group("", slog.String("host", "inline"))},
		{slog.String("Host", "own, as stored")}}
	for _, c := range []*Client{fast, slow} {
		for _, attrs := range recs {
			require.NoError(t, c.Emit(ctx, Record{Stream: "app", Attrs: attrs}))
		}
		flush(t, c)
	}
	got := srv.Records("default", "app")
	require.Len(t, got, 2*len(recs))
	for _, r := range got {
		delete(r, "_timestamp")
	}
	assert.Equal(t, got[len(recs):], got[:len(recs)])
	assert.Equal(t, "web-1", got[0]["host"])
	assert.Equal(t, "v1", got[0]["build_tag"])
	assert.Equal(t, "own", got[1]["host"])
	assert.Equal(t, "own, as stored", got[3]["host"], "a key stored as the static one's is the record's own field")
}
