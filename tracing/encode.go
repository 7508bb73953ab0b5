package tracing

import (
	"encoding/binary"
	"slices"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// resourceSpansField is ExportTraceServiceRequest.resource_spans.
const resourceSpansField protowire.Number = 1

// AppendRequest appends the protobuf encoding of an OTLP
// ExportTraceServiceRequest holding rss to dst, and reports the spans in
// it. The request message has that one repeated field, so it is written
// field by field rather than built: every ResourceSpans is sized once (the
// sizes are cached in the messages), the body grown once, and each one
// marshalled straight into it. It is the exporter's encoder, safe for
// concurrent use on different rss; it does not keep rss.
func AppendRequest(dst []byte, rss []*tracepb.ResourceSpans) ([]byte, int, error) {
	total := 0
	for _, rs := range rss {
		total += proto.Size(rs) + 2*binary.MaxVarintLen32
	}
	dst = slices.Grow(dst, total)
	opts := proto.MarshalOptions{UseCachedSize: true}
	spans := 0
	for _, rs := range rss {
		if rs == nil {
			continue
		}
		size := opts.Size(rs)
		dst = protowire.AppendTag(dst, resourceSpansField, protowire.BytesType)
		dst = protowire.AppendVarint(dst, uint64(size))
		var err error
		if dst, err = opts.MarshalAppend(dst, rs); err != nil {
			return dst, 0, err
		}
		for _, ss := range rs.GetScopeSpans() {
			spans += len(ss.GetSpans())
		}
	}
	return dst, spans, nil
}
