package pipeline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestManifestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	m := writeBackup(t, dir, 30, 10, Zstd)
	data, err := os.ReadFile(filepath.Join(dir, "manifest-000001.json"))
	require.NoError(t, err)
	back, err := ParseManifest(data)
	require.NoError(t, err)
	assert.Equal(t, m, back)
	assert.Contains(t, string(data), `"format": "o2kit-backup"`)
	assert.Contains(t, string(data), `"compression": "zstd"`)
}

func TestParseManifestRejects(t *testing.T) {
	good := func() map[string]any {
		m := &Manifest{
			Format: ManifestFormat, Version: 1, Sequence: 1, Org: "default", Stream: "orders", Type: "logs",
			Start: backupEpoch.Add(-time.Hour), End: backupEpoch, Compression: Gzip, Records: 2, Bytes: 10,
			Files: []FileEntry{{Name: "000001-0001.ndjson.gz", Records: 2, Bytes: 10, SHA256: sha256Hex(nil),
				First: backupEpoch.Add(-time.Hour).UnixMicro(), Last: backupEpoch.Add(-time.Minute).UnixMicro()}},
		}
		raw, _ := json.Marshal(m)
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return out
	}
	file := func(m map[string]any) map[string]any { return m["files"].([]any)[0].(map[string]any) }
	for want, change := range map[string]func(map[string]any){
		`format "tar", want "o2kit-backup"`:       func(m map[string]any) { m["format"] = "tar" },
		"version 2, this package reads up to 1":   func(m map[string]any) { m["version"] = 2 },
		"sequence 0, want 1 or more":              func(m map[string]any) { m["sequence"] = 0 },
		"only the first backup of a chain":        func(m map[string]any) { m["sequence"] = 2 },
		"no stream":                               func(m map[string]any) { m["stream"] = "" },
		"is not before end":                       func(m map[string]any) { m["end"] = m["start"] },
		`unknown compression "lz4"`:               func(m map[string]any) { m["compression"] = "lz4" },
		`unknown field "extra"`:                   func(m map[string]any) { m["extra"] = 1 },
		"not a plain file name":                   func(m map[string]any) { file(m)["name"] = "../etc/passwd" },
		"checksum is not 64 hex digits":           func(m map[string]any) { file(m)["sha256"] = "abc" },
		"an empty file is never written":          func(m map[string]any) { file(m)["records"] = 0; m["records"] = 0 },
		"first timestamp after last":              func(m map[string]any) { file(m)["first_timestamp"] = file(m)["last_timestamp"].(float64) + 1 },
		"timestamps outside the manifest's range": func(m map[string]any) { file(m)["last_timestamp"] = float64(backupEpoch.UnixMicro()) },
		"totals 3 record(s)":                      func(m map[string]any) { m["records"] = 3 },
		"listed twice":                            func(m map[string]any) { m["files"] = append(m["files"].([]any), file(m)) },
		"bad name or checksum": func(m map[string]any) {
			m["sequence"] = 2
			m["previous"] = map[string]any{"name": "a/b", "sha256": sha256Hex(nil)}
		},
	} {
		m := good()
		change(m)
		raw, err := json.Marshal(m)
		require.NoError(t, err)
		_, err = ParseManifest(raw)
		assert.ErrorIs(t, err, ErrBadManifest, want)
		assert.ErrorContains(t, err, want)
	}
	_, err := ParseManifest([]byte(`{"format":"o2kit-backup"} {}`))
	assert.ErrorContains(t, err, "data after the JSON object")
}

// The manifest parser never panics, and a manifest it accepts survives
// being written and parsed again unchanged.
func FuzzParseManifest(f *testing.F) {
	seed, err := json.Marshal(&Manifest{
		Format: ManifestFormat, Version: 1, Sequence: 1, Stream: "s", Type: "logs",
		Start: backupEpoch.Add(-time.Hour), End: backupEpoch, Compression: Gzip, Records: 1, Bytes: 1,
		Files: []FileEntry{{Name: "a.gz", Records: 1, Bytes: 1, SHA256: sha256Hex(nil), First: backupEpoch.Add(-time.Hour).UnixMicro(), Last: backupEpoch.Add(-time.Hour).UnixMicro()}},
	})
	require.NoError(f, err)
	f.Add(seed)
	f.Add([]byte(`{"format":"o2kit-backup","version":1,"sequence":2,"previous":{"name":"m","sha256":""}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			return
		}
		out, err := json.Marshal(m)
		require.NoError(t, err)
		again, err := ParseManifest(out)
		require.NoError(t, err)
		require.Equal(t, m, again)
	})
}
