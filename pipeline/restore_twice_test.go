package pipeline

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
)

// A record that was re-stamped once already (it carries
// original_timestamp) and is re-stamped again on restore keeps its first
// original time: the client's re-stamping writes a second
// original_timestamp ahead of the record's own, and the server keeps the
// last of duplicate keys.
func TestRestoreOfARestampedRecord(t *testing.T) {
	env := newBackupEnv(t)
	src := env.client(t)
	event := backupEpoch.Add(-7 * time.Hour)
	seed(t, src, "orders", 3, 1, event)
	stored := env.srv.Records("default", "orders")[0]
	require.EqualValues(t, backupEpoch.UnixMicro(), stored["_timestamp"], "re-stamped when seeded")
	require.EqualValues(t, event.UnixMicro(), stored[o2kit.OriginalTimestampField])

	dir := t.TempDir()
	_, err := Backup(context.Background(), src, BackupOptions{
		Stream: "orders", Start: backupEpoch.Add(-time.Hour), End: backupEpoch.Add(time.Second), Dir: dir,
	})
	require.NoError(t, err)
	later := backupEpoch.Add(10 * time.Hour)
	env.clock.set(later)
	_, err = Restore(context.Background(), env.client(t, o2kit.WithIDField("")), dir, RestoreOptions{Stream: "copy"})
	require.NoError(t, err)
	back := byID(t, env.srv.Records("default", "copy"))[stored[o2kit.DefaultIDField].(string)]
	assert.EqualValues(t, later.UnixMicro(), back["_timestamp"])
	assert.EqualValues(t, event.UnixMicro(), back[o2kit.OriginalTimestampField])
}
