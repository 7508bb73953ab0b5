package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/pipeline"
)

func verify(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "backup directory (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("verify: -dir is required")
	}
	rep, err := pipeline.Verify(*dir)
	if rep != nil {
		for _, f := range rep.Files {
			if f.Err != nil {
				fmt.Fprintln(stdout, "BAD", f.Err)
			}
		}
	}
	if err != nil {
		return errors.New("verify: the backup is damaged")
	}
	fmt.Fprintf(stdout, "ok: %d record(s) in %d file(s) of %d backup(s), %s\n",
		rep.Records, len(rep.Files), len(rep.Manifests), size(rep.Bytes))
	return nil
}

func restore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	srv := serverFlags(fs)
	dir := fs.String("dir", "", "backup directory (required)")
	stream := fs.String("stream", "", "stream to restore into (default: the stream backed up)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("restore: -dir is required")
	}
	// No ids of the client's own, so that records keep those in the
	// backup; big batches for throughput.
	c, err := srv.client(stderr, o2kit.WithIDField(""), o2kit.WithBatchSize(2000), o2kit.WithBatchBytes(4<<20))
	if err != nil {
		return err
	}
	defer shutdown(c)
	bar := newBar(stderr, "restore")
	rep, err := pipeline.Restore(ctx, c, *dir, pipeline.RestoreOptions{Stream: *stream, Progress: bar.update})
	bar.done()
	if rep != nil {
		fmt.Fprintf(stdout, "restored %d record(s) into %s: %d stored, %d failed\n", rep.Records, rep.Stream, rep.Sent, rep.Failed)
		if rep.Refused > 0 {
			fmt.Fprintf(stdout, "%d record(s) refused by the client, the first %s\n", rep.Refused, rep.FirstRefused)
		}
	}
	return err
}
