package o2kit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
)

// pinned is the clock of the examples, so their output is what the server
// stores, byte for byte.
func pinned() time.Time { return time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC) }

// devServer starts the embedded OpenObserve dev server for an example.
func devServer() (*o2server.Server, []o2kit.Option) {
	dev := o2server.New(o2server.WithClock(pinned))
	url, err := dev.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	user, password := dev.RootUser()
	return dev, []o2kit.Option{o2kit.WithEndpoint(url), o2kit.WithBasicAuth(user, password), o2kit.WithClock(pinned)}
}

func printJSON(v any) {
	out, _ := json.Marshal(v)
	fmt.Println(string(out))
}

// A business event, as it reaches OpenObserve: keys normalised, the group
// flattened, the context's ids added, the time in microseconds.
func Example() {
	dev, opts := devServer()
	defer dev.Close()
	ctx := context.Background()
	client, err := o2kit.New(append(opts, o2kit.WithIDField(""))...) // ids left out to keep the output stable
	if err != nil {
		log.Fatal(err)
	}
	defer client.Shutdown(ctx)

	ctx = o2kit.ContextWithUser(ctx, "u-1001")
	err = client.Emit(ctx, o2kit.Record{
		Stream: client.Streams().BusinessEvents,
		Attrs: o2kit.AppendContextAttrs([]slog.Attr{
			slog.String("event_type", "order_created"),
			slog.String("Order-ID", "ord-0001"),
			slog.Int64("amount_minor", 129900),
			slog.String("currency", "EUR"),
			slog.Group("shipping", slog.String("country", "DE")),
		}, ctx),
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := client.Flush(ctx); err != nil {
		log.Fatal(err)
	}
	printJSON(dev.Records("default", "business_events")[0])
	// Output:
	// {"_timestamp":1795599000000000,"amount_minor":129900,"currency":"EUR","event_type":"order_created","order_id":"ord-0001","shipping_country":"DE","user_id":"u-1001"}
}

// Search reads records back with SQL; SearchAs decodes the hits.
func ExampleSearchAs() {
	dev, opts := devServer()
	defer dev.Close()
	ctx := context.Background()
	client, err := o2kit.New(opts...)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Shutdown(ctx)
	for i, amount := range []int64{4599, 129900, 24900} {
		_ = client.Emit(ctx, o2kit.Record{Stream: "orders", Attrs: []slog.Attr{
			slog.String("order_id", fmt.Sprintf("ord-%d", i+1)), slog.Int64("amount_minor", amount),
		}})
	}
	if err := client.Flush(ctx); err != nil {
		log.Fatal(err)
	}
	type order struct {
		ID     string `json:"order_id"`
		Amount int64  `json:"amount_minor"`
	}
	orders, _, err := o2kit.SearchAs[order](ctx, client, o2kit.SearchRequest{
		SQL:   "SELECT order_id, amount_minor FROM orders WHERE amount_minor > 10000 ORDER BY amount_minor DESC",
		Start: pinned().Add(-time.Hour),
		End:   pinned().Add(time.Second),
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range orders {
		fmt.Println(o.ID, o.Amount)
	}
	// Output:
	// ord-2 129900
	// ord-3 24900
}

// Stats counts every record: here two records in one request.
func ExampleClient_Stats() {
	dev, opts := devServer()
	defer dev.Close()
	ctx := context.Background()
	client, err := o2kit.New(opts...)
	if err != nil {
		log.Fatal(err)
	}
	_ = client.Emit(ctx, o2kit.Record{Stream: "application-logs", Attrs: []slog.Attr{slog.String("message", "started")}})
	_ = client.Emit(ctx, o2kit.Record{Stream: "application-logs", Attrs: []slog.Attr{slog.String("message", "ready")}})
	if err := client.Shutdown(ctx); err != nil {
		log.Fatal(err)
	}
	st := client.Stats()
	fmt.Println(st.StreamNames(), "accepted", st.Accepted, "sent", st.Sent, "requests", st.Requests, "dropped", st.Dropped)
	// Output:
	// [application_logs] accepted 2 sent 2 requests 1 dropped 0
}

// A config file with ${VAR} references, overridden by options.
func ExampleWithConfigFile() {
	_, err := o2kit.New(o2kit.WithConfigFile("testdata/o2kit.yaml"), o2kit.WithBatchSize(0))
	fmt.Println(err)
	// Output:
	// o2kit: invalid batch_size "0": must be at least 1
}

// minimal is a slog handler that ships through the client: the level and
// message first, then the record's attributes, encoded straight from the
// slog.Record.
type minimal struct{ client *o2kit.Client }

func (h minimal) Enabled(context.Context, slog.Level) bool { return true }
func (h minimal) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h minimal) WithGroup(string) slog.Handler            { return h }

func (h minimal) Handle(ctx context.Context, r slog.Record) error {
	head := [...]slog.Attr{slog.String("level", r.Level.String()), slog.String("message", r.Message)}
	return h.client.EmitSlog(ctx, "application-logs", time.Time{}, head[:], nil, &r) // the client's clock
}

// A slog handler of its own: an attribute with an empty key is left out, as
// slog asks, and an error that wraps another is followed by its chain.
func ExampleClient_EmitSlog() {
	dev, opts := devServer()
	defer dev.Close()
	ctx := context.Background()
	client, err := o2kit.New(append(opts, o2kit.WithIDField(""))...)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Shutdown(ctx)

	logger := slog.New(minimal{client})
	logger.Warn("payment retried", "Order-ID", "ord-0001", "", "left out",
		"err", fmt.Errorf("charge: %w", context.DeadlineExceeded))
	if err := client.Flush(ctx); err != nil {
		log.Fatal(err)
	}
	printJSON(dev.Records("default", "application_logs")[0])
	// Output:
	// {"_timestamp":1795599000000000,"err":"charge: context deadline exceeded","err_chain":"context.deadlineExceededError: context deadline exceeded","level":"WARN","message":"payment retried","order_id":"ord-0001"}
}
