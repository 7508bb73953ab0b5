package o2kit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
)

// OTLP trace bodies are walked with protowire, without the generated
// types: the exporter only moves them, so it needs their span count, a way
// to cut them in two for a 413, and the rejected count of the answer.
//
// ExportTraceServiceRequest nests spans three deep, each level a repeated
// message field: resource_spans (1) > scope_spans (2) > spans (2).
var otlpNesting = [...]protowire.Number{1, 2, 2}

const contentOTLP = "application/x-protobuf"

// protoField is one field of a message: its number, its whole encoding
// (tag and value), its wire type, and for a length-delimited field
// (BytesType) the value's bytes.
type protoField struct {
	num   protowire.Number
	raw   []byte
	value []byte
	typ   protowire.Type
}

var errBadProto = errors.New("malformed protobuf")

// protoFields cuts msg into its top-level fields.
func protoFields(msg []byte) ([]protoField, error) {
	var out []protoField
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return nil, errBadProto
		}
		m := protowire.ConsumeFieldValue(num, typ, msg[n:])
		if m < 0 {
			return nil, errBadProto
		}
		f := protoField{num: num, raw: msg[:n+m], typ: typ}
		if typ == protowire.BytesType {
			f.value, _ = protowire.ConsumeBytes(msg[n:])
		}
		out = append(out, f)
		msg = msg[n+m:]
	}
	return out, nil
}

// countSpans reports the spans in an ExportTraceServiceRequest body.
func countSpans(body []byte) (int, error) { return countNested(body, 0) }

func countNested(msg []byte, level int) (int, error) {
	fs, err := protoFields(msg)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, f := range fs {
		if f.num != otlpNesting[level] || f.typ != protowire.BytesType {
			continue
		}
		if level == len(otlpNesting)-1 {
			n++
			continue
		}
		k, err := countNested(f.value, level+1)
		if err != nil {
			return 0, err
		}
		n += k
	}
	return n, nil
}

// splitSpans cuts an ExportTraceServiceRequest body into two requests
// holding about half the spans each, at the shallowest level that has two
// or more children: resources first, then scopes, then spans. Each half
// keeps its resource and scope. ok is false for a body of one span or one
// that does not parse.
func splitSpans(body []byte) (a, b []byte, ok bool) { return splitNested(body, 0) }

func splitNested(msg []byte, level int) (a, b []byte, ok bool) {
	fs, err := protoFields(msg)
	if err != nil {
		return nil, nil, false
	}
	var kids, rest []protoField
	for _, f := range fs {
		if f.num == otlpNesting[level] && f.typ == protowire.BytesType {
			kids = append(kids, f)
		} else {
			rest = append(rest, f)
		}
	}
	switch {
	case len(kids) >= 2:
		half := len(kids) / 2
		return joinFields(rest, kids[:half], 0), joinFields(rest, kids[half:], 0), true
	case len(kids) == 1 && level+1 < len(otlpNesting):
		ka, kb, ok := splitNested(kids[0].value, level+1)
		if !ok {
			return nil, nil, false
		}
		num := otlpNesting[level]
		return joinFields(rest, nil, num, ka), joinFields(rest, nil, num, kb), true
	}
	return nil, nil, false
}

// joinFields encodes rest and kids, then each of inner as a field numbered
// num.
func joinFields(rest, kids []protoField, num protowire.Number, inner ...[]byte) []byte {
	var out []byte
	for _, f := range rest {
		out = append(out, f.raw...)
	}
	for _, f := range kids {
		out = append(out, f.raw...)
	}
	for _, m := range inner {
		out = protowire.AppendTag(out, num, protowire.BytesType)
		out = protowire.AppendBytes(out, m)
	}
	return out
}

// otlpAnswer reads how many spans a 2xx answer to a traces request
// rejected, and why. OpenObserve answers a protobuf request with a 200 and
// a protobuf ExportTraceServiceResponse (empty when nothing was rejected),
// and a JSON one with 206 {"partialSuccess":{"rejectedSpans":N,...}}; both
// forms are read, told apart by the content type and the first byte.
func otlpAnswer(status int, contentType string, body []byte) (int64, string, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return 0, "", nil
	}
	if status == 206 || strings.HasPrefix(contentType, "application/json") || trimmed[0] == '{' {
		return otlpAnswerJSON(trimmed)
	}
	return otlpAnswerProto(body)
}

func otlpAnswerJSON(body []byte) (int64, string, error) {
	var r struct {
		PartialSuccess *struct {
			RejectedSpans json.Number `json:"rejectedSpans"` // int64: a number or a string
			ErrorMessage  string      `json:"errorMessage"`
		} `json:"partialSuccess"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return 0, "", err
	}
	if r.PartialSuccess == nil || r.PartialSuccess.RejectedSpans == "" {
		return 0, "", nil
	}
	n, err := r.PartialSuccess.RejectedSpans.Int64()
	if err != nil {
		return 0, "", fmt.Errorf("rejectedSpans: %w", err)
	}
	return n, r.PartialSuccess.ErrorMessage, nil
}

// otlpAnswerProto reads ExportTraceServiceResponse.partial_success (1):
// rejected_spans (1, int64) and error_message (2, string).
func otlpAnswerProto(body []byte) (int64, string, error) {
	fs, err := protoFields(body)
	if err != nil {
		return 0, "", err
	}
	var rejected int64
	var msg string
	for _, f := range fs {
		if f.num != 1 || f.typ != protowire.BytesType {
			continue
		}
		inner, err := protoFields(f.value)
		if err != nil {
			return 0, "", err
		}
		for _, g := range inner {
			switch {
			case g.num == 1 && g.typ == protowire.VarintType:
				v, n := protowire.ConsumeVarint(g.raw[protowire.SizeTag(1):])
				if n < 0 {
					return 0, "", errBadProto
				}
				rejected = int64(v)
			case g.num == 2 && g.typ == protowire.BytesType:
				msg = string(g.value)
			}
		}
	}
	return rejected, msg, nil
}
