package tracing_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
	"github.com/o2kit/o2kit/internal/o2test"
	"github.com/o2kit/o2kit/tracing"
)

// countingIDs makes trace and span ids from a counter, for stable output.
type countingIDs struct{ n atomic.Uint64 }

func (g *countingIDs) NewIDs(ctx context.Context) (trace.TraceID, trace.SpanID) {
	var tid trace.TraceID
	binary.BigEndian.PutUint64(tid[8:], g.n.Add(1))
	return tid, g.NewSpanID(ctx, tid)
}

func (g *countingIDs) NewSpanID(context.Context, trace.TraceID) trace.SpanID {
	var sid trace.SpanID
	binary.BigEndian.PutUint64(sid[:], g.n.Add(1))
	return sid
}

// printSpan prints some of the columns OpenObserve stores for a span, and
// the names of its events.
func printSpan(rec map[string]any) {
	out := map[string]any{}
	for _, k := range []string{"operation_name", "trace_id", "span_id", "reference_parent_span_id", "duration",
		"service_name", "service_service_version", "user_id", "order_id", "span_status", "status_message"} {
		if v, ok := rec[k]; ok {
			out[k] = v
		}
	}
	var events []struct{ Name string }
	_ = json.Unmarshal([]byte(rec["events"].(string)), &events)
	var names []string
	for _, e := range events {
		names = append(names, e.Name)
	}
	out["events"] = names
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
}

// A checkout traced end to end: a business span with the customer's id, an
// order event, a failed payment as a child span, and the spans as
// OpenObserve stores them.
func Example() {
	dev, client := o2test.Example()
	defer dev.Close()
	ctx := context.Background()
	defer client.Shutdown(ctx)

	tp, stop, err := tracing.Setup(ctx, client,
		tracing.WithServiceName("checkout"), tracing.WithServiceVersion("1.4.2"),
		tracing.WithIDGenerator(&countingIDs{})) // ids from a counter to keep the output stable
	if err != nil {
		log.Fatal(err)
	}
	tracer := tp.Tracer("shop")

	ctx = o2kit.ContextWithUser(ctx, "u-1001")
	ctx, span := tracing.Start(ctx, tracer, "place order", trace.WithTimestamp(o2test.Epoch))
	if err := tracing.OrderPlaced(ctx, "ord-0001", tracing.Money{Minor: 129900, Currency: "EUR"}, 2); err != nil {
		log.Fatal(err) // a bad order id, amount or currency
	}
	payCtx, pay := tracer.Start(ctx, "authorise payment", trace.WithTimestamp(o2test.Epoch.Add(time.Millisecond)))
	tracing.RecordError(payCtx, errors.New("card declined"))
	pay.End(trace.WithTimestamp(o2test.Epoch.Add(31 * time.Millisecond)))
	span.End(trace.WithTimestamp(o2test.Epoch.Add(40 * time.Millisecond)))

	if err := stop(ctx); err != nil { // hands the last spans to the client
		log.Fatal(err)
	}
	if err := client.Flush(ctx); err != nil {
		log.Fatal(err)
	}
	for _, rec := range dev.RecordsOf("default", "traces", client.Streams().Traces) {
		printSpan(rec)
	}
	// Output:
	// {"duration":30000,"events":["exception"],"operation_name":"authorise payment","reference_parent_span_id":"0000000000000002","service_name":"checkout","service_service_version":"1.4.2","span_id":"0000000000000003","span_status":"ERROR","status_message":"card declined","trace_id":"00000000000000000000000000000001"}
	// {"duration":40000,"events":["order.placed"],"operation_name":"place order","order_id":"ord-0001","service_name":"checkout","service_service_version":"1.4.2","span_id":"0000000000000002","span_status":"UNSET","trace_id":"00000000000000000000000000000001","user_id":"u-1001"}
}

// RateLimited keeps at most N new traces a second: a burst of a second's
// worth, then one every 1/N seconds.
func ExampleRateLimited() {
	now := o2test.Epoch
	sampler := tracing.RateLimited(2, tracing.WithSamplerClock(func() time.Time { return now }))
	root := sdktrace.SamplingParameters{ParentContext: context.Background(), TraceID: trace.TraceID{1}, Name: "GET /"}
	kept := 0
	for range 10 { // ten requests at once
		if sampler.ShouldSample(root).Decision == sdktrace.RecordAndSample {
			kept++
		}
	}
	fmt.Println("kept at once:", kept)
	now = now.Add(500 * time.Millisecond)
	fmt.Println("half a second later:", sampler.ShouldSample(root).Decision == sdktrace.RecordAndSample)
	fmt.Println("right after:", sampler.ShouldSample(root).Decision == sdktrace.RecordAndSample)
	// Output:
	// kept at once: 2
	// half a second later: true
	// right after: false
}

// Middleware continues the caller's trace in a handler; Transport carries
// it on to the next service.
func ExampleMiddleware() {
	dev := o2server.New() // the spans take the real time, so the server does too
	url, err := dev.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer dev.Close()
	ctx := context.Background()
	client, err := o2kit.New(o2test.Options(dev, url)...)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Shutdown(ctx)
	tp, stop, err := tracing.Setup(ctx, client, tracing.WithServiceName("shop"))
	if err != nil {
		log.Fatal(err)
	}

	inventory := httptest.NewServer(tracing.Middleware(tp, "reserve stock")(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			if err := tracing.StockReserved(r.Context(), "sku-7", 1, "berlin", "ord-0001"); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
			}
		})))
	defer inventory.Close()
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	outgoing := &http.Client{Transport: tracing.Transport(tp, base)}
	checkout := httptest.NewServer(tracing.Middleware(tp, "checkout")(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, inventory.URL, nil)
			if resp, err := outgoing.Do(req); err == nil {
				resp.Body.Close()
			}
		})))
	defer checkout.Close()

	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, checkout.URL, nil)
	resp, err := base.RoundTrip(req)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	_ = stop(ctx)
	_ = client.Flush(ctx)

	traces := map[any]bool{}
	for _, rec := range dev.RecordsOf("default", "traces", "traces") {
		fmt.Println(rec["operation_name"], rec["span_kind"])
		traces[rec["trace_id"]] = true
	}
	fmt.Println("traces:", len(traces))
	// Unordered output:
	// reserve stock 2
	// HTTP POST 3
	// checkout 2
	// traces: 1
}

// NewExporter adds o2kit export to a TracerProvider built elsewhere; the
// spans are counted in the client's Stats under "traces:" and the stream.
func ExampleNewExporter() {
	dev, client := o2test.Example()
	defer dev.Close()
	ctx := context.Background()
	defer client.Shutdown(ctx)

	exp, err := tracing.NewExporter(ctx, client, tracing.WithStream("checkout-traces"))
	if err != nil {
		log.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
	_, span := tp.Tracer("shop").Start(ctx, "GET /cart", trace.WithTimestamp(o2test.Epoch))
	span.End(trace.WithTimestamp(o2test.Epoch.Add(2 * time.Millisecond)))
	if err := tp.Shutdown(ctx); err != nil {
		log.Fatal(err)
	}
	if err := client.Flush(ctx); err != nil {
		log.Fatal(err)
	}
	st := client.Stats().Streams["traces:checkout_traces"]
	fmt.Println("sent:", st.Sent, "requests:", st.Requests)
	for _, rec := range dev.RecordsOf("default", "traces", "checkout_traces") {
		fmt.Println(rec["operation_name"], rec["duration"])
	}
	// Output:
	// sent: 1 requests: 1
	// GET /cart 2000
}
