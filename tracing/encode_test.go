package tracing_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/o2kit/o2kit/tracing"
)

func resourceSpans(service string, names ...string) *tracepb.ResourceSpans {
	ss := &tracepb.ScopeSpans{Scope: &commonpb.InstrumentationScope{Name: "shop"}}
	for i, n := range names {
		ss.Spans = append(ss.Spans, &tracepb.Span{
			TraceId: []byte{15: 1}, SpanId: []byte{7: byte(i + 1)}, Name: n,
			StartTimeUnixNano: 1, EndTimeUnixNano: 2,
		})
	}
	return &tracepb.ResourceSpans{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{{Key: "service.name",
			Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: service}}}}},
		ScopeSpans: []*tracepb.ScopeSpans{ss},
	}
}

func TestAppendRequestDecodesAsAnExportRequest(t *testing.T) {
	rss := []*tracepb.ResourceSpans{resourceSpans("checkout", "a", "b"), nil, resourceSpans("cart", "c")}
	prefix := []byte("kept")
	body, spans, err := tracing.AppendRequest(prefix, rss)
	require.NoError(t, err)
	assert.Equal(t, 3, spans)
	assert.Equal(t, "kept", string(body[:4]), "appends to dst")

	req := ptraceotlp.NewExportRequest()
	require.NoError(t, req.UnmarshalProto(body[4:]))
	td := req.Traces()
	require.Equal(t, 2, td.ResourceSpans().Len())
	assert.Equal(t, 3, td.SpanCount())
	svc, _ := td.ResourceSpans().At(1).Resource().Attributes().Get("service.name")
	assert.Equal(t, "cart", svc.Str())
	assert.Equal(t, "b", td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(1).Name())

	empty, n, err := tracing.AppendRequest(nil, nil)
	require.NoError(t, err)
	assert.Empty(t, empty)
	assert.Zero(t, n)
}

func BenchmarkAppendRequest(b *testing.B) {
	names := make([]string, 512)
	for i := range names {
		names[i] = "GET /cart"
	}
	rss := []*tracepb.ResourceSpans{resourceSpans("checkout", names...)}
	var buf []byte
	for b.Loop() {
		buf, _, _ = tracing.AppendRequest(buf[:0], rss)
	}
	b.SetBytes(int64(len(buf)))
}

// FuzzAppendRequest checks that any decodable request encodes back to the
// same resource spans, after any prefix, with the spans counted.
func FuzzAppendRequest(f *testing.F) {
	seed, _, err := tracing.AppendRequest(nil, []*tracepb.ResourceSpans{resourceSpans("checkout", "a", "b")})
	require.NoError(f, err)
	f.Add(seed)
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		var in tracepb.TracesData // the request's one field, resource_spans = 1
		if proto.Unmarshal(data, &in) != nil {
			return
		}
		body, spans, err := tracing.AppendRequest([]byte("p"), in.ResourceSpans)
		require.NoError(t, err)
		require.Equal(t, byte('p'), body[0])
		var out tracepb.TracesData
		require.NoError(t, proto.Unmarshal(body[1:], &out))
		require.Len(t, out.ResourceSpans, len(in.ResourceSpans))
		want := 0
		for i, rs := range in.ResourceSpans {
			require.True(t, proto.Equal(rs, out.ResourceSpans[i]), "resource spans %d", i)
			for _, ss := range rs.ScopeSpans {
				want += len(ss.Spans)
			}
		}
		require.Equal(t, want, spans)
	})
}

func str(s string) *commonpb.AnyValue {
	return &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: s}}
}

// TestAppendRequestRepairsInvalidUTF8: strings protobuf refuses, at any
// depth, are repaired rather than failing the whole request.
func TestAppendRequestRepairsInvalidUTF8(t *testing.T) {
	bad := resourceSpans("check\xffout", "ok", "bad\xfe\xfename")
	span := bad.ScopeSpans[0].Spans[1]
	span.Attributes = []*commonpb.KeyValue{
		{Key: "k\xff", Value: str("v")},
		{Key: "list", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: &commonpb.ArrayValue{
			Values: []*commonpb.AnyValue{str("fine"), str("\xc3")}}}}},
	}
	span.Events = []*tracepb.Span_Event{{Name: "e\x80"}}
	good := resourceSpans("cart", "c")
	body, spans, err := tracing.AppendRequest(nil, []*tracepb.ResourceSpans{good, bad})
	require.NoError(t, err)
	assert.Equal(t, 3, spans)

	var got tracepb.TracesData
	require.NoError(t, proto.Unmarshal(body, &got))
	require.Len(t, got.ResourceSpans, 2)
	assert.True(t, proto.Equal(good, got.ResourceSpans[0]))
	rs := got.ResourceSpans[1]
	assert.Equal(t, "check\uFFFDout", rs.Resource.Attributes[0].Value.GetStringValue())
	s := rs.ScopeSpans[0].Spans[1]
	assert.Equal(t, "bad\uFFFDname", s.Name, "a run of bad bytes is one U+FFFD")
	assert.Equal(t, "k\uFFFD", s.Attributes[0].Key)
	assert.Equal(t, "\uFFFD", s.Attributes[1].Value.GetArrayValue().Values[1].GetStringValue())
	assert.Equal(t, "e\uFFFD", s.Events[0].Name)
	assert.Equal(t, "ok", rs.ScopeSpans[0].Spans[0].Name)
}

// FuzzAppendRequestStrings checks that any span name and attribute value
// encode, as the string repaired to valid UTF-8.
func FuzzAppendRequestStrings(f *testing.F) {
	f.Add("GET /cart", "v")
	f.Add("\xff\xfe", "a\xc3")
	f.Fuzz(func(t *testing.T, name, value string) {
		rs := resourceSpans(value, name)
		rs.ScopeSpans[0].Spans[0].Attributes = []*commonpb.KeyValue{{Key: value, Value: str(value)}}
		body, spans, err := tracing.AppendRequest(nil, []*tracepb.ResourceSpans{rs})
		require.NoError(t, err)
		require.Equal(t, 1, spans)
		var got tracepb.TracesData
		require.NoError(t, proto.Unmarshal(body, &got))
		span := got.ResourceSpans[0].ScopeSpans[0].Spans[0]
		require.Equal(t, strings.ToValidUTF8(name, "\uFFFD"), span.Name)
		require.Equal(t, strings.ToValidUTF8(value, "\uFFFD"), span.Attributes[0].Value.GetStringValue())
	})
}
