package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
	"github.com/o2kit/o2kit/internal/o2test"
	"github.com/o2kit/o2kit/pipeline"
)

// exampleClient starts the dev server and a client of it running
// processors, with the pinned clock and without record ids so the output is
// what the server stores, byte for byte; stop ends both.
func exampleClient(processors ...o2kit.Processor) (client *o2kit.Client, dev *o2server.Server, stop func()) {
	dev, client = o2test.Example(o2kit.WithProcessors(processors...))
	return client, dev, func() {
		_ = client.Shutdown(context.Background())
		_ = dev.Close()
	}
}

func printRecords(dev *o2server.Server, stream string) {
	for _, r := range dev.Records("default", stream) {
		out, _ := json.Marshal(r)
		fmt.Println(string(out))
	}
}

// Personal data is masked on the caller's goroutine, before the record is
// encoded, and the service's name is added.
func Example() {
	client, dev, stop := exampleClient(pipeline.MaskPII(), pipeline.Enrich(pipeline.Service("checkout")))
	defer stop()
	ctx := context.Background()
	_ = client.Emit(ctx, o2kit.Record{Stream: "application-logs", Attrs: []slog.Attr{
		slog.String("message", "password reset for jane.doe@example.com from 203.0.113.7"),
		slog.String("phone", "+86 138 1234 5678"),
		slog.String("password", "hunter2"),
		slog.String("order_id", "ORD-13812345678"), // looks like a mobile, but is an identifier
	}})
	if err := client.Flush(ctx); err != nil {
		log.Fatal(err)
	}
	printRecords(dev, "application_logs")
	// Output:
	// {"_timestamp":1795599000000000,"message":"password reset for [email] from [ip]","order_id":"ORD-13812345678","password":"[secret]","phone":"[phone]","service":"checkout"}
}

// The three strategies on the same text. Hashes are keyed, so they join
// across records without revealing the value.
func ExampleMaskPII() {
	text := "card 4111 1111 1111 1111, mobile 13812345678, id 11010519491231002X"
	fmt.Println(pipeline.MaskPII().MaskString(text))
	fmt.Println(pipeline.MaskPII(pipeline.WithStrategy(pipeline.Partial())).MaskString(text))
	fmt.Println(pipeline.MaskPII(pipeline.WithStrategy(pipeline.Hash([]byte("secret key")))).MaskString("jane@example.com"))
	// Near misses pass untouched: a failed Luhn check, a wrong ID check digit.
	fmt.Println(pipeline.MaskPII().MaskString("ref 4111 1111 1111 1112, id 110105194912310021"))
	// Output:
	// card [bank_card], mobile [phone], id [cn_id]
	// card **** **** **** 1111, mobile 138****5678, id 110***********002X
	// email:86a34e419f114244
	// ref 4111 1111 1111 1112, id 110105194912310021
}

// A record that breaks its stream's contract goes to the dead-letter
// stream with the reason; the contract's counters are in Stats.
func ExampleNewContract() {
	orders, err := pipeline.NewContract("orders-v1", "orders", []pipeline.Rule{
		pipeline.Require("order_id").Type(pipeline.TypeString).Len(1, 32),
		pipeline.Require("amount_minor").Type(pipeline.TypeInt).Between(1, 10_000_000),
		pipeline.Optional("currency").OneOf("EUR", "USD", "CNY"),
	})
	if err != nil {
		log.Fatal(err)
	}
	client, dev, stop := exampleClient(orders)
	defer stop()
	ctx := context.Background()
	_ = client.Emit(ctx, o2kit.Record{Stream: "orders", Attrs: []slog.Attr{
		slog.String("order_id", "ord-1"), slog.Int64("amount_minor", 4599), slog.String("currency", "EUR"),
	}})
	_ = client.Emit(ctx, o2kit.Record{Stream: "orders", Attrs: []slog.Attr{
		slog.Int64("amount_minor", 0), slog.String("currency", "GBP"),
	}})
	if err := client.Flush(ctx); err != nil {
		log.Fatal(err)
	}
	printRecords(dev, "orders")
	printRecords(dev, "dead_letter")
	fmt.Println(client.Stats().Processors["contract:orders-v1:failed"])
	// Output:
	// {"_timestamp":1795599000000000,"amount_minor":4599,"currency":"EUR","order_id":"ord-1"}
	// {"_timestamp":1795599000000000,"amount_minor":0,"currency":"GBP","dead_letter_contract":"orders-v1","dead_letter_reason":"missing:order_id; range:amount_minor; enum:currency","dead_letter_stream":"orders"}
	// 1
}

// A lookup adds a user's tier by user_id, asking the function once per
// user while the answer is cached.
func ExampleLookup() {
	calls := 0
	tiers, err := pipeline.Lookup(o2kit.FieldUserID, func(_ context.Context, id string) ([]slog.Attr, error) {
		calls++
		return []slog.Attr{slog.String("tier", map[string]string{"u-1": "gold"}[id])}, nil
	}, pipeline.WithCache(1000, time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	client, dev, stop := exampleClient(tiers)
	defer stop()
	ctx := o2kit.ContextWithUser(context.Background(), "u-1")
	for _, event := range []string{"cart_viewed", "checkout_started"} {
		_ = client.Emit(ctx, o2kit.Record{Stream: "user-behavior",
			Attrs: o2kit.AppendContextAttrs([]slog.Attr{slog.String("event", event)}, ctx)})
	}
	if err := client.Flush(ctx); err != nil {
		log.Fatal(err)
	}
	printRecords(dev, "user_behavior")
	fmt.Println("lookups:", calls)
	// Output:
	// {"_timestamp":1795599000000000,"event":"cart_viewed","tier":"gold","user_id":"u-1"}
	// {"_timestamp":1795599000000000,"event":"checkout_started","tier":"gold","user_id":"u-1"}
	// lookups: 1
}

// Transforms rename, drop and set fields, here only on one stream.
func ExampleForStreams() {
	legacy := pipeline.Chain{
		pipeline.Rename("uid", o2kit.FieldUserID),
		pipeline.Drop("debug"),
		pipeline.Set(slog.String("schema", "v2")),
	}
	client, dev, stop := exampleClient(pipeline.ForStreams(legacy, "legacy-events"))
	defer stop()
	ctx := context.Background()
	for _, stream := range []string{"legacy-events", "business-events"} {
		_ = client.Emit(ctx, o2kit.Record{Stream: stream, Attrs: []slog.Attr{
			slog.String("uid", "u-7"), slog.Bool("debug", true),
		}})
	}
	if err := client.Flush(ctx); err != nil {
		log.Fatal(err)
	}
	printRecords(dev, "legacy_events")
	printRecords(dev, "business_events")
	// Output:
	// {"_timestamp":1795599000000000,"schema":"v2","user_id":"u-7"}
	// {"_timestamp":1795599000000000,"debug":true,"uid":"u-7"}
}

// Volume control: debug records sampled at 10%, errors always kept,
// repeats within a minute dropped. Dropped records count as Filtered.
func ExampleSample() {
	sampler, _ := pipeline.Sample(1, pipeline.WithLevelRate(slog.LevelDebug, 0.1),
		pipeline.WithRandom(func() float64 { return 0.5 })) // a fixed draw, for a stable output
	dedupe, _ := pipeline.Dedupe(time.Minute, pipeline.WithKeyFields("message"), pipeline.WithClock(o2test.Pinned))
	client, _, stop := exampleClient(sampler, dedupe)
	defer stop()
	ctx := context.Background()
	for _, r := range [][2]string{{"DEBUG", "cache miss"}, {"ERROR", "db down"}, {"ERROR", "db down"}, {"INFO", "started"}} {
		_ = client.Emit(ctx, o2kit.Record{Stream: "application-logs", Attrs: []slog.Attr{
			slog.String("level", r[0]), slog.String("message", r[1]),
		}})
	}
	if err := client.Flush(ctx); err != nil {
		log.Fatal(err)
	}
	stats := client.Stats()
	fmt.Println("sent:", stats.Sent, "filtered:", stats.Filtered)
	fmt.Println("sampled out:", stats.Processors["sample:dropped"], "repeats:", stats.Processors["dedupe:dropped"])
	// Output:
	// sent: 2 filtered: 2
	// sampled out: 1 repeats: 1
}

// The default chain masks personal data and adds the host and service
// fields (the host name differs by machine, so only the keys are shown).
func ExampleDefault() {
	client, dev, stop := exampleClient(pipeline.Default("checkout"))
	defer stop()
	ctx := context.Background()
	_ = client.Emit(ctx, o2kit.Record{Stream: "application-logs", Attrs: []slog.Attr{
		slog.String("message", "login from 203.0.113.7 by +44 20 7946 0958"),
	}})
	if err := client.Flush(ctx); err != nil {
		log.Fatal(err)
	}
	r := dev.Records("default", "application_logs")[0]
	fmt.Println(slices.Sorted(maps.Keys(r)))
	fmt.Println(r["message"], r["service"])
	// Output:
	// [_timestamp host message service]
	// login from [ip] by [phone] checkout
}
