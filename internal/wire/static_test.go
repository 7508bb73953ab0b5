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
