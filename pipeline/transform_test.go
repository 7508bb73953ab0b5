package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
)

// text renders attributes for comparison, with inline groups flattened
// as the client encodes them.
func text(attrs []slog.Attr) string { return slog.GroupValue(flat(nil, attrs)...).String() }

func flat(dst, attrs []slog.Attr) []slog.Attr {
	for _, a := range attrs {
		v := a.Value.Resolve()
		switch {
		case v.Kind() == slog.KindGroup && a.Key == "":
			dst = flat(dst, v.Group())
		case v.Kind() == slog.KindGroup:
			dst = append(dst, slog.Attr{Key: a.Key, Value: slog.GroupValue(flat(nil, v.Group())...)})
		default:
			dst = append(dst, a)
		}
	}
	return dst
}

func run(t *testing.T, p o2kit.Processor, r o2kit.Record) o2kit.Record {
	t.Helper()
	out, err := p.Process(context.Background(), r)
	require.NoError(t, err)
	return out
}

func TestTransforms(t *testing.T) {
	upper := func(v slog.Value) slog.Value { return slog.StringValue("<" + v.String() + ">") }
	base := []slog.Attr{
		slog.String("a", "1"), slog.String("b", "2"),
		slog.Group("g", slog.String("a", "3"), slog.Group("h", slog.String("a", "4"))),
		slog.String("a", "5"),
	}
	for _, tc := range []struct {
		name string
		p    *Transform
		want string
	}{
		{"set replaces", Set(slog.Int("b", 9)), "[a=1 b=9 g=[a=3 h=[a=4]] a=5]"},
		{"set appends", Set(slog.Int("c", 9), slog.Bool("d", true)), "[a=1 b=2 g=[a=3 h=[a=4]] a=5 c=9 d=true]"},
		{"rename top", Rename("a", "x"), "[x=1 b=2 g=[a=3 h=[a=4]] x=5]"},
		{"rename nested", Rename("g.h.a", "x"), "[a=1 b=2 g=[a=3 h=[x=4]] a=5]"},
		{"rename missing", Rename("nope", "x"), "[a=1 b=2 g=[a=3 h=[a=4]] a=5]"},
		{"drop", Drop("a", "g.h"), "[b=2 g=[a=3]]"},
		{"drop a whole group", Drop("g"), "[a=1 b=2 a=5]"},
		{"drop inside a non-group", Drop("b.x"), "[a=1 b=2 g=[a=3 h=[a=4]] a=5]"},
		{"map", Map("g.a", upper), "[a=1 b=2 g=[a=<3> h=[a=4]] a=5]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]slog.Attr(nil), base...)
			out := run(t, tc.p, o2kit.Record{Attrs: in})
			assert.Equal(t, tc.want, text(out.Attrs))
			assert.Equal(t, text(base), text(in), "the caller's attributes are not written")
		})
	}
}

func TestTransformWithoutMatchDoesNotAllocate(t *testing.T) {
	r := o2kit.Record{Attrs: typicalAttrs()}
	p := Chain{Rename("nope", "x"), Drop("http.nope"), Map("x", func(v slog.Value) slog.Value { return v })}
	ctx := context.Background()
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = p.Process(ctx, r) }))
}

func TestEnrich(t *testing.T) {
	e := Enrich(Service("checkout"), Version("1.4.2"), Environment("prod"), Region("eu-1"), slog.String("", "x"))
	in := []slog.Attr{slog.String("msg", "hi"), slog.String("version", "own")}
	out := run(t, e, o2kit.Record{Attrs: in})
	assert.Equal(t, "[msg=hi version=own service=checkout environment=prod region=eu-1]", text(out.Attrs))
	assert.Len(t, in, 2)
	assert.Equal(t, FieldHost, Host().Key)
	assert.NotEmpty(t, Host().Value.String())

	full := run(t, e, out)
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = e.Process(context.Background(), full) }))

	stored := run(t, e, o2kit.Record{Attrs: []slog.Attr{slog.String("Service", "own"), slog.String("ENVIRONMENT", "dev")}})
	assert.Equal(t, "[Service=own ENVIRONMENT=dev version=1.4.2 region=eu-1]", text(stored.Attrs),
		"a field stored under the same key is the record's own: not added twice, not overwritten")
}

// Enrich adds its fields as an inline group; the processors after it still
// find every field, and an Enrich after an Enrich adds nothing twice.
func TestProcessorsAfterEnrich(t *testing.T) {
	e := Enrich(Service("checkout"))
	in := []slog.Attr{slog.String("order_id", "o-1"), slog.String("level", "DEBUG"), slog.Group("g", slog.Int("x", 1))}
	out := run(t, e, o2kit.Record{Stream: "orders", Attrs: in})
	assert.Len(t, out.Attrs, 2, "an inline group and the service")
	assert.Equal(t, "[order_id=o-1 level=DEBUG g=[x=1] service=checkout]", text(out.Attrs), "slog renders inline groups flat")

	assert.Equal(t, "[order_id=o-1 level=DEBUG g=[x=1] service=checkout]", text(run(t, e, out).Attrs))
	assert.Len(t, run(t, e, out).Attrs, 2)
	assert.Equal(t, "[id=o-1 level=DEBUG g=[x=1] service=checkout]", text(run(t, Rename("order_id", "id"), out).Attrs))
	assert.Equal(t, "[order_id=o-1 level=DEBUG service=checkout]", text(run(t, Drop("g.x"), out).Attrs))
	assert.Equal(t, "[order_id=o-1 level=DEBUG g=[x=1] service=billing]", text(run(t, Set(slog.String("service", "billing")), out).Attrs))

	c, err := NewContract("o", "orders", []Rule{Require("order_id"), Require("service").OneOf("checkout")})
	require.NoError(t, err)
	assert.Equal(t, "orders", run(t, c, out).Stream)
	s, err := Sample(1, WithLevelRate(slog.LevelDebug, 0))
	require.NoError(t, err)
	assert.False(t, kept(t, s, out), "the level is found inside the inline group")
	assert.Equal(t, text(in), text(run(t, Drop(""), o2kit.Record{Attrs: in}).Attrs), "an empty name matches nothing")
	assert.Equal(t, 1.0, testing.AllocsPerRun(100, func() { _, _ = e.Process(context.Background(), o2kit.Record{Attrs: in}) }))
}

func TestChainAndSelection(t *testing.T) {
	tag := func(v string) o2kit.Processor { return Set(slog.String("tag", v)) }
	c := Chain{ForStreams(tag("orders"), "Orders-V2"), ExceptStreams(Set(slog.Bool("other", true)), "orders_v2"), nil}
	out := run(t, c, o2kit.Record{Stream: "orders_v2"})
	assert.Equal(t, "[tag=orders]", text(out.Attrs))
	out = run(t, c, o2kit.Record{Stream: "app"})
	assert.Equal(t, "[other=true]", text(out.Attrs))

	stop := errors.New("stop")
	failing := Chain{Func(func(_ context.Context, r o2kit.Record) (o2kit.Record, error) { return r, stop }), tag("never")}
	_, err := failing.Process(context.Background(), o2kit.Record{})
	assert.ErrorIs(t, err, stop)

	m := MaskPII()
	stats := Chain{m, ForStreams(m, "x")}
	_, _ = stats.Process(context.Background(), o2kit.Record{Stream: "x", Attrs: []slog.Attr{slog.String("m", "a@b.io")}})
	assert.Equal(t, int64(2), stats.ProcessorStats()["mask:email"], "one masking, reported by both entries")
}

func TestDefault(t *testing.T) {
	c := Default("checkout")
	require.Len(t, c, 2)
	out := run(t, c, o2kit.Record{Attrs: []slog.Attr{slog.String("email", "a@b.io")}})
	v, ok := findAttr(out.Attrs, fieldPath{"email"})
	require.True(t, ok)
	assert.Equal(t, "[email]", v.String())
	v, ok = findAttr(out.Attrs, fieldPath{FieldService})
	require.True(t, ok)
	assert.Equal(t, "checkout", v.String())
	assert.Len(t, Default(""), 2)
}
