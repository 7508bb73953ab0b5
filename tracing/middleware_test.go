package tracing_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/o2kit/o2kit/tracing"
)

// TestTraceCrossesAnHTTPHop: a front handler calls a back handler through
// the tracing transport; both run in the same trace, the back one a child
// of the front's client span, and baggage travels along.
func TestTraceCrossesAnHTTPHop(t *testing.T) {
	srv, client, _ := devClient(t)
	tp := setup(t, client, tracing.WithServiceName("shop"))
	mw := tracing.Middleware(tp, "back")

	var backSpan trace.SpanContext
	var backBaggage string
	back := httptest.NewServer(mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		backSpan = trace.SpanContextFromContext(r.Context())
		backBaggage = baggage.FromContext(r.Context()).Member("cart").Value()
		_, _ = io.WriteString(w, "ok")
	})))
	defer back.Close()
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	hc := &http.Client{Transport: tracing.Transport(tp, base)}

	var frontSpan trace.SpanContext
	front := httptest.NewServer(tracing.Middleware(tp, "front")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		frontSpan = trace.SpanContextFromContext(r.Context())
		m, _ := baggage.NewMember("cart", "c-9")
		b, _ := baggage.New(m)
		req, err := http.NewRequestWithContext(baggage.ContextWithBaggage(r.Context(), b), http.MethodGet, back.URL, nil)
		require.NoError(t, err)
		resp, err := hc.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(w, resp.Body)
		_ = resp.Body.Close()
	})))
	defer front.Close()

	// An outside caller already has a trace going.
	caller := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{0xab, 1}, SpanID: trace.SpanID{0xcd, 2}, TraceFlags: trace.FlagsSampled, Remote: true,
	})
	req, err := http.NewRequestWithContext(trace.ContextWithSpanContext(context.Background(), caller), http.MethodGet, front.URL, nil)
	require.NoError(t, err)
	tracing.Propagator().Inject(req.Context(), propagationHeader(req.Header))
	resp, err := base.RoundTrip(req)
	require.NoError(t, err)
	_ = resp.Body.Close()

	assert.Equal(t, caller.TraceID(), frontSpan.TraceID(), "the front continues the caller's trace")
	assert.Equal(t, caller.TraceID(), backSpan.TraceID(), "the back joins the same trace")
	assert.NotEqual(t, frontSpan.SpanID(), backSpan.SpanID())
	assert.Equal(t, "c-9", backBaggage)

	deliver(t, tp, client)
	got := storedSpans(srv, "traces")
	require.Len(t, got, 3, "front server, front client and back server spans: %v", got)
	for _, s := range got {
		assert.Equal(t, caller.TraceID().String(), s["trace_id"])
	}
	assert.Equal(t, caller.SpanID().String(), got["front"]["reference_parent_span_id"])
	assert.Equal(t, backSpan.SpanID().String(), got["back"]["span_id"])
	hop := got["HTTP GET"]
	require.NotNil(t, hop, "the transport's client span")
	assert.Equal(t, frontSpan.SpanID().String(), hop["reference_parent_span_id"], "the client span is the front's child")
	assert.Equal(t, hop["span_id"], got["back"]["reference_parent_span_id"], "the back continues the client span")
}

// TestTransportUsesTheGlobalProvider: with no provider, Transport and
// Middleware trace into the global one and still carry the context.
func TestTransportUsesTheGlobalProvider(t *testing.T) {
	tp, rec := recorderGlobal(t)

	var got trace.SpanContext
	back := httptest.NewServer(tracing.Middleware(nil, "back")(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		got = trace.SpanContextFromContext(r.Context())
	})))
	defer back.Close()
	ctx, parent := tp.Tracer("t").Start(t.Context(), "caller")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, back.URL, nil)
	require.NoError(t, err)
	resp, err := (&http.Client{Transport: tracing.Transport(nil, nil)}).Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	parent.End()
	http.DefaultClient.CloseIdleConnections()

	assert.Equal(t, parent.SpanContext().TraceID(), got.TraceID())
	names := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range rec.Ended() {
		names[s.Name()] = s
	}
	require.Contains(t, names, "HTTP GET")
	assert.Equal(t, parent.SpanContext().SpanID(), names["HTTP GET"].Parent().SpanID())
	assert.Equal(t, names["HTTP GET"].SpanContext().SpanID(), names["back"].Parent().SpanID())
}

func TestMiddlewareWithANilHandlerServesTheDefaultMux(t *testing.T) {
	rec := httptest.NewRecorder()
	tracing.Middleware(nil, "")(nil).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/o2kit-no-such-route", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)
}

func TestMiddlewareNamesSpans(t *testing.T) {
	tp, rec := recorder(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cart/{id}", func(http.ResponseWriter, *http.Request) {})
	for _, h := range []http.Handler{
		tracing.Middleware(tp, "")(mux),
		tracing.Middleware(tp, "")(http.NotFoundHandler()),
		tracing.Middleware(tp, "cart")(mux),
	} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/cart/7", nil))
	}
	var names []string
	for _, s := range rec.Ended() {
		names = append(names, s.Name())
	}
	assert.Equal(t, []string{"GET /cart/{id}", "GET", "cart"}, names)
}

func TestMiddlewareHandsTheRouteOutward(t *testing.T) {
	tp, rec := recorder(t)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /cart/{id}", func(http.ResponseWriter, *http.Request) {})
	var seen string
	outer := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			seen = r.Pattern
		})
	}
	outer(tracing.Middleware(tp, "")(mux)).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/cart/7", nil))
	assert.Equal(t, "POST /cart/{id}", seen, "middleware outside sees the pattern the mux matched")
	spans := rec.Ended()
	require.Len(t, spans, 1)
	assert.Equal(t, "POST /cart/{id}", spans[0].Name())
	assert.Contains(t, spans[0].Attributes(), attribute.String("http.route", "/cart/{id}"))
}
