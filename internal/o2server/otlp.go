package o2server

import (
	"encoding/hex"
	"math"
	"net/http"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"

	"github.com/o2kit/o2kit/internal/norm"
)

const (
	contentProto = "application/x-protobuf"
	contentJSON  = "application/json"
)

// otlpContent classifies the request's content type for OTLP metrics and
// traces: exactly protobuf, or anything starting with application/json.
// Logs are stricter and check the exact JSON type themselves.
func otlpContent(c *call) (proto, ok bool) {
	ct := c.r.Header.Get("Content-Type")
	switch {
	case ct == contentProto:
		return true, true
	case len(ct) >= len(contentJSON) && ct[:len(contentJSON)] == contentJSON:
		return false, true
	}
	c.envelope(http.StatusBadRequest, "Bad Request")
	return false, false
}

// otlpRequest is an OTLP export request pdata can decode.
type otlpRequest interface {
	UnmarshalProto([]byte) error
	UnmarshalJSON([]byte) error
}

// decodeOTLP decodes the body as protobuf or as OTLP/JSON, whose top-level
// field is required as serde requires it, answering 400 on failure.
func (c *call) decodeOTLP(req otlpRequest, isProto bool, field string) bool {
	if isProto {
		if err := req.UnmarshalProto(c.body); err != nil {
			c.envelope(http.StatusBadRequest, "Invalid proto: "+err.Error())
			return false
		}
		return true
	}
	if msg := requireField(c.body, field); msg != "" {
		c.envelope(http.StatusBadRequest, "Invalid json: "+msg)
		return false
	}
	if err := req.UnmarshalJSON(c.body); err != nil {
		c.envelope(http.StatusBadRequest, "Invalid json: "+err.Error())
		return false
	}
	return true
}

// requireField checks that a JSON body is an object holding the top-level
// field serde's OTLP types require, returning serde's message otherwise.
func requireField(body []byte, name string) string {
	v, err := parseJSON(body)
	if err != nil {
		return err.Error()
	}
	if v.kind != jObject {
		return notStruct(&v)
	}
	if _, ok := v.get(name); ok {
		return ""
	}
	end := len(body) - 1
	for end > 0 && body[end] != '}' {
		end--
	}
	return positionError(body, end, "missing field `"+name+"`").Error()
}

func notStruct(v *jvalue) string {
	return "invalid type: " + map[jkind]string{
		jNull: "null", jBool: "boolean", jNumber: "number", jString: "string", jArray: "sequence",
	}[v.kind] + ", expected struct"
}

// anyValue converts an OTLP attribute value keeping its type
// (get_val_with_type_retained).
func anyValue(v pcommon.Value) jvalue {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return jstr(v.Str())
	case pcommon.ValueTypeBool:
		return jbool(v.Bool())
	case pcommon.ValueTypeInt:
		return jint(v.Int())
	case pcommon.ValueTypeDouble:
		return jfloat(v.Double())
	case pcommon.ValueTypeSlice:
		out := jvalue{kind: jArray}
		for i := 0; i < v.Slice().Len(); i++ {
			out.arr = append(out.arr, anyValue(v.Slice().At(i)))
		}
		return out
	case pcommon.ValueTypeMap:
		out := jvalue{kind: jObject}
		for k, mv := range v.Map().All() {
			out.set(k, anyValue(mv))
		}
		return out
	case pcommon.ValueTypeBytes:
		out := jvalue{kind: jArray}
		for _, b := range v.Bytes().AsRaw() {
			out.arr = append(out.arr, jint(int64(b)))
		}
		return out
	}
	return jvalue{}
}

// stringValue converts an OTLP attribute value with scalars as strings
// (get_val).
func stringValue(v pcommon.Value) jvalue {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return jstr(v.Str())
	case pcommon.ValueTypeBool:
		return jstr(strconv.FormatBool(v.Bool()))
	case pcommon.ValueTypeInt:
		return jstr(strconv.FormatInt(v.Int(), 10))
	case pcommon.ValueTypeDouble:
		return jstr(formatRustFloat(v.Double()))
	case pcommon.ValueTypeSlice:
		out := jvalue{kind: jArray}
		for i := 0; i < v.Slice().Len(); i++ {
			out.arr = append(out.arr, stringValue(v.Slice().At(i)))
		}
		return out
	case pcommon.ValueTypeMap:
		out := jvalue{kind: jObject}
		for k, mv := range v.Map().All() {
			out.set(k, stringValue(mv))
		}
		return out
	case pcommon.ValueTypeBytes:
		return jstr(string(v.Bytes().AsRaw()))
	}
	return jvalue{}
}

// jfloat is json!(f64): a number, or null for NaN and infinities.
func jfloat(f float64) jvalue {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return jvalue{}
	}
	return jvalue{kind: jNumber, s: formatRyu(f)}
}

func traceHex(id pcommon.TraceID) (string, bool) {
	if id.IsEmpty() {
		return "", false
	}
	return hex.EncodeToString(id[:]), true
}

func spanHex(id pcommon.SpanID) (string, bool) {
	if id.IsEmpty() {
		return "", false
	}
	return hex.EncodeToString(id[:]), true
}

// handleOTLPLogs answers POST /api/{org}/v1/logs. The content type must be
// exactly protobuf or JSON, and the answer is always a protobuf
// ExportLogsServiceResponse, empty when nothing was rejected.
func handleOTLPLogs(c *call) {
	if !c.readBody() {
		return
	}
	ct := c.r.Header.Get("Content-Type")
	if ct != contentProto && ct != contentJSON {
		c.envelope(http.StatusBadRequest, "Bad Request")
		return
	}
	req := plogotlp.NewExportRequest()
	if !c.decodeOTLP(req, ct == contentProto, "resourceLogs") {
		return
	}
	stream := "default"
	if h := c.r.Header.Get("stream-name"); h != "" {
		stream = norm.StreamName(h)
	}
	st, err := c.s.ingestOTLPLogs(c.org, stream, req)
	if err != nil {
		c.envelope(http.StatusInternalServerError, "Error# "+err.Error())
		return
	}
	c.accepted(st.successful)
	c.failed(st.failed)
	// Without rejections partial_success is unset and the body is empty;
	// pdata would encode it as an empty message, so it is skipped.
	var b []byte
	if st.rejected > 0 {
		resp := plogotlp.NewExportResponse()
		resp.PartialSuccess().SetRejectedLogRecords(int64(st.rejected))
		resp.PartialSuccess().SetErrorMessage(st.rejectMsg)
		b, _ = resp.MarshalProto()
	}
	c.raw(http.StatusOK, ct, b)
}

// otlpLogStatus is the outcome of an OTLP logs request.
type otlpLogStatus struct {
	recordStatus
	rejected  int
	rejectMsg string
}

// ingestOTLPLogs turns log records into rows (src/core/src/logs/otlp.rs).
func (s *Server) ingestOTLPLogs(o *org, stream string, req plogotlp.ExportRequest) (*otlpLogStatus, error) {
	st := &otlpLogStatus{recordStatus: recordStatus{name: stream}}
	db := o.dbs[typeLogs]
	f := s.flattenerFor(db, stream)
	w := s.window()
	var recs []pending
	rls := req.Logs().ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			sl := sls.At(j)
			lrs := sl.LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				ts := int64(lr.Timestamp()) / 1000
				if lr.Timestamp() == 0 {
					ts = int64(lr.ObservedTimestamp()) / 1000
				}
				if msg := w.check(ts, s); msg != "" {
					st.add(msg)
					st.rejected++
					st.rejectMsg = msg
					continue
				}
				rec := logRecord(rl.Resource().Attributes(), sl.Scope(), lr, ts)
				flat, err := f.flatten(rec)
				if err != nil {
					return nil, err
				}
				recs = append(recs, pending{ts: ts, rec: flat})
			}
		}
	}
	res, err := s.writeBatch(db, typeLogs, stream, recs)
	if err != nil || res.dropped {
		return st, err
	}
	for _, e := range res.errs {
		st.add(e)
	}
	return st, nil
}

func logRecord(res pcommon.Map, scope pcommon.InstrumentationScope, lr plog.LogRecord, ts int64) jvalue {
	rec := jvalue{kind: jObject}
	for k, v := range res.All() {
		rec.set(k, anyValue(v))
	}
	if scope.Name() != "" {
		rec.set("instrumentation_library_name", jstr(scope.Name()))
	}
	if scope.Version() != "" {
		rec.set("instrumentation_library_version", jstr(scope.Version()))
	}
	rec.set("_timestamp", jint(ts))
	if lr.SeverityText() != "" {
		rec.set("severity", jstr(lr.SeverityText()))
	} else {
		rec.set("severity", jint(int64(lr.SeverityNumber())))
	}
	rec.set("body", stringValue(lr.Body()))
	rec.set("dropped_attributes_count", jint(int64(lr.DroppedAttributesCount())))
	for k, v := range lr.Attributes().All() {
		rec.set(k, anyValue(v))
	}
	if id, ok := traceHex(lr.TraceID()); ok {
		rec.set("trace_id", jstr(id))
	}
	if id, ok := spanHex(lr.SpanID()); ok {
		rec.set("span_id", jstr(id))
	}
	return rec
}
