package o2server

import (
	"net/http"
	"slices"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/o2kit/o2kit/internal/norm"
)

// reservedSpanFields are span columns that attributes may not overwrite; a
// colliding attribute is stored with an "attr_" prefix.
var reservedSpanFields = []string{
	"trace_id", "span_id", "flags", "span_status", "span_kind", "operation_name",
	"start_time", "end_time", "duration", "service_name", "infer_service_name",
	"infer_service_type", "infer_service_system", "events", "links", "_timestamp",
}

const rejectedSpansMessage = "Some spans were rejected due to exceeding the allowed retention period"

// handleOTLPTraces answers POST /api/{org}/v1/traces (and /traces,
// /otel/v1/traces). The organization header overrides the path's org; JSON
// requests with rejected spans get 206.
func handleOTLPTraces(c *call) {
	if !c.readBody() {
		return
	}
	isProto, ok := otlpContent(c)
	if !ok {
		return
	}
	c.processTime()
	req := ptraceotlp.NewExportRequest()
	if !c.decodeOTLP(req, isProto, "resourceSpans") {
		return
	}
	o := c.org
	if name := c.r.Header.Get("organization"); name != "" {
		c.s.mu.Lock()
		o = c.s.createOrgLocked(name)
		c.s.mu.Unlock()
	}
	stream := "default"
	if h := c.r.Header.Get("stream-name"); h != "" {
		stream = norm.StreamName(h)
	}
	stored, rejected, err := c.s.ingestSpans(o, stream, req.Traces())
	if err != nil {
		c.envelope(http.StatusInternalServerError, err.Error())
		return
	}
	c.accepted(stored)
	c.failed(rejected)
	if isProto {
		var b []byte
		if rejected > 0 {
			resp := ptraceotlp.NewExportResponse()
			resp.PartialSuccess().SetRejectedSpans(int64(rejected))
			resp.PartialSuccess().SetErrorMessage(rejectedSpansMessage)
			b, _ = resp.MarshalProto()
		}
		c.raw(http.StatusOK, contentProto, b)
		return
	}
	if rejected > 0 {
		c.json(http.StatusPartialContent, orderedObject{{"partialSuccess", orderedObject{
			{"rejectedSpans", rejected}, {"errorMessage", rejectedSpansMessage},
		}}})
		return
	}
	c.json(http.StatusOK, orderedObject{{"partialSuccess", nil}})
}

// ingestSpans stores spans in the shape of src/core/src/traces/mod.rs and
// returns how many were stored and rejected.
func (s *Server) ingestSpans(o *org, stream string, td ptrace.Traces) (int, int, error) {
	w := s.window()
	now := s.nowMicros()
	f := flattener{sorted: s.cfg.sortedKeys}
	var recs []pending
	rejected := 0
	serviceName := stream
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		service := jvalue{kind: jObject}
		for k, v := range rs.Resource().Attributes().All() {
			if k == "service.name" {
				if v.Type() == pcommon.ValueTypeStr {
					serviceName = v.Str()
					service.set(k, jstr(v.Str()))
				}
				continue
			}
			service.set(resourceKey(k), stringValue(v))
		}
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				rec, ok := spanRecord(spans.At(k), serviceName, &service, w, s)
				if !ok {
					rejected++
					continue
				}
				rec.set("_o2_ingest_ts", jint(now))
				flat, err := f.flatten(rec)
				if err != nil {
					rejected++
					continue
				}
				ts, _ := flat.get("_timestamp")
				n, _ := ts.isInt()
				recs = append(recs, pending{ts: n, rec: flat})
			}
		}
	}
	res, err := s.writeBatch(o.dbs[typeTraces], typeTraces, stream, recs)
	if err != nil || res.dropped {
		return 0, rejected, err
	}
	return len(recs), rejected, nil
}

// resourceKey prefixes a resource attribute with "service_".
func resourceKey(raw string) string {
	key := "service_" + raw
	if slices.Contains(reservedSpanFields, norm.Key(key)) {
		return "service_attr_" + raw
	}
	return key
}

func spanAttrKey(raw string, service *jvalue) string {
	nk := norm.Key(raw)
	collides := slices.Contains(reservedSpanFields, nk)
	for _, m := range service.obj {
		if norm.Key(m.key) == nk {
			collides = true
		}
	}
	if collides {
		return "attr_" + raw
	}
	return raw
}

// spanRecord builds a span's record; false means the span is rejected for
// bad ids or a start time outside the window.
func spanRecord(sp ptrace.Span, serviceName string, service *jvalue, w window, s *Server) (jvalue, bool) {
	traceID, ok1 := traceHex(sp.TraceID())
	spanID, ok2 := spanHex(sp.SpanID())
	start, end := uint64(sp.StartTimestamp()), uint64(sp.EndTimestamp())
	ts := int64(start / 1000)
	if !ok1 || !ok2 || w.check(ts, s) != "" {
		return jvalue{}, false
	}
	rec := jvalue{kind: jObject}
	rec.set("trace_id", jstr(traceID))
	rec.set("span_id", jstr(spanID))
	rec.set("flags", jint(1))
	rec.set("span_status", jstr(spanStatus(sp.Status().Code())))
	rec.set("span_kind", jstr(strconv.Itoa(int(sp.Kind()))))
	rec.set("operation_name", jstr(sp.Name()))
	rec.set("start_time", juint(start))
	rec.set("end_time", juint(end))
	var dur uint64
	if end > start {
		dur = (end - start) / 1000
	}
	rec.set("duration", juint(dur))
	if parent, ok := spanHex(sp.ParentSpanID()); ok {
		rec.set("reference.parent_trace_id", jstr(traceID))
		rec.set("reference.parent_span_id", jstr(parent))
		rec.set("reference.ref_type", jstr("ChildOf"))
	}
	rec.set("service_name", jstr(serviceName))
	for k, v := range sp.Attributes().All() {
		rec.set(spanAttrKey(k, service), stringValue(v))
	}
	if st := sp.Status(); st.Code() != ptrace.StatusCodeUnset || st.Message() != "" {
		rec.set("status_code", jint(int64(st.Code())))
		rec.set("status_message", jstr(st.Message()))
	}
	rec.obj = append(rec.obj, service.obj...)
	rec.set("events", jstr(string(appendJSON(nil, spanEvents(sp), false))))
	rec.set("links", jstr(string(appendJSON(nil, spanLinks(sp), false))))
	rec.set("_timestamp", jint(ts))
	return rec, true
}

func spanStatus(c ptrace.StatusCode) string {
	switch c {
	case ptrace.StatusCodeOk:
		return "OK"
	case ptrace.StatusCodeError:
		return "ERROR"
	}
	return "UNSET"
}

func spanEvents(sp ptrace.Span) *jvalue {
	out := &jvalue{kind: jArray}
	evs := sp.Events()
	for i := 0; i < evs.Len(); i++ {
		ev := evs.At(i)
		e := jvalue{kind: jObject}
		e.set("name", jstr(ev.Name()))
		e.set("_timestamp", juint(uint64(ev.Timestamp())))
		for k, v := range ev.Attributes().All() {
			e.set(k, stringValue(v))
		}
		out.arr = append(out.arr, e)
	}
	return out
}

func spanLinks(sp ptrace.Span) *jvalue {
	out := &jvalue{kind: jArray}
	links := sp.Links()
	for i := 0; i < links.Len(); i++ {
		l := links.At(i)
		spanID, ok1 := spanHex(l.SpanID())
		traceID, ok2 := traceHex(l.TraceID())
		if !ok1 || !ok2 {
			continue
		}
		ctx := jvalue{kind: jObject}
		ctx.set("traceId", jstr(traceID))
		ctx.set("spanId", jstr(spanID))
		ctx.set("traceFlags", jint(int64(l.Flags())))
		ctx.set("traceState", jstr(l.TraceState().AsRaw()))
		link := jvalue{kind: jObject}
		link.set("context", ctx)
		for k, v := range l.Attributes().All() {
			link.set(k, stringValue(v))
		}
		link.set("droppedAttributesCount", jint(int64(l.DroppedAttributesCount())))
		out.arr = append(out.arr, link)
	}
	return out
}
