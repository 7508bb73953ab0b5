package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"maps"
	"os"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
	"github.com/o2kit/o2kit/pipeline"
)

// A stream backed up to a directory, verified, and restored into another
// stream with its records' ids and times.
func ExampleBackup() {
	pinned := func() time.Time { return time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC) }
	dev := o2server.New(o2server.WithClock(pinned))
	url, err := dev.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer dev.Close()
	user, password := dev.RootUser()
	opts := []o2kit.Option{o2kit.WithEndpoint(url), o2kit.WithBasicAuth(user, password), o2kit.WithClock(pinned)}
	ctx := context.Background()
	client, err := o2kit.New(opts...)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Shutdown(ctx)
	for i, amount := range []int64{4599, 129900, 24900} {
		_ = client.Emit(ctx, o2kit.Record{Stream: "orders", Time: pinned().Add(time.Duration(i-10) * time.Minute),
			Attrs: []slog.Attr{slog.String("order_id", fmt.Sprintf("ord-%d", i+1)), slog.Int64("amount_minor", amount)}})
	}
	if err := client.Flush(ctx); err != nil {
		log.Fatal(err)
	}

	dir, _ := os.MkdirTemp("", "o2backup")
	defer os.RemoveAll(dir)
	m, err := pipeline.Backup(ctx, client, pipeline.BackupOptions{
		Stream: "orders", Start: pinned().Add(-time.Hour), End: pinned(), Dir: dir,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("backed up", m.Records, "records of", m.Stream, "into", m.Files[0].Name)
	rep, err := pipeline.Verify(dir)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("verified", rep.Records, "records")

	// A client without ids of its own, so that records keep theirs.
	restorer, err := o2kit.New(append(opts, o2kit.WithIDField(""))...)
	if err != nil {
		log.Fatal(err)
	}
	defer restorer.Shutdown(ctx)
	rr, err := pipeline.Restore(ctx, restorer, dir, pipeline.RestoreOptions{Stream: "orders-copy"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("restored", rr.Records, "records into", rr.Stream+";", rr.Sent, "stored")

	orig, copied := dev.Records("default", "orders"), dev.Records("default", "orders_copy")
	fmt.Println("same records, ids and times:", len(orig) == len(copied) && maps.Equal(flat(orig[0]), flat(copied[0])))
	delete(copied[0], o2kit.DefaultIDField) // random: left out of the output
	out, _ := json.Marshal(copied[0])
	fmt.Println(string(out))
	// Output:
	// backed up 3 records of orders into 000001-0001.ndjson.gz
	// verified 3 records
	// restored 3 records into orders_copy; 3 stored
	// same records, ids and times: true
	// {"_timestamp":1795598400000000,"amount_minor":4599,"order_id":"ord-1"}
}

// flat renders a stored record's values as text, to compare two records.
func flat(r map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range r {
		out[k] = fmt.Sprint(v)
	}
	return out
}
