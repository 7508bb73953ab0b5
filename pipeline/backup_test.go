package pipeline

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
)

// An incremental backup starts where the last one ended, links to it by
// checksum, and a restore of the directory replays the whole chain.
func TestIncrementalBackup(t *testing.T) {
	env := newBackupEnv(t)
	src := env.client(t)
	ctx := context.Background()
	dir := t.TempDir()
	first := backupEpoch.Add(-3 * time.Hour)
	seed(t, src, "orders", 300, 2, first)
	mid := backupEpoch.Add(-2 * time.Hour)
	m1, err := Backup(ctx, src, BackupOptions{Stream: "orders", Start: first, End: mid, Dir: dir, PageSize: 64})
	require.NoError(t, err)
	assert.Equal(t, 1, m1.Sequence)
	assert.Nil(t, m1.Previous)

	seed(t, src, "orders", 200, 3, mid)
	m2, err := Backup(ctx, src, BackupOptions{Stream: "orders", End: backupEpoch, Dir: dir, PageSize: 64})
	require.NoError(t, err)
	assert.Equal(t, 2, m2.Sequence)
	assert.True(t, m2.Start.Equal(mid))
	require.NotNil(t, m2.Previous)
	assert.Equal(t, "manifest-000001.json", m2.Previous.Name)
	assert.Equal(t, int64(300), m1.Records)
	assert.Equal(t, int64(200), m2.Records)

	_, err = Backup(ctx, src, BackupOptions{Stream: "orders", Start: first, End: backupEpoch, Dir: dir})
	assert.ErrorContains(t, err, "starts where the last ended")
	_, err = Backup(ctx, src, BackupOptions{Stream: "payments", End: backupEpoch, Dir: dir})
	assert.ErrorContains(t, err, "holds backups of default/logs/orders")
	_, err = Backup(ctx, src, BackupOptions{Stream: "orders", End: backupEpoch, Dir: dir})
	assert.ErrorContains(t, err, "is not before end")

	chain, err := ReadManifests(dir)
	require.NoError(t, err)
	require.Len(t, chain, 2)
	rep, err := Verify(dir)
	require.NoError(t, err)
	assert.Equal(t, int64(500), rep.Records)

	rr, err := Restore(ctx, env.client(t, o2kit.WithIDField("")), dir, RestoreOptions{Stream: "copy"})
	require.NoError(t, err)
	assert.Equal(t, int64(500), rr.Sent)
	assert.Equal(t, byID(t, env.srv.Records("default", "orders")), byID(t, env.srv.Records("default", "copy")))
}

// A stream's max_query_range makes the server shorten the range it
// searches; the backup notices and reads in windows that short.
func TestBackupReadsInWindowsOfMaxQueryRange(t *testing.T) {
	env := newBackupEnv(t)
	src := env.client(t)
	ctx := context.Background()
	start := backupEpoch.Add(-4 * time.Hour)
	for h := range 4 {
		seed(t, src, "orders", 50, 1, start.Add(time.Duration(h)*time.Hour+time.Minute))
	}
	user, pass := env.srv.RootUser()
	req, err := http.NewRequest(http.MethodPut, env.url+"/api/default/streams/orders/settings?type=logs", strings.NewReader(`{"max_query_range":1}`))
	require.NoError(t, err)
	req.SetBasicAuth(user, pass)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	m, err := Backup(ctx, src, BackupOptions{Stream: "orders", Start: start, End: backupEpoch, Dir: t.TempDir(), PageSize: 30})
	require.NoError(t, err)
	assert.Equal(t, int64(200), m.Records)
}

// A stream without ids is paged by _timestamp alone, and pages that end
// inside a run of equal timestamps still neither lose nor repeat records.
func TestBackupWithoutIDs(t *testing.T) {
	env := newBackupEnv(t)
	src := env.client(t, o2kit.WithIDField(""))
	ctx := context.Background()
	start := backupEpoch.Add(-time.Hour)
	seed(t, src, "orders", 1000, 25, start)
	dir := t.TempDir()
	m, err := Backup(ctx, src, BackupOptions{Stream: "orders", Start: start, End: backupEpoch, Dir: dir, PageSize: 60, Compression: Zstd})
	require.NoError(t, err)
	assert.Equal(t, "", m.IDField)
	assert.Equal(t, int64(1000), m.Records)
	assert.True(t, strings.HasSuffix(m.Files[0].Name, ".ndjson.zst"))

	seqs := map[float64]bool{}
	_, err = Verify(dir)
	require.NoError(t, err)
	_, err = readData(dir, m, m.Files[0], true, func(r record) error {
		for _, a := range r.attrs {
			if a.Key == "seq" {
				assert.False(t, seqs[float64(a.Value.Int64())], "seq %d twice", a.Value.Int64())
				seqs[float64(a.Value.Int64())] = true
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Len(t, seqs, 1000)
}

// A failed backup leaves neither data files nor a manifest behind.
func TestBackupOfAMissingStream(t *testing.T) {
	env := newBackupEnv(t)
	src := env.client(t)
	dir := t.TempDir()
	_, err := Backup(context.Background(), src, BackupOptions{Stream: "nothing", Start: backupEpoch.Add(-time.Hour), End: backupEpoch, Dir: dir})
	require.ErrorIs(t, err, o2kit.ErrStreamNotFound)
	assertEmptyDir(t, dir)
}

func TestBackupOptionErrors(t *testing.T) {
	env := newBackupEnv(t)
	src := env.client(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "b")
	for name, o := range map[string]BackupOptions{
		"no stream":       {Dir: dir, Start: backupEpoch},
		"no dir":          {Stream: "orders", Start: backupEpoch},
		"bad type":        {Stream: "orders", Dir: dir, Type: "rum", Start: backupEpoch},
		"bad compression": {Stream: "orders", Dir: dir, Compression: "lz4", Start: backupEpoch},
		"negative page":   {Stream: "orders", Dir: dir, PageSize: -1, Start: backupEpoch},
		"no start":        {Stream: "orders", Dir: dir, End: backupEpoch},
		"start after end": {Stream: "orders", Dir: dir, Start: backupEpoch, End: backupEpoch.Add(-time.Hour)},
	} {
		_, err := Backup(ctx, src, o)
		assert.Error(t, err, name)
	}
}

// A backup that fails half way removes the files it wrote and writes no
// manifest, so the directory stays as it was.
func TestBackupFailingHalfWayLeavesNothing(t *testing.T) {
	env := newBackupEnv(t)
	src := env.client(t, o2kit.WithMaxRetries(0))
	start := backupEpoch.Add(-time.Hour)
	seed(t, src, "orders", 500, 1, start)
	var searches atomic.Int32
	env.srv.SetFaultFunc(func(r *http.Request) (o2server.Fault, bool) {
		if strings.HasSuffix(r.URL.Path, "/_search") && searches.Add(1) == 5 {
			return o2server.Fault{Status: http.StatusBadRequest, Body: `{"code":400,"message":"Error# no"}`}, true
		}
		return o2server.Fault{}, false
	})
	dir := t.TempDir()
	var progress []Progress
	_, err := Backup(context.Background(), src, BackupOptions{
		Stream: "orders", Start: start, End: backupEpoch, Dir: dir, PageSize: 50, FileRecords: 100,
		Progress: func(p Progress) { progress = append(progress, p) },
	})
	require.ErrorContains(t, err, "after ")
	require.Len(t, progress, 3)
	assert.Equal(t, Progress{File: "000001-0002.ndjson.gz", Records: 150, Total: 500, Bytes: progress[2].Bytes}, progress[2])
	assertEmptyDir(t, dir)
}

// Metrics streams can be backed up (their samples carry no ids, so pages
// follow the timestamp alone), but not restored through Emit.
func TestBackupOfMetrics(t *testing.T) {
	env := newBackupEnv(t)
	src := env.client(t)
	ctx := context.Background()
	start := backupEpoch.Add(-time.Hour)
	for i := range 40 {
		require.NoError(t, src.EmitAs(ctx, o2kit.Metrics, o2kit.Record{
			Stream: "cpu_usage", Time: start.Add(time.Duration(i) * time.Second),
			Attrs: []slog.Attr{slog.String("__name__", "cpu_usage"), slog.String("__type__", "gauge"), slog.String("host", "web-1"), slog.Float64("value", float64(i))},
		}))
	}
	flushClient(t, src)
	dir := t.TempDir()
	m, err := Backup(ctx, src, BackupOptions{Stream: "cpu_usage", Type: "metrics", Start: start, End: backupEpoch, Dir: dir, PageSize: 15})
	require.NoError(t, err)
	assert.Equal(t, int64(40), m.Records)
	assert.Equal(t, "", m.IDField)
	_, err = Verify(dir)
	require.NoError(t, err)
	_, err = Restore(ctx, src, dir, RestoreOptions{})
	assert.ErrorContains(t, err, "only logs streams can be restored, cpu_usage is metrics")
}

// Records that arrive during a backup, even at the very microsecond the
// backup is paging through, shift no page: every record there at the
// start is read once, none twice.
func TestBackupWhileRecordsArrive(t *testing.T) {
	env := newBackupEnv(t)
	src := env.client(t)
	at := backupEpoch.Add(-time.Hour)
	seed(t, src, "orders", 100, 100, at)
	before := byID(t, env.srv.Records("default", "orders"))
	late := env.client(t)
	dir := t.TempDir()
	pages := 0
	m, err := Backup(context.Background(), src, BackupOptions{
		Stream: "orders", Start: at, End: at.Add(time.Microsecond), Dir: dir, PageSize: 30,
		Progress: func(Progress) {
			if pages++; pages <= 2 {
				seed(t, late, "orders", 20, 20, at)
			}
		},
	})
	require.NoError(t, err)
	seen := map[string]bool{}
	_, err = readData(dir, m, m.Files[0], true, func(r record) error {
		for _, a := range r.attrs {
			if a.Key == o2kit.DefaultIDField {
				assert.False(t, seen[a.Value.String()], "read twice: %s", a.Value)
				seen[a.Value.String()] = true
			}
		}
		return nil
	})
	require.NoError(t, err)
	for id := range before {
		assert.True(t, seen[id], "missed %s", id)
	}
	assert.EqualValues(t, len(seen), m.Records)
	t.Logf("%d of the 40 late records made it into the backup", len(seen)-100)
}

// assertEmptyDir checks that a failed backup left nothing in dir.
func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
}
