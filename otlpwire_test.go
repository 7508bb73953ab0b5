package o2kit

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/protobuf/encoding/protowire"
)

// decodeSpans parses body as the dev server does and returns its span names.
func decodeSpans(t *testing.T, body []byte) []string {
	t.Helper()
	req := ptraceotlp.NewExportRequest()
	require.NoError(t, req.UnmarshalProto(body))
	var names []string
	rss := req.Traces().ResourceSpans()
	for i := range rss.Len() {
		rs := rss.At(i)
		name, _ := rs.Resource().Attributes().Get("service.name")
		require.Equal(t, "checkout", name.Str(), "each part keeps its resource")
		for j := range rs.ScopeSpans().Len() {
			ss := rs.ScopeSpans().At(j)
			require.Equal(t, "test", ss.Scope().Name(), "each part keeps its scope")
			for k := range ss.Spans().Len() {
				names = append(names, ss.Spans().At(k).Name())
			}
		}
	}
	return names
}

func TestSplitSpansAtEachLevel(t *testing.T) {
	for _, tc := range []struct {
		name             string
		resources, spans int
		wantA            int
	}{
		{"resources", 3, 2, 2},
		{"spans of one scope", 1, 5, 2},
		{"two spans", 1, 2, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := traceBody(t, tc.resources, tc.spans, time.Now())
			n, err := countSpans(body)
			require.NoError(t, err)
			require.Equal(t, tc.resources*tc.spans, n)
			a, b, ok := splitSpans(body)
			require.True(t, ok)
			na, err := countSpans(a)
			require.NoError(t, err)
			nb, err := countSpans(b)
			require.NoError(t, err)
			assert.Equal(t, tc.wantA, na)
			assert.Equal(t, n, na+nb)
			all := decodeSpans(t, body)
			assert.Equal(t, all, append(decodeSpans(t, a), decodeSpans(t, b)...))
			assert.Equal(t, all, decodeSpans(t, append(a, b...)), "halves concatenate back into one request")
		})
	}
}

func TestSplitSpansScopes(t *testing.T) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "checkout")
	for _, n := range []string{"a", "b", "c"} {
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName("test")
		ss.Spans().AppendEmpty().SetName(n)
	}
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	require.NoError(t, err)
	a, b, ok := splitSpans(body)
	require.True(t, ok)
	assert.Equal(t, []string{"a"}, decodeSpans(t, a))
	assert.Equal(t, []string{"b", "c"}, decodeSpans(t, b))
}

func TestSplitSpansRefusesOneSpanOrGarbage(t *testing.T) {
	_, _, ok := splitSpans(traceBody(t, 1, 1, time.Now()))
	assert.False(t, ok)
	_, _, ok = splitSpans([]byte{0xff, 0xff})
	assert.False(t, ok)
	_, err := countSpans([]byte{0x0a, 0x05, 0x01})
	assert.Error(t, err)
}

func TestOTLPAnswer(t *testing.T) {
	resp := ptraceotlp.NewExportResponse()
	resp.PartialSuccess().SetRejectedSpans(7)
	resp.PartialSuccess().SetErrorMessage("too old")
	pb, err := resp.MarshalProto()
	require.NoError(t, err)
	for _, tc := range []struct {
		name     string
		status   int
		ctype    string
		body     string
		rejected int64
		msg      string
		bad      bool
	}{
		{"empty protobuf", 200, contentOTLP, "", 0, "", false},
		{"protobuf partial", 200, contentOTLP, string(pb), 7, "too old", false},
		{"json ok", 200, "application/json", `{"partialSuccess":null}`, 0, "", false},
		{"json number", 206, "application/json", `{"partialSuccess":{"rejectedSpans":3,"errorMessage":"x"}}`, 3, "x", false},
		{"json string", 206, "", `{"partialSuccess":{"rejectedSpans":"4"}}`, 4, "", false},
		{"json garbage", 206, "application/json", `{"partialSuccess":`, 0, "", true},
		{"json bad count", 206, "application/json", `{"partialSuccess":{"rejectedSpans":"x"}}`, 0, "", true},
		{"protobuf garbage", 200, contentOTLP, "\x0a\x09\x01", 0, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, msg, err := otlpAnswer(tc.status, tc.ctype, []byte(tc.body))
			if tc.bad {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.rejected, n)
			assert.Equal(t, tc.msg, msg)
		})
	}
}

// FuzzSplitSpans checks that splitting never loses or invents spans, that
// each half is smaller (so repeated 413s end), and that arbitrary bytes
// cause no panic.
func FuzzSplitSpans(f *testing.F) {
	f.Add(traceBody(f, 2, 3, time.Unix(1700000000, 0)))
	f.Add(traceBody(f, 1, 2, time.Unix(1700000000, 0)))
	f.Add(protowire.AppendTag(nil, 1, protowire.BytesType))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := countSpans(body)
		a, b, ok := splitSpans(body)
		if err != nil || !ok {
			return
		}
		na, errA := countSpans(a)
		nb, errB := countSpans(b)
		if errA != nil || errB != nil || na+nb != n || len(a) >= len(body) || len(b) >= len(body) {
			t.Fatalf("split %d spans into %d (%v) + %d (%v)", n, na, errA, nb, errB)
		}
	})
}

// FuzzOTLPAnswer checks that reading an answer never panics.
func FuzzOTLPAnswer(f *testing.F) {
	f.Add(200, []byte{0x0a, 0x02, 0x08, 0x05})
	f.Add(206, []byte(`{"partialSuccess":{"rejectedSpans":"4"}}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		_, _, _ = otlpAnswer(status, "", body)
	})
}
