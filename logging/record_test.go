package logging

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
)

// TestRecordKeepsItsOwnID checks that a record bringing an id field keeps
// it, the first one found deciding, with and without processors.
func TestRecordKeepsItsOwnID(t *testing.T) {
	pass := o2kit.ProcessorFunc(func(_ context.Context, r o2kit.Record) (o2kit.Record, error) { return r, nil })
	for name, opts := range map[string][]o2kit.Option{
		"plain":      {o2kit.WithIDField("o2kit_id")},
		"processors": {o2kit.WithIDField("o2kit_id"), o2kit.WithProcessors(pass)},
	} {
		t.Run(name, func(t *testing.T) {
			d := newDev(t, opts...)
			logger := New(d.client, WithClock(pinned))
			logger.Info("new", "n", 1)
			logger.Info("own", "n", 2, "o2kit_id", "own-2", slog.Group("g", "k", "v"))
			logger.With("o2kit_id", "with-3").Info("with", "n", 3, "o2kit_id", "own-3")
			logger.Info("empty", "n", 4, "o2kit_id", "", "o2kit_id", "late-4")
			recs := d.records(t, "application-logs")
			require.Len(t, recs, 4)
			ids := map[int64]string{}
			for _, r := range recs {
				ids[r["n"].(int64)], _ = r["o2kit_id"].(string)
			}
			assert.Len(t, ids[1], 36)
			assert.Equal(t, "own-2", ids[2])
			assert.Equal(t, "with-3", ids[3])
			assert.Len(t, ids[4], 36)
		})
	}
}
