// Command quickstart is the smallest service wired to OpenObserve with o2kit:
// it writes a few e-commerce records, flushes them, searches them back and
// prints where they went and what the client counted.
//
// With OPENOBSERVE_URL set (and OPENOBSERVE_USER / OPENOBSERVE_TOKEN), it
// writes to that server; otherwise it starts the embedded OpenObserve dev
// server on a local port and writes there.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer) error {
	var opts []o2kit.Option
	where := os.Getenv(o2kit.EnvURL)
	if where == "" {
		dev := o2server.New()
		url, err := dev.Start("127.0.0.1:0")
		if err != nil {
			return err
		}
		defer dev.Close()
		user, password := dev.RootUser()
		opts = append(opts, o2kit.WithEndpoint(url), o2kit.WithBasicAuth(user, password))
		where = url + " (the embedded OpenObserve dev server)"
	}

	client, err := o2kit.New(opts...)
	if err != nil {
		return err
	}
	defer client.Shutdown(ctx)

	// Who the records are about travels in the context.
	ctx = o2kit.ContextWithUser(ctx, "u-1001")
	ctx = o2kit.ContextWithRequest(ctx, "req-7f3a")
	start := time.Now().Add(-time.Minute)

	stream := client.Streams().BusinessEvents
	for i, amount := range []int64{129900, 4599, 24900} {
		attrs := o2kit.AppendContextAttrs([]slog.Attr{
			slog.String("event_type", "order_created"),
			slog.String("order_id", fmt.Sprintf("ord-%04d", i+1)),
			slog.Int64("amount_minor", amount),
			slog.String("currency", "EUR"),
			slog.Group("shipping", slog.String("country", "DE"), slog.String("method", "express")),
		}, ctx)
		if err := client.Emit(ctx, o2kit.Record{Stream: stream, Attrs: attrs}); err != nil {
			return err
		}
	}
	if err := client.Emit(ctx, o2kit.Record{Stream: client.Streams().ApplicationLogs, Attrs: []slog.Attr{
		slog.String("level", "INFO"), slog.String("service", "checkout"), slog.String("message", "checkout service started"),
	}}); err != nil {
		return err
	}
	if err := client.Flush(ctx); err != nil {
		return err
	}

	table := o2kit.StreamName(stream)
	resp, err := client.Search(ctx, o2kit.SearchRequest{
		SQL:   "SELECT order_id, amount_minor, shipping_country FROM " + table + " ORDER BY order_id",
		Start: start,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "records went to %s, org %q\n", where, client.Org())
	fmt.Fprintf(out, "search of %s found %d order(s):\n", table, resp.Total)
	for _, hit := range resp.Hits {
		fmt.Fprintf(out, "  %s\n", hit)
	}
	st := client.Stats()
	fmt.Fprintf(out, "sent %d record(s) in %d request(s): %d bytes of JSON, %d on the wire; dropped %d, failed %d\n",
		st.Sent, st.Requests, st.BytesIn, st.BytesOut, st.Dropped, st.Failed+st.PartialFailures)
	for _, name := range st.StreamNames() {
		fmt.Fprintf(out, "  stream %-18s %d record(s)\n", name, st.Streams[name].Sent)
	}
	return nil
}
