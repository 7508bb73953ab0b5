package tracing

import (
	"encoding/binary"
	"slices"
	"strings"
	"unicode/utf8"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
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
//
// Strings that are not valid UTF-8, which protobuf refuses to encode, are
// replaced in rss with U+FFFD for each bad sequence, so that one bad
// attribute value does not cost the whole batch.
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
		var err error
		if dst, err = appendResourceSpans(dst, rs, opts); err != nil {
			return dst, 0, err
		}
		for _, ss := range rs.GetScopeSpans() {
			spans += len(ss.GetSpans())
		}
	}
	return dst, spans, nil
}

// appendResourceSpans appends rs as one resource_spans field. A string
// that is not valid UTF-8 fails the marshalling; then the strings of rs
// are repaired and it is marshalled again, sized afresh.
func appendResourceSpans(dst []byte, rs *tracepb.ResourceSpans, opts proto.MarshalOptions) ([]byte, error) {
	start := len(dst)
	out, err := appendField(dst, rs, opts)
	if err == nil {
		return out, nil
	}
	if !repairUTF8(rs.ProtoReflect()) {
		return dst, err
	}
	return appendField(dst[:start], rs, proto.MarshalOptions{})
}

func appendField(dst []byte, rs *tracepb.ResourceSpans, opts proto.MarshalOptions) ([]byte, error) {
	size := opts.Size(rs)
	dst = protowire.AppendTag(dst, resourceSpansField, protowire.BytesType)
	dst = protowire.AppendVarint(dst, uint64(size))
	return opts.MarshalAppend(dst, rs)
}

// repairUTF8 replaces each invalid UTF-8 sequence in the string fields of
// m and its messages, at any depth, with U+FFFD, and reports whether it
// changed anything.
func repairUTF8(m protoreflect.Message) bool {
	changed := false
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList():
			list := v.List()
			for i := range list.Len() {
				if nv, ok := repairValue(fd, list.Get(i)); ok {
					list.Set(i, nv)
					changed = true
				}
			}
		case fd.IsMap():
			// OTLP has no map fields.
		default:
			if nv, ok := repairValue(fd, v); ok {
				m.Set(fd, nv)
				changed = true
			}
		}
		return true
	})
	return changed
}

// repairValue repairs one value of fd: a string is returned repaired, a
// message is repaired in place.
func repairValue(fd protoreflect.FieldDescriptor, v protoreflect.Value) (protoreflect.Value, bool) {
	switch fd.Kind() {
	case protoreflect.StringKind:
		if s := v.String(); !utf8.ValidString(s) {
			return protoreflect.ValueOfString(strings.ToValidUTF8(s, "\uFFFD")), true
		}
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return v, repairUTF8(v.Message())
	}
	return v, false
}
