package pipeline

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
)

// roundTripRecords is the size of the round trip; see roundTripN.
const roundTripRecords = 100_000

// A backup of 100k records, verified and restored into another stream,
// arrives whole: every id once, with its original time and fields.
func TestBackupVerifyRestoreRoundTrip(t *testing.T) {
	env := newBackupEnv(t)
	src := env.client(t)
	start := backupEpoch.Add(-2 * time.Hour)
	n := roundTripN()
	t0 := time.Now()
	seed(t, src, "orders", n, 7, start)
	t.Logf("seeded %d records in %s", n, time.Since(t0))

	dir := t.TempDir()
	ctx := context.Background()
	t0 = time.Now()
	var seen []Progress
	m, err := Backup(ctx, src, BackupOptions{
		Stream: "orders", Start: start, End: backupEpoch, Dir: dir,
		PageSize: 3000, FileRecords: 40_000, Progress: func(p Progress) { seen = append(seen, p) },
	})
	require.NoError(t, err)
	t.Logf("backup of %d records in %d file(s), %d bytes, in %s", m.Records, len(m.Files), m.Bytes, time.Since(t0))
	assert.Equal(t, int64(n), m.Records)
	assert.Equal(t, o2kit.DefaultIDField, m.IDField)
	assert.Len(t, m.Files, (n+39_999)/40_000)
	require.Greater(t, len(seen), n/3000, "a report per page at least")
	for i, p := range seen {
		assert.Equal(t, int64(n), p.Total, "the total is known from the start")
		if i > 0 {
			assert.GreaterOrEqual(t, p.Records, seen[i-1].Records, "records only grow")
			assert.GreaterOrEqual(t, p.Bytes, seen[i-1].Bytes, "bytes only grow")
		}
	}
	last := seen[len(seen)-1]
	assert.Equal(t, int64(n), last.Records)
	assert.Equal(t, m.Bytes, last.Bytes)
	assert.Equal(t, m.Files[len(m.Files)-1].Name, last.File)

	t0 = time.Now()
	rep, err := Verify(dir)
	require.NoError(t, err)
	t.Logf("verify in %s", time.Since(t0))
	assert.Equal(t, int64(n), rep.Records)

	dst := env.client(t, o2kit.WithIDField(""))
	t0 = time.Now()
	rr, err := Restore(ctx, dst, dir, RestoreOptions{Stream: "orders-restored"})
	require.NoError(t, err)
	t.Logf("restore in %s: %+v", time.Since(t0), *rr)
	assert.Equal(t, RestoreReport{Stream: "orders_restored", Records: int64(n), Sent: int64(n)}, *rr)

	orig := byID(t, env.srv.Records("default", "orders"))
	back := byID(t, env.srv.Records("default", "orders_restored"))
	require.Len(t, back, n)
	for id, r := range orig {
		require.Equal(t, r, back[id], "record %s", id)
	}
}

// Restoring keeps the memory budget: a client with a small buffer and no
// periodic flush runs full again and again, and Restore flushes and tries
// again instead of losing records.
func TestRestoreFlushesWhenTheBufferIsFull(t *testing.T) {
	env := newBackupEnv(t)
	src := env.client(t)
	start := backupEpoch.Add(-time.Hour)
	seed(t, src, "orders", 2000, 1, start)
	dir := t.TempDir()
	ctx := context.Background()
	_, err := Backup(ctx, src, BackupOptions{Stream: "orders", Start: start, End: backupEpoch, Dir: dir})
	require.NoError(t, err)

	dst := env.client(t, o2kit.WithIDField(""), o2kit.WithBatchBytes(64<<10), o2kit.WithMaxBufferedBytes(128<<10))
	rr, err := Restore(ctx, dst, dir, RestoreOptions{FlushEvery: -1, Stream: "copy"})
	require.NoError(t, err)
	assert.Positive(t, rr.Overflows)
	assert.Equal(t, int64(2000), rr.Sent)
	assert.Len(t, byID(t, env.srv.Records("default", "copy")), 2000)
}
