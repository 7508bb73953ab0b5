package o2kit

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/o2kit/o2kit/internal/o2server"
)

// testSpan is a span of trace 0x0101…, named name, started at start.
func testSpan(i int, name string, start time.Time) *tracepb.Span {
	tid := make([]byte, 16)
	for k := range tid {
		tid[k] = 1
	}
	sid := []byte{0, 0, 0, 0, 0, 0, byte(i >> 8), byte(i) + 1}
	return &tracepb.Span{
		TraceId: tid, SpanId: sid, Name: name,
		StartTimeUnixNano: uint64(start.UnixNano()),
		EndTimeUnixNano:   uint64(start.Add(time.Millisecond).UnixNano()),
		Attributes: []*commonpb.KeyValue{{Key: "order.id", Value: &commonpb.AnyValue{
			Value: &commonpb.AnyValue_StringValue{StringValue: fmt.Sprintf("ord-%d", i)}}}},
	}
}

// traceBody encodes an export request of resources × spans spans, all
// started at start, named "op-<resource>-<span>".
func traceBody(t testing.TB, resources, spans int, start time.Time) []byte {
	var body []byte
	for r := range resources {
		ss := &tracepb.ScopeSpans{Scope: &commonpb.InstrumentationScope{Name: "test"}}
		for s := range spans {
			ss.Spans = append(ss.Spans, testSpan(r*spans+s, fmt.Sprintf("op-%d-%d", r, s), start))
		}
		rs, err := proto.Marshal(&tracepb.ResourceSpans{
			Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{{Key: "service.name",
				Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: "checkout"}}}}},
			ScopeSpans: []*tracepb.ScopeSpans{ss},
		})
		require.NoError(t, err)
		// ExportTraceServiceRequest.resource_spans is field 1.
		body = protowire.AppendTag(body, 1, protowire.BytesType)
		body = protowire.AppendBytes(body, rs)
	}
	return body
}

func spanNames(recs []map[string]any) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r["operation_name"].(string))
	}
	return out
}

func TestEmitOTLPDeliversSpans(t *testing.T) {
	srv, url := devServer(t)
	c, log := newClient(t, srv, url)
	require.NoError(t, c.EmitOTLP(t.Context(), Traces, "shop-traces", traceBody(t, 1, 3, time.Now()), 3))
	flush(t, c)

	recs := srv.RecordsOf("default", "traces", "shop_traces")
	require.Len(t, recs, 3)
	assert.ElementsMatch(t, []string{"op-0-0", "op-0-1", "op-0-2"}, spanNames(recs))
	assert.Equal(t, hex.EncodeToString(testSpan(0, "", time.Now()).TraceId), recs[0]["trace_id"])
	assert.Equal(t, "checkout", recs[0]["service_name"])
	assert.Equal(t, "ord-0", recs[0]["order_id"])
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/api/default/v1/traces", reqs[0].Path)
	assert.Equal(t, "application/x-protobuf", reqs[0].Header.Get("Content-Type"))
	assert.Equal(t, "shop_traces", reqs[0].Header.Get("stream-name"))
	assert.Equal(t, "gzip", reqs[0].Header.Get("Content-Encoding"))

	st := c.Stats()
	tc := st.Streams["traces:shop_traces"]
	assert.Equal(t, uint64(3), tc.Accepted)
	assert.Equal(t, uint64(3), tc.Sent)
	assert.Equal(t, uint64(1), tc.Requests)
	assert.Zero(t, tc.QueueDepth)
	assert.Empty(t, log.all())
}

func TestEmitOTLPRejectsWhatItCannotTake(t *testing.T) {
	srv, url := devServer(t)
	c, _ := newClient(t, srv, url, WithMaxBufferedBytes(1<<20))
	body := traceBody(t, 1, 1, time.Now())
	assert.Error(t, c.EmitOTLP(t.Context(), Logs, "s", body, 1))
	assert.Error(t, c.EmitOTLP(t.Context(), Traces, "s", body, -1))
	assert.ErrorIs(t, c.EmitOTLP(t.Context(), Traces, "", body, 1), ErrNoStream)
	assert.ErrorIs(t, c.EmitOTLP(t.Context(), Traces, "s", make([]byte, 2<<20), 1), ErrRecordTooLarge)
	assert.NoError(t, c.EmitOTLP(t.Context(), Traces, "s", nil, 0), "an empty body is nothing to send")
	assert.Error(t, c.EmitAs(t.Context(), Traces, Record{Stream: "s"}))
	require.NoError(t, c.Shutdown(t.Context()))
	assert.ErrorIs(t, c.EmitOTLP(t.Context(), Traces, "s", body, 1), ErrClosed)
	st := c.Stats().Streams["traces:s"]
	assert.Equal(t, uint64(2), st.Dropped)
	assert.Zero(t, srv.Totals().Requests)
}

func TestEmitOTLPOverflowDropsNewest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil, WithMaxBufferedBytes(4<<10), WithBatchBytes(1<<10))
		srv.Push(o2server.Fault{Hang: true})
		body := traceBody(t, 1, 10, time.Now())
		require.Less(t, len(body), 4<<10)
		var errs []error
		for range 8 {
			errs = append(errs, c.EmitOTLP(t.Context(), Traces, "traces", traceBody(t, 1, 10, time.Now()), 10))
		}
		assert.ErrorIs(t, errors.Join(errs...), ErrOverflow)
		st := c.Stats()
		assert.Equal(t, st.Accepted+st.Dropped, uint64(80))
		assert.LessOrEqual(t, st.MaxBufferedBytes, int64(4<<10))
		srv.ReleaseHangs()
	})
}

func TestEmitOTLPRetriesOn503(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, _ := bubbleClient(t, nil)
		srv.Push(o2server.Fault{Status: 503, Header: http.Header{"Retry-After": {"3"}}})
		start := time.Now()
		require.NoError(t, c.EmitOTLP(t.Context(), Traces, "traces", traceBody(t, 1, 2, time.Now()), 2))
		require.NoError(t, c.Flush(t.Context()))
		assert.Equal(t, 3*time.Second, time.Since(start))
		assert.Len(t, srv.RecordsOf("default", "traces", "traces"), 2)
		st := c.Stats()
		assert.Equal(t, uint64(1), st.Retried)
		assert.Equal(t, uint64(2), st.Sent)
	})
}

func TestEmitOTLPCountsRejectedSpans(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, log := bubbleClient(t, nil)
		body := traceBody(t, 1, 2, time.Now())
		old := traceBody(t, 1, 3, time.Now().Add(-10*time.Hour)) // beyond the 5 h window
		require.NoError(t, c.EmitOTLP(t.Context(), Traces, "traces", append(body, old...), 5))
		require.NoError(t, c.Flush(t.Context()))
		st := c.Stats()
		assert.Equal(t, uint64(2), st.Sent)
		assert.Equal(t, uint64(3), st.PartialFailures)
		assert.Len(t, srv.RecordsOf("default", "traces", "traces"), 2)
		var pe *PartialError
		require.ErrorAs(t, errors.Join(log.all()...), &pe)
		assert.Equal(t, PartialError{Stream: "traces", Successful: 2, Failed: 3,
			Message: "Some spans were rejected due to exceeding the allowed retention period"}, *pe)
	})
}

func TestEmitOTLPReadsJSONPartialSuccess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, log := bubbleClient(t, nil)
		srv.Push(o2server.Fault{Status: 206, Header: http.Header{"Content-Type": {"application/json"}},
			Body: `{"partialSuccess":{"rejectedSpans":"1","errorMessage":"too old"}}`})
		require.NoError(t, c.EmitOTLP(t.Context(), Traces, "traces", traceBody(t, 1, 4, time.Now()), 4))
		require.NoError(t, c.Flush(t.Context()))
		st := c.Stats()
		assert.Equal(t, uint64(3), st.Sent)
		assert.Equal(t, uint64(1), st.PartialFailures)
		var pe *PartialError
		require.ErrorAs(t, errors.Join(log.all()...), &pe)
		assert.Equal(t, "too old", pe.Message)
	})
}

// TestEmitOTLPClampsTheRejectedCount: a partial success that claims more
// spans than were sent, or fewer than none, is held to the spans sent, so
// Stats still add up.
func TestEmitOTLPClampsTheRejectedCount(t *testing.T) {
	for _, tc := range []struct {
		rejected      string
		sent, partial uint64
		reported      bool
	}{
		{"99", 0, 4, true},
		{"-1", 4, 0, false},
	} {
		synctest.Test(t, func(t *testing.T) {
			c, srv, log := bubbleClient(t, nil)
			srv.Push(o2server.Fault{Status: 206, Header: http.Header{"Content-Type": {"application/json"}},
				Body: `{"partialSuccess":{"rejectedSpans":` + tc.rejected + `,"errorMessage":"m"}}`})
			require.NoError(t, c.EmitOTLP(t.Context(), Traces, "traces", traceBody(t, 1, 4, time.Now()), 4))
			require.NoError(t, c.Flush(t.Context()))
			st := c.Stats()
			assert.Equal(t, tc.sent, st.Sent, tc.rejected)
			assert.Equal(t, tc.partial, st.PartialFailures, tc.rejected)
			var pe *PartialError
			assert.Equal(t, tc.reported, errors.As(errors.Join(log.all()...), &pe), tc.rejected)
		})
	}
}

func TestEmitOTLPSplitsOn413(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, log := bubbleClient(t, nil)
		// The whole body, then its first half, are too large.
		srv.Push(o2server.Fault{Status: 413}, o2server.Fault{Status: 413})
		require.NoError(t, c.EmitOTLP(t.Context(), Traces, "traces", traceBody(t, 2, 2, time.Now()), 4))
		require.NoError(t, c.Flush(t.Context()))
		st := c.Stats()
		assert.Equal(t, uint64(4), st.Sent)
		assert.Equal(t, uint64(5), st.Requests)
		assert.ElementsMatch(t, []string{"op-0-0", "op-0-1", "op-1-0", "op-1-1"},
			spanNames(srv.RecordsOf("default", "traces", "traces")))
		assert.Empty(t, log.all())
	})
}

func TestEmitOTLPFailsASpanTooLarge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv, log := bubbleClient(t, nil)
		srv.Push(o2server.Fault{Status: 413, Body: "too big"})
		require.NoError(t, c.EmitOTLP(t.Context(), Traces, "traces", traceBody(t, 1, 1, time.Now()), 1))
		require.NoError(t, c.Flush(t.Context()))
		st := c.Stats()
		assert.Equal(t, uint64(1), st.Failed)
		assert.Zero(t, st.DeadLettered, "spans are not dead-lettered")
		var de *DeliveryError
		require.ErrorAs(t, errors.Join(log.all()...), &de)
		assert.Equal(t, 1, de.Records)
	})
}
