package logging_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
	"github.com/o2kit/o2kit/internal/o2test"
	"github.com/o2kit/o2kit/logging"
)

// pinned is the clock of the examples, so their output is what the server
// stores, byte for byte.
var pinned = o2test.Pinned

// devClient starts the embedded dev server and a client of it with the
// pinned clock and no record ids, to keep the output stable.
func devClient() (*o2server.Server, *o2kit.Client) { return o2test.Example() }

func printJSON(v any) {
	out, _ := json.Marshal(v)
	fmt.Println(string(out))
}

// A log line as OpenObserve stores it: the schema's fields, the context's
// ids, the group flattened.
func Example() {
	dev, client := devClient()
	defer dev.Close()
	ctx := context.Background()
	defer client.Shutdown(ctx)

	logger := logging.New(client, logging.WithService("checkout"), logging.WithClock(pinned))
	ctx = o2kit.ContextWithUser(ctx, "u-1001")
	logger.WithGroup("order").InfoContext(ctx, "order placed", "id", "ord-1", "amount_minor", 129900, "currency", "EUR")

	if err := client.Flush(ctx); err != nil {
		log.Fatal(err)
	}
	printJSON(dev.Records("default", "application_logs")[0])
	// Output:
	// {"_timestamp":1795599000000000,"level":"INFO","message":"order placed","order_amount_minor":129900,"order_currency":"EUR","order_id":"ord-1","service":"checkout","user_id":"u-1001"}
}

// A business event: a paid order, its amount in cents.
func ExampleBusiness_Order() {
	dev, client := devClient()
	defer dev.Close()
	ctx := context.Background()
	defer client.Shutdown(ctx)

	biz := logging.NewBusiness(client, logging.WithService("checkout"), logging.WithClock(pinned))
	err := biz.Order(ctx, logging.OrderEvent{Type: logging.OrderPaid, OrderID: "ord-1", UserID: "u-1001", Amount: logging.EUR(129900)})
	if err != nil {
		log.Fatal(err)
	}
	err = biz.Order(ctx, logging.OrderEvent{Type: logging.OrderPaid, Amount: logging.EUR(100)})
	fmt.Println(err)

	if err := client.Flush(ctx); err != nil {
		log.Fatal(err)
	}
	printJSON(dev.Records("default", "business_events")[0])
	// Output:
	// logging: order_paid: order_id is required
	// {"_timestamp":1795599000000000,"amount_minor":129900,"currency":"EUR","event_type":"order_paid","order_id":"ord-1","service":"checkout","user_id":"u-1001"}
}

// The middleware logs each request with its route and request id, and
// puts the id in the context for the handler's own log lines.
func ExampleMiddleware() {
	dev, client := devClient()
	defer dev.Close()
	ctx := context.Background()
	defer client.Shutdown(ctx)

	logger := logging.New(client, logging.WithService("shop"), logging.WithClock(pinned))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /products/{sku}", func(w http.ResponseWriter, r *http.Request) {
		logger.InfoContext(r.Context(), "product viewed", "sku", r.PathValue("sku"))
		fmt.Fprintln(w, "a red shoe")
	})
	srv := httptest.NewServer(logging.Middleware(logger)(mux))
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL+"/products/SKU-RED-42", nil)
	req.Header.Set(logging.RequestIDHeader, "req-42")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()

	if err := client.Flush(ctx); err != nil {
		log.Fatal(err)
	}
	for _, r := range dev.Records("default", "application_logs") {
		delete(r, "latency_ms") // varies from run to run
		printJSON(r)
	}
	// Output:
	// {"_timestamp":1795599000000000,"level":"INFO","message":"product viewed","request_id":"req-42","service":"shop","sku":"SKU-RED-42"}
	// {"_timestamp":1795599000000000,"bytes":11,"level":"INFO","message":"http request","method":"GET","path":"/products/SKU-RED-42","request_id":"req-42","route":"GET /products/{sku}","service":"shop","status":200}
}

// Search reads log lines back, newest first; values are quoted safely.
func ExampleSearch() {
	dev, client := devClient()
	defer dev.Close()
	ctx := context.Background()
	defer client.Shutdown(ctx)

	logger := logging.New(client, logging.WithService("checkout"), logging.WithClock(pinned))
	logger.Info("order placed", "order_id", "ord-1")
	logger.Error("card declined", "order_id", "o'brien's order")
	if err := client.Flush(ctx); err != nil {
		log.Fatal(err)
	}

	entries, err := logging.Search(ctx, client, logging.Query{
		Level: "error", Text: "DECLINED", Service: "checkout",
		Start: pinned().Add(-time.Hour), End: pinned().Add(time.Minute),
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		fmt.Println(e.Time.Format(time.RFC3339), e.Level, e.Message, e.Fields["order_id"])
	}
	// Output:
	// 2026-11-25T09:30:00Z ERROR card declined o'brien's order
}

// NewAPI takes log entries from front-ends: a batch with a bad entry is
// refused whole, naming the entry and field, so nothing is half-written.
func ExampleNewAPI() {
	dev, client := devClient()
	defer dev.Close()
	ctx := context.Background()
	defer client.Shutdown(ctx)

	api := logging.NewAPI(client, logging.WithDefaultService("web"))
	post := func(body string) {
		w := httptest.NewRecorder()
		api.ServeHTTP(w, httptest.NewRequest("POST", "/api/logs", strings.NewReader(body)))
		fmt.Print(w.Code, " ", w.Body.String())
	}
	post(`[{"message": "checkout opened", "timestamp": "2026-11-25T09:30:00Z"}, {"message": "oops", "level": "fatal"}]`)
	post(`[{"message": "checkout opened", "timestamp": "2026-11-25T09:30:00Z", "attributes": {"cart": {"items": 2}}}]`)

	if err := client.Flush(ctx); err != nil {
		log.Fatal(err)
	}
	printJSON(dev.Records("default", "application_logs"))
	// Output:
	// 400 {"error":"logging: entries[1]: level must be one of debug, info, warn, error","field":"level","entries":[{"event":"entries[1]","field":"level","reason":"must be one of debug, info, warn, error"}]}
	// 202 {"accepted":1}
	// [{"_timestamp":1795599000000000,"cart_items":2,"level":"INFO","message":"checkout opened","service":"web"}]
}

// An audit record: who did what to which resource, from where, with the
// secrets among its attributes redacted. Provision gives the audit stream
// its 365-day retention.
func ExampleAudit() {
	dev, client := devClient()
	defer dev.Close()
	ctx := context.Background()
	defer client.Shutdown(ctx)
	if err := client.Provision(ctx); err != nil {
		log.Fatal(err)
	}

	audit := logging.NewAudit(client, logging.WithService("admin"), logging.WithClock(pinned))
	err := audit.Log(ctx, logging.AuditEvent{
		Actor: "admin-3", Action: "user.password.reset", Resource: "user/u-1001",
		Outcome: logging.OutcomeSuccess, IP: "203.0.113.9",
		Attrs: []slog.Attr{slog.Group("new", slog.String("password", "hunter2")), slog.String("ticket", "SUP-12")},
	})
	if err != nil {
		log.Fatal(err)
	}

	if err := client.Flush(ctx); err != nil {
		log.Fatal(err)
	}
	printJSON(dev.Records("default", "audit")[0])
	// Output:
	// {"_timestamp":1795599000000000,"action":"user.password.reset","actor":"admin-3","event_type":"audit","ip":"203.0.113.9","new_password":"[REDACTED]","outcome":"success","resource":"user/u-1001","service":"admin","ticket":"SUP-12"}
}

// With a console or other handlers the handler runs one goroutine, which
// its owner stops with Close before shutting the client down.
func ExampleNewHandler() {
	dev, client := devClient()
	defer dev.Close()
	ctx := context.Background()
	defer client.Shutdown(ctx) // runs last

	noTime := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	h := logging.NewHandler(client, logging.WithService("checkout"), logging.WithClock(pinned),
		logging.WithHandlers(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: noTime})))
	logger := slog.New(h)
	logger.Info("order placed", "order_id", "ord-1")

	if err := h.Close(ctx); err != nil { // writes the queued lines, stops the goroutine
		log.Fatal(err)
	}
	if err := client.Flush(ctx); err != nil {
		log.Fatal(err)
	}
	printJSON(dev.Records("default", "application_logs")[0])
	// Output:
	// level=INFO msg="order placed" order_id=ord-1
	// {"_timestamp":1795599000000000,"level":"INFO","message":"order placed","order_id":"ord-1","service":"checkout"}
}
