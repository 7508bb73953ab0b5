package wire

import (
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStaticAppendsWhatTheRecordLacks(t *testing.T) {
	s := NewStatic("o2kit_id", []slog.Attr{
		slog.String("host", "h"), {}, slog.Group("Build", slog.String("Tag", "v1")),
		slog.String("o2kit_id", "reserved"), slog.Int("n", 2),
	})
	require.NotNil(t, s)
	var e Encoder
	for _, c := range []struct {
		attrs []slog.Attr
		want  string
	}{
		{nil, `{"_timestamp":1,"host":"h","build_tag":"v1","n":2}` + "\n"},
		{[]slog.Attr{slog.Int("n", 5)}, `{"_timestamp":1,"n":5,"host":"h","build_tag":"v1"}` + "\n"},
		{[]slog.Attr{slog.Group("", slog.String("host", "x"))}, `{"_timestamp":1,"host":"x","build_tag":"v1","n":2}` + "\n"},
		{[]slog.Attr{slog.String("Build", "b"), slog.String("host", "x"), slog.Int("n", 1)}, `{"_timestamp":1,"build":"b","host":"x","n":1}` + "\n"},
	} {
		assert.Equal(t, c.want, string(e.AppendRecordStatic(nil, 1, nil, c.attrs, s)))
	}
	assert.Nil(t, NewStatic("", []slog.Attr{{}}))
	assert.Equal(t, `{"_timestamp":1}`+"\n", string(e.AppendRecordStatic(nil, 1, nil, nil, nil)))
}

func TestStaticAllocatesNothing(t *testing.T) {
	s := NewStatic("", []slog.Attr{slog.String("host", "web-1"), slog.String("service", "checkout")})
	attrs := []slog.Attr{slog.String("msg", "hi"), slog.Group("http", slog.Int("status", 200)), slog.String("service", "own")}
	var e Encoder
	buf := e.AppendRecordStatic(nil, 1, nil, attrs, s)
	allocs := testing.AllocsPerRun(100, func() { buf = e.AppendRecordStatic(buf[:0], 1, nil, attrs, s) })
	assert.Zero(t, allocs)
	assert.Equal(t, `{"_timestamp":1,"msg":"hi","http_status":200,"service":"own","host":"web-1"}`+"\n", string(buf))
}

// hostValuer resolves to a group holding a host field.
type hostValuer struct{}

func (hostValuer) LogValue() slog.Value { return slog.GroupValue(slog.String("host", "valuer")) }

func TestStaticPresenceJudgedAsAppendMissingJudges(t *testing.T) {
	s := NewStatic("o2kit_id", []slog.Attr{
		slog.String("host", "h"), slog.String("Service", "svc"), slog.String("service", "again"),
		slog.String("k8s.pod", "p"), slog.Group("build", slog.String("tag", "v1")),
	})
	require.NotNil(t, s)
	deep := slog.String("host", "deep")
	for range MaxInline + 1 {
		deep = slog.Group("", deep)
	}
	cases := [][]slog.Attr{
		nil,
		{slog.String("host", "own")},
		{slog.String("HOST", "upper"), slog.String("SERVICE", "s")},
		{slog.String("k8s-pod", "joined"), slog.String("k8s_pod", "again")},
		{slog.Group("", slog.String("host", "inline"))},
		{slog.Group("host", slog.String("name", "a group named host"))},
		{slog.Group("service")},
		{slog.Group("Build", slog.String("tag", "v2"))},
		{slog.Group("app", slog.String("host", "nested, not top"))},
		{slog.Any("host", nil), slog.Any("service", map[string]int{"a": 1})},
		{slog.Any("", hostValuer{}), slog.Any("x", hostValuer{})},
		{slog.Any("host", hostValuer{})},
		{deep},
		{slog.String("_timestamp", "reserved"), slog.String("o2kit_id", "own-id")},
		{slog.String("hostname", "longer"), slog.String("hos", "shorter")},
	}
	for i, attrs := range cases {
		var e, ref Encoder
		e.IDKey, ref.IDKey = "o2kit_id", "o2kit_id"
		for round := range 2 { // the second round finds the keys in the encoder's cache
			want := ref.AppendRecord(nil, 1, []byte("id"), attrs)
			want = append(s.AppendMissing(want[:len(want)-2], attrs), '}', '\n')
			got := e.AppendRecordStatic(nil, 1, []byte("id"), attrs, s)
			assert.Equal(t, string(want), string(got), "case %d, round %d", i, round)
		}
	}
}

func TestStaticPresenceFollowsTheStaticGiven(t *testing.T) {
	host := NewStatic("", []slog.Attr{slog.String("host", "h")})
	region := NewStatic("", []slog.Attr{slog.String("region", "eu")})
	attrs := []slog.Attr{slog.String("host", "own")}
	var e Encoder
	for range 2 {
		assert.Equal(t, `{"_timestamp":1,"host":"own"}`+"\n", string(e.AppendRecordStatic(nil, 1, nil, attrs, host)))
		assert.Equal(t, `{"_timestamp":1,"host":"own","region":"eu"}`+"\n", string(e.AppendRecordStatic(nil, 1, nil, attrs, region)))
		assert.Equal(t, `{"_timestamp":1,"host":"own"}`+"\n", string(e.AppendRecordStatic(nil, 1, nil, attrs, nil)))
	}
}
