package bench

import (
	"context"
	"log/slog"
	"testing"

	"github.com/posthog/posthog-go"
	analytics "github.com/segmentio/analytics-go/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/behavior"
)

// The event every path of BenchmarkBehaviorTrack records: a product added
// to a cart by a logged-in user, with five properties, the session and
// the anonymous id.
const (
	eventName    = "product_added"
	eventUser    = "u-4f1c2a9e"
	eventAnon    = "0193f5a4-1c2b-4d3e-8f40-5a6b7c8d9e0f"
	eventSession = "7d3c8a2e-5b1f-4c6d-9e0a-1b2c3d4e5f60"
)

// behaviorStream is where the tracker's events are counted.
const behaviorStream = "user_behavior"

// BenchmarkBehaviorTrack measures what recording one user-behaviour event
// costs the calling goroutine: behavior.Tracker.Track (and the typed
// CartAdd) on a default client sending to the count-only dev server, and
// the same event through Segment's analytics-go and PostHog's posthog-go
// clients, each with its default batching, sending to a sink that only
// counts. Every server runs in a child process. Metrics as in
// BenchmarkCallerCost.
func BenchmarkBehaviorTrack(b *testing.B) {
	for _, parallel := range []bool{false, true} {
		suffix := map[bool]string{false: "", true: "-parallel"}[parallel]
		b.Run("o2kit-Track"+suffix, func(b *testing.B) { benchTracker(b, parallel, trackOne) })
		if !parallel {
			b.Run("o2kit-CartAdd", func(b *testing.B) { benchTracker(b, false, cartAddOne) })
		}
		b.Run("segment-analytics-go"+suffix, func(b *testing.B) { benchSegment(b, parallel) })
		b.Run("posthog-go"+suffix, func(b *testing.B) { benchPostHog(b, parallel) })
	}
}

func trackOne(t *behavior.Tracker, ctx context.Context) error {
	return t.Track(ctx, eventName,
		slog.String("product_id", "p-42"), slog.String("sku", "SHOE-42-BLK"),
		slog.Int64("price_minor", 12900), slog.String("currency", "EUR"), slog.Int("quantity", 2))
}

func cartAddOne(t *behavior.Tracker, ctx context.Context) error {
	return t.CartAdd(ctx, behavior.CartChange{
		Product:  behavior.Product{ID: "p-42", SKU: "SHOE-42-BLK", PriceMinor: 12900, Currency: "EUR"},
		Quantity: 2,
	})
}

// eventContext is the request context a tracker reads the ids from.
func eventContext() context.Context {
	ctx := behavior.ContextWithVisitor(context.Background(), behavior.Visitor{AnonymousID: eventAnon})
	return o2kit.ContextWithSession(o2kit.ContextWithUser(ctx, eventUser), eventSession)
}

func benchTracker(b *testing.B, parallel bool, record func(*behavior.Tracker, context.Context) error) {
	srv := startChild(b)
	var errs Errors
	c := callerClient(b, srv, &errs)
	t, err := behavior.NewTracker(c)
	if err != nil {
		b.Fatal(err)
	}
	ctx := eventContext()
	measureCaller(b, parallel, func() { _ = record(t, ctx) })
	flushAndClose(b, c)
	b.ReportMetric(100*float64(srv.Count(Org, behaviorStream))/float64(b.N), "delivered-%")
	reportDropped(b, c)
}

// quiet drops the peers' log lines.
type quiet struct{}

func (quiet) Logf(string, ...any)   {}
func (quiet) Errorf(string, ...any) {}
func (quiet) Debugf(string, ...any) {}
func (quiet) Warnf(string, ...any)  {}

func segmentTrack() analytics.Track {
	return analytics.Track{UserId: eventUser, AnonymousId: eventAnon, Event: eventName,
		Properties: analytics.NewProperties().Set("product_id", "p-42").Set("sku", "SHOE-42-BLK").
			Set("price_minor", 12900).Set("currency", "EUR").Set("quantity", 2).Set("session_id", eventSession)}
}

func posthogCapture() posthog.Capture {
	return posthog.Capture{DistinctId: eventUser, Event: eventName,
		Properties: posthog.NewProperties().Set("product_id", "p-42").Set("sku", "SHOE-42-BLK").
			Set("price_minor", 12900).Set("currency", "EUR").Set("quantity", 2).
			Set("$session_id", eventSession).Set("$anon_distinct_id", eventAnon)}
}

func benchSegment(b *testing.B, parallel bool) {
	srv := startPeerSink(b)
	c, err := analytics.NewWithConfig("bench-write-key", analytics.Config{Endpoint: srv.URL, Logger: quiet{}})
	if err != nil {
		b.Fatal(err)
	}
	measureCaller(b, parallel, func() { _ = c.Enqueue(segmentTrack()) })
	_ = c.Close()
	b.ReportMetric(100*float64(srv.Count(PeerSegment, ""))/float64(b.N), "delivered-%")
}

func benchPostHog(b *testing.B, parallel bool) {
	srv := startPeerSink(b)
	c, err := posthog.NewWithConfig("phc_bench", posthog.Config{Endpoint: srv.URL, Logger: quiet{}})
	if err != nil {
		b.Fatal(err)
	}
	measureCaller(b, parallel, func() { _ = c.Enqueue(posthogCapture()) })
	_ = c.Close()
	b.ReportMetric(100*float64(srv.Count(PeerPostHog, ""))/float64(b.N), "delivered-%")
}

// startPeerSink starts a PeerSink in a child process, closed with the test
// or benchmark.
func startPeerSink(tb testing.TB) *Server {
	tb.Helper()
	srv, err := StartPeerSink("TestPeerSinkChild")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = srv.Close() })
	return srv
}

// TestPeerSinkChild is the child process of StartPeerSink; run by itself
// it skips.
func TestPeerSinkChild(t *testing.T) {
	child, err := ServePeerSink()
	if !child {
		t.Skip("runs only as the peer sink's child process")
	}
	require.NoError(t, err)
}

// TestBehaviorDelivery checks the benchmark's paths end to end: every
// event each client takes reaches its server.
func TestBehaviorDelivery(t *testing.T) {
	const n = 1000
	srv := startChild(t)
	var errs Errors
	c, err := srv.Client(&errs)
	require.NoError(t, err)
	tr, err := behavior.NewTracker(c)
	require.NoError(t, err)
	ctx := eventContext()
	for range n / 2 {
		require.NoError(t, trackOne(tr, ctx))
		require.NoError(t, cartAddOne(tr, ctx))
	}
	flushAndClose(t, c)
	require.NoError(t, errs.First())
	assert.EqualValues(t, n, srv.Count(Org, behaviorStream))

	sink := startPeerSink(t)
	sc, err := analytics.NewWithConfig("k", analytics.Config{Endpoint: sink.URL, Logger: quiet{}})
	require.NoError(t, err)
	pc, err := posthog.NewWithConfig("phc_k", posthog.Config{Endpoint: sink.URL, Logger: quiet{}})
	require.NoError(t, err)
	for range n {
		require.NoError(t, sc.Enqueue(segmentTrack()))
		require.NoError(t, pc.Enqueue(posthogCapture()))
	}
	require.NoError(t, sc.Close())
	require.NoError(t, pc.Close())
	assert.EqualValues(t, n, sink.Count(PeerSegment, ""))
	assert.EqualValues(t, n, sink.Count(PeerPostHog, ""))
}
