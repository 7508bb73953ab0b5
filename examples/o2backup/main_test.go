package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// devServer starts the dev server on a local port, points the
// environment at it, and writes n records into "orders".
func devServer(t *testing.T, n int) *o2server.Server {
	t.Helper()
	dev := o2server.New()
	url, err := dev.Start("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { dev.Close() })
	user, password := dev.RootUser()
	t.Setenv(o2kit.EnvURL, url)
	t.Setenv(o2kit.EnvOrg, "")
	t.Setenv(o2kit.EnvUser, user)
	t.Setenv(o2kit.EnvPassword, password)
	t.Setenv(o2kit.EnvToken, "")
	c, err := o2kit.New(o2kit.WithBatchSize(1000))
	require.NoError(t, err)
	ctx := context.Background()
	for i := range n {
		require.NoError(t, c.Emit(ctx, o2kit.Record{Stream: "orders", Time: time.Now().Add(-10 * time.Minute),
			Attrs: []slog.Attr{slog.String("order_id", fmt.Sprintf("ord-%d", i))}}))
	}
	require.NoError(t, c.Shutdown(ctx))
	return dev
}

func runCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errs bytes.Buffer
	err := run(context.Background(), args, &out, &errs)
	return out.String(), errs.String(), err
}

// Backup, verify and restore from the command line, against the dev
// server, with the progress bar on stderr.
func TestBackupVerifyRestore(t *testing.T) {
	dev := devServer(t, 2500)
	dir := filepath.Join(t.TempDir(), "orders")

	out, errs, err := runCmd(t, "backup", "-stream", "orders", "-from", "1h", "-dir", dir, "-page", "1000", "-zstd")
	require.NoError(t, err, errs)
	assert.Contains(t, out, "backed up 2500 record(s) of orders from ")
	assert.Contains(t, out, "into 1 file(s)")
	assert.Contains(t, errs, "backup   [##############################] 100%  2500/2500 record(s)")

	out, errs, err = runCmd(t, "verify", "-dir", dir)
	require.NoError(t, err, errs)
	assert.Contains(t, out, "ok: 2500 record(s) in 1 file(s) of 1 backup(s)")

	out, errs, err = runCmd(t, "restore", "-dir", dir, "-stream", "orders-copy")
	require.NoError(t, err, errs)
	assert.Equal(t, "restored 2500 record(s) into orders_copy: 2500 stored, 0 failed\n", out)
	assert.Contains(t, errs, "restore  [##############################] 100%  2500/2500 record(s)")
	orig := ids(dev, "orders")
	require.Len(t, orig, 2500)
	require.NotContains(t, orig, nil)
	assert.ElementsMatch(t, orig, ids(dev, "orders_copy"), "every record once, under its own id")

	out, _, err = runCmd(t, "backup", "-stream", "orders", "-dir", dir)
	require.NoError(t, err)
	assert.Contains(t, out, "backed up 0 record(s)")
	assert.Contains(t, out, "manifest 2 of the chain")
}

func TestVerifyReportsDamage(t *testing.T) {
	devServer(t, 10)
	dir := t.TempDir()
	_, errs, err := runCmd(t, "backup", "-stream", "orders", "-from", "1h", "-dir", dir)
	require.NoError(t, err, errs)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "000001-0001.ndjson.gz"), []byte("junk"), 0o644))
	out, _, err := runCmd(t, "verify", "-dir", dir)
	assert.EqualError(t, err, "verify: the backup is damaged")
	assert.Contains(t, out, "BAD pipeline: "+filepath.Join(dir, "000001-0001.ndjson.gz"))
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"copy"},
		{"verify"},
		{"restore"},
		{"backup", "-nope"},
		{"backup", "-stream", "orders", "-dir", "x", "-from", "yesterday"},
		{"backup", "-stream", "orders", "-dir", "x", "-to", "tomorrow"},
	} {
		_, _, err := runCmd(t, args...)
		assert.Error(t, err, "%q", args)
	}
}

// ids returns the record ids the dev server stored in stream.
func ids(dev *o2server.Server, stream string) []any {
	var out []any
	for _, r := range dev.Records("default", stream) {
		out = append(out, r[o2kit.DefaultIDField])
	}
	return out
}
