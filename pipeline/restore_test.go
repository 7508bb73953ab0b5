package pipeline

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
)

// backedUp seeds n records into "orders" an hour before the epoch and
// backs them up into a new directory.
func backedUp(t *testing.T, env *backupEnv, n int) (string, *Manifest) {
	t.Helper()
	src := env.client(t)
	start := backupEpoch.Add(-time.Hour)
	seed(t, src, "orders", n, 1, start)
	dir := t.TempDir()
	m, err := Backup(context.Background(), src, BackupOptions{Stream: "orders", Start: start, End: backupEpoch, Dir: dir})
	require.NoError(t, err)
	return dir, m
}

// Records older than the ingest window are re-stamped by the client to
// the time of sending, with their own time kept in original_timestamp.
func TestRestoreOfOldRecordsKeepsTheirTime(t *testing.T) {
	env := newBackupEnv(t)
	dir, _ := backedUp(t, env, 100)
	later := backupEpoch.Add(10 * time.Hour)
	env.clock.set(later)

	rr, err := Restore(context.Background(), env.client(t, o2kit.WithIDField("")), dir, RestoreOptions{Stream: "copy"})
	require.NoError(t, err)
	assert.Equal(t, int64(100), rr.Sent)
	orig := byID(t, env.srv.Records("default", "orders"))
	back := byID(t, env.srv.Records("default", "copy"))
	require.Len(t, back, 100)
	for id, r := range back {
		assert.EqualValues(t, later.UnixMicro(), r["_timestamp"])
		assert.Equal(t, orig[id]["_timestamp"], r[o2kit.OriginalTimestampField])
		delete(r, "_timestamp")
		delete(r, o2kit.OriginalTimestampField)
		delete(orig[id], "_timestamp")
		assert.Equal(t, orig[id], r)
	}
}

// A client that stamps its own ids keeps the id a restored record
// carries, so a restore can be de-duplicated against the original.
func TestRestoreThroughAnIDStampingClientKeepsIDs(t *testing.T) {
	env := newBackupEnv(t)
	dir, _ := backedUp(t, env, 10)
	_, err := Restore(context.Background(), env.client(t), dir, RestoreOptions{Stream: "copy"})
	require.NoError(t, err)
	orig := byID(t, env.srv.Records("default", "orders"))
	back := byID(t, env.srv.Records("default", "copy"))
	require.Len(t, back, 10)
	for id := range back {
		assert.Contains(t, orig, id)
	}
}

// Records the server refuses make the restore fail, with the counts.
func TestRestoreReportsRecordsNotStored(t *testing.T) {
	env := newBackupEnv(t)
	dir, _ := backedUp(t, env, 50)
	env.srv.Push(o2server.Fault{Status: http.StatusBadRequest, Body: `{"code":400,"message":"Error# no"}`})
	rr, err := Restore(context.Background(), env.client(t, o2kit.WithIDField("")), dir, RestoreOptions{Stream: "copy"})
	require.ErrorIs(t, err, ErrRestoreIncomplete)
	assert.ErrorContains(t, err, "stored 0 of 50 record(s) in copy; 50 failed")
	assert.Equal(t, RestoreReport{Stream: "copy", Records: 50, Failed: 50}, *rr)
}

// A record the client refuses as it is costs only itself: the others are
// restored, and the report and the error name it.
func TestRestorePassesOverARecordTheClientRefuses(t *testing.T) {
	env := newBackupEnv(t)
	src := env.client(t)
	start := backupEpoch.Add(-time.Hour)
	seed(t, src, "orders", 20, 1, start)
	big := strings.Repeat("x", 4096)
	require.NoError(t, src.Emit(context.Background(), o2kit.Record{Stream: "orders", Time: start.Add(time.Millisecond),
		Attrs: []slog.Attr{slog.String("message", "a big one"), slog.String("body", big)}}))
	flushClient(t, src)
	dir := t.TempDir()
	_, err := Backup(context.Background(), src, BackupOptions{Stream: "orders", Start: start, End: backupEpoch, Dir: dir})
	require.NoError(t, err)

	small := env.client(t, o2kit.WithIDField(""), o2kit.WithBatchBytes(2048))
	rr, err := Restore(context.Background(), small, dir, RestoreOptions{Stream: "copy"})
	require.ErrorIs(t, err, ErrRestoreIncomplete)
	assert.ErrorContains(t, err, "the client refused 1 record(s)")
	assert.ErrorContains(t, err, "stored 20 of the 20 others in copy")
	assert.Equal(t, int64(1), rr.Refused)
	assert.Contains(t, rr.FirstRefused, "(record 21 of ")
	assert.Contains(t, rr.FirstRefused, o2kit.ErrRecordTooLarge.Error())
	assert.Equal(t, int64(20), rr.Sent)
	assert.Len(t, env.srv.Records("default", "copy"), 20)
}

// A damaged backup is refused before anything is sent.
func TestRestoreRefusesADamagedBackup(t *testing.T) {
	env := newBackupEnv(t)
	dir, m := backedUp(t, env, 50)
	cutFile(t, dir+"/"+m.Files[0].Name, 0.5)
	c := env.client(t, o2kit.WithIDField(""))
	_, err := Restore(context.Background(), c, dir, RestoreOptions{Stream: "copy"})
	require.ErrorIs(t, err, ErrChecksum)
	assert.ErrorContains(t, err, "nothing sent")
	assert.Zero(t, c.Stats().Accepted)

	rr, err := Restore(context.Background(), c, dir, RestoreOptions{Stream: "copy", SkipVerify: true})
	require.ErrorIs(t, err, ErrChecksum)
	assert.Positive(t, rr.Records, "records before the damage are sent")
}

func TestRestoreProgress(t *testing.T) {
	env := newBackupEnv(t)
	dir, _ := backedUp(t, env, 250)
	var seen []Progress
	_, err := Restore(context.Background(), env.client(t, o2kit.WithIDField("")), dir, RestoreOptions{
		Stream: "copy", FlushEvery: 100, Progress: func(p Progress) { seen = append(seen, p) },
	})
	require.NoError(t, err)
	require.Len(t, seen, 4) // two flushes, the end of the file, the end
	assert.Equal(t, Progress{File: "000001-0001.ndjson.gz", Records: 100, Total: 250}, seen[0])
	assert.Equal(t, int64(250), seen[3].Records)
	assert.Positive(t, seen[3].Bytes)
}

func TestRestoreErrors(t *testing.T) {
	env := newBackupEnv(t)
	c := env.client(t, o2kit.WithIDField(""))
	ctx := context.Background()
	_, err := Restore(ctx, c, t.TempDir(), RestoreOptions{})
	assert.ErrorContains(t, err, "no backup manifest")
	_, err = Restore(ctx, nil, t.TempDir(), RestoreOptions{})
	assert.ErrorIs(t, err, errNilClient)
	_, err = Backup(ctx, nil, BackupOptions{Stream: "orders", Dir: t.TempDir(), Start: backupEpoch})
	assert.ErrorIs(t, err, errNilClient)

	dir := t.TempDir()
	m := writeBackup(t, dir, 3, 3, Gzip)
	m.Type = "metrics"
	require.NoError(t, writeManifest(dir, m))
	_, err = Restore(ctx, c, dir, RestoreOptions{})
	assert.ErrorContains(t, err, "only logs streams can be restored, orders is metrics")
}

// Records the client's processors drop on purpose are missing from the
// restored stream too, and the restore says so.
func TestRestoreThroughADroppingProcessor(t *testing.T) {
	env := newBackupEnv(t)
	dir, _ := backedUp(t, env, 20)
	drop := o2kit.ProcessorFunc(func(_ context.Context, r o2kit.Record) (o2kit.Record, error) {
		for _, a := range r.Attrs {
			if a.Key == "seq" && a.Value.Int64()%2 == 1 {
				return r, o2kit.ErrDrop
			}
		}
		return r, nil
	})
	c := env.client(t, o2kit.WithIDField(""), o2kit.WithProcessors(drop))
	rr, err := Restore(context.Background(), c, dir, RestoreOptions{Stream: "copy"})
	require.ErrorIs(t, err, ErrRestoreIncomplete)
	assert.ErrorContains(t, err, "stored 10 of 20 record(s) in copy; 0 failed (see the client's error handler), 10 dropped by the client's processors")
	assert.Equal(t, RestoreReport{Stream: "copy", Records: 20, Sent: 10, Filtered: 10}, *rr)
}

// A cancelled context ends a backup and a restore with its error.
func TestCancelledBackupAndRestore(t *testing.T) {
	env := newBackupEnv(t)
	dir, m := backedUp(t, env, 300)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Restore(ctx, env.client(t, o2kit.WithIDField("")), dir, RestoreOptions{
		Stream: "copy", FlushEvery: 100, Progress: func(Progress) { cancel() },
	})
	assert.ErrorIs(t, err, context.Canceled)

	_, err = Backup(ctx, env.client(t), BackupOptions{Stream: "orders", End: m.End.Add(time.Minute), Dir: dir})
	assert.ErrorIs(t, err, context.Canceled)
	chain, err := ReadManifests(dir)
	require.NoError(t, err)
	assert.Len(t, chain, 1)
}
