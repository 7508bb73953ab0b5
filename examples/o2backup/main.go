// Command o2backup backs up an OpenObserve stream to a directory of
// compressed NDJSON files, verifies such a backup, and restores it, with a
// progress bar on stderr.
//
//	o2backup backup  -stream orders -from 24h -dir ./orders-backup
//	o2backup backup  -stream orders -dir ./orders-backup      # incremental: from the last backup's end
//	o2backup verify  -dir ./orders-backup
//	o2backup restore -dir ./orders-backup -stream orders_restored
//
// The server and credentials come from -endpoint and -org, or from
// OPENOBSERVE_URL, OPENOBSERVE_ORG, OPENOBSERVE_USER and
// OPENOBSERVE_PASSWORD (or OPENOBSERVE_TOKEN). Times are RFC 3339
// ("2026-11-25T09:00:00Z") or a duration before now ("24h").
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/pipeline"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "o2backup:", err)
		os.Exit(1)
	}
}

const usage = `usage: o2backup backup|verify|restore [flags]; o2backup <command> -h lists a command's flags`

// run runs one command with its arguments; it is main without the exit.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "backup":
		return backup(ctx, args, stdout, stderr)
	case "verify":
		return verify(args, stdout, stderr)
	case "restore":
		return restore(ctx, args, stdout, stderr)
	}
	return fmt.Errorf("unknown command %q; %s", cmd, usage)
}

// server holds the flags that choose the OpenObserve server.
type server struct{ endpoint, org *string }

func serverFlags(fs *flag.FlagSet) server {
	return server{
		endpoint: fs.String("endpoint", "", "OpenObserve URL (default $OPENOBSERVE_URL or http://localhost:5080)"),
		org:      fs.String("org", "", "organization (default $OPENOBSERVE_ORG or default)"),
	}
}

// client builds a client from the flags and the environment; errors go
// to stderr.
func (s server) client(stderr io.Writer, opts ...o2kit.Option) (*o2kit.Client, error) {
	if *s.endpoint != "" {
		opts = append(opts, o2kit.WithEndpoint(*s.endpoint))
	}
	if *s.org != "" {
		opts = append(opts, o2kit.WithOrg(*s.org))
	}
	opts = append(opts, o2kit.WithErrorHandler(o2kit.ErrorHandlerFunc(func(err error) {
		fmt.Fprintln(stderr, "\no2backup:", err)
	})))
	return o2kit.New(opts...)
}

func shutdown(c *o2kit.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = c.Shutdown(ctx)
}

func backup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	srv := serverFlags(fs)
	stream := fs.String("stream", "", "stream to back up (required)")
	typ := fs.String("type", "logs", "stream type: logs, metrics or traces")
	from := fs.String("from", "", "start time, RFC 3339 or a duration before now; required for the first backup of -dir")
	to := fs.String("to", "", "end time (exclusive), RFC 3339 or a duration before now; default now")
	dir := fs.String("dir", "", "backup directory (required)")
	page := fs.Int("page", pipeline.DefaultPageSize, "records per search")
	zstd := fs.Bool("zstd", false, "compress with zstd instead of gzip")
	if err := fs.Parse(args); err != nil {
		return err
	}
	now := time.Now()
	start, err := parseTime(*from, now)
	if err != nil {
		return fmt.Errorf("-from: %w", err)
	}
	end, err := parseTime(*to, now)
	if err != nil {
		return fmt.Errorf("-to: %w", err)
	}
	c, err := srv.client(stderr)
	if err != nil {
		return err
	}
	defer shutdown(c)
	opts := pipeline.BackupOptions{Stream: *stream, Type: *typ, Start: start, End: end, Dir: *dir, PageSize: *page}
	if *zstd {
		opts.Compression = pipeline.Zstd
	}
	bar := newBar(stderr, "backup")
	opts.Progress = bar.update
	m, err := pipeline.Backup(ctx, c, opts)
	bar.done()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %d record(s) of %s from %s to %s into %d file(s), %s; manifest %d of the chain\n",
		m.Records, m.Stream, m.Start.Format(time.RFC3339), m.End.Format(time.RFC3339), len(m.Files), size(m.Bytes), m.Sequence)
	return nil
}

// parseTime reads an RFC 3339 time or a duration before now; "" is zero.
func parseTime(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	return time.Parse(time.RFC3339Nano, s)
}
