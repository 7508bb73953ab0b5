package pipeline

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeBackup writes a backup of n synthetic records in files of per
// records, as Backup would, without a server.
func writeBackup(t *testing.T, dir string, n, per int, c Compression) *Manifest {
	t.Helper()
	start := backupEpoch.Add(-time.Hour)
	m := &Manifest{
		Format: ManifestFormat, Version: ManifestVersion, Sequence: 1, Org: "default",
		Stream: "orders", Type: "logs", Start: start, End: backupEpoch, IDField: "o2kit_id",
		Compression: c, Created: backupEpoch,
	}
	files := &fileSet{dir: dir, seq: 1, c: c, per: per}
	for i := range n {
		ts := start.UnixMicro() + int64(i)
		line := fmt.Sprintf(`{"_timestamp":%d,"o2kit_id":"id-%06d","message":"order \"%d\" placed","amount":%d.5}`, ts, i, i, i)
		require.NoError(t, files.add([]byte(line), ts))
	}
	require.NoError(t, files.close())
	m.Files = files.done
	for _, f := range m.Files {
		m.Records += f.Records
		m.Bytes += f.Bytes
	}
	require.NoError(t, writeManifest(dir, m))
	return m
}

func TestVerifyAcceptsAGoodBackup(t *testing.T) {
	for _, c := range []Compression{Gzip, Zstd} {
		dir := t.TempDir()
		m := writeBackup(t, dir, 2500, 1000, c)
		rep, err := Verify(dir)
		require.NoError(t, err, c)
		assert.Equal(t, int64(2500), rep.Records)
		assert.Equal(t, m.Bytes, rep.Bytes, "every compressed byte read")
		require.Len(t, rep.Manifests, 1)
		assert.Equal(t, m.Files, rep.Manifests[0].Files)
		require.Len(t, rep.Files, 3)
		for i, f := range rep.Files {
			assert.Equal(t, filepath.Join(dir, m.Files[i].Name), f.Path)
			assert.Equal(t, m.Files[i].Records, f.Records)
			assert.NoError(t, f.Err)
		}
		assert.Equal(t, filepath.Join(dir, "000001-0003.ndjson"+c.ext()), rep.Files[2].Path)
		assert.Equal(t, int64(500), rep.Files[2].Records)
	}
}

// Each kind of damage is found, and the error names the file, the line
// where reading stopped, and what is wrong.
func TestVerifyFindsDamage(t *testing.T) {
	for name, tc := range map[string]struct {
		damage func(t *testing.T, dir string, m *Manifest)
		is     error
		want   string
	}{
		"flipped byte": {
			damage: func(t *testing.T, dir string, m *Manifest) { flipByte(t, filepath.Join(dir, m.Files[1].Name), 0.5) },
			is:     ErrChecksum, want: "000001-0002.ndjson.gz: line ",
		},
		"truncated file": {
			damage: func(t *testing.T, dir string, m *Manifest) { cutFile(t, filepath.Join(dir, m.Files[1].Name), 0.6) },
			is:     ErrChecksum, want: "unexpected EOF",
		},
		"wrong count": {
			damage: func(t *testing.T, dir string, m *Manifest) {
				m.Files[1].Records++
				m.Records++
				require.NoError(t, writeManifest(dir, m))
			},
			is: ErrCount, want: "000001-0002.ndjson.gz: pipeline: record count mismatch: 1000 line(s), the manifest says 1001",
		},
		"wrong checksum": {
			damage: func(t *testing.T, dir string, m *Manifest) {
				m.Files[1].SHA256 = sha256Hex(nil)
				require.NoError(t, writeManifest(dir, m))
			},
			is: ErrChecksum, want: "000001-0002.ndjson.gz: pipeline: checksum mismatch",
		},
		"bad line": {
			damage: func(t *testing.T, dir string, m *Manifest) { rewriteLine(t, dir, m, 1, 7, `{"_timestamp":"soon"}`) },
			is:     ErrRecord, want: `000001-0002.ndjson.gz: line 8: pipeline: bad record: _timestamp "soon" is not an integer`,
		},
		"missing file": {
			damage: func(t *testing.T, dir string, m *Manifest) {
				require.NoError(t, os.Remove(filepath.Join(dir, m.Files[1].Name)))
			},
			is: os.ErrNotExist, want: "000001-0002.ndjson.gz",
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			m := writeBackup(t, dir, 2500, 1000, Gzip)
			tc.damage(t, dir, m)
			rep, err := Verify(dir)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.is)
			assert.ErrorContains(t, err, tc.want)
			var ve *VerifyError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, filepath.Join(dir, m.Files[1].Name), ve.File)
			require.NotNil(t, rep)
			assert.Error(t, rep.Files[1].Err)
			assert.NoError(t, rep.Files[0].Err)
			assert.NoError(t, rep.Files[2].Err)
		})
	}
}

func TestVerifyFindsABrokenChain(t *testing.T) {
	dir := t.TempDir()
	m := writeBackup(t, dir, 10, 10, Gzip)
	next := *m
	next.Sequence, next.Start, next.End = 2, m.End, m.End.Add(time.Hour)
	next.Files, next.Records, next.Bytes = []FileEntry{}, 0, 0
	next.Previous = &ManifestRef{Name: manifestName(1), SHA256: sha256Hex([]byte("other"))}
	require.NoError(t, writeManifest(dir, &next))
	_, err := Verify(dir)
	assert.ErrorIs(t, err, ErrBadManifest)
	assert.ErrorContains(t, err, "manifest-000002.json: previous manifest is manifest-000001.json")

	require.NoError(t, os.Remove(filepath.Join(dir, manifestName(1))))
	_, err = Verify(dir)
	assert.ErrorContains(t, err, "manifest-000001.json is missing from the chain of 1")

	_, err = Verify(t.TempDir())
	assert.ErrorContains(t, err, "no backup manifest")
}

// flip inverts one byte at the given fraction of the file.
func flipByte(t *testing.T, path string, at float64) {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	data[int(float64(len(data))*at)] ^= 0xff
	require.NoError(t, os.WriteFile(path, data, 0o644))
}

// truncate cuts the file at the given fraction.
func cutFile(t *testing.T, path string, at float64) {
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.NoError(t, os.Truncate(path, int64(float64(info.Size())*at)))
}

// rewrite replaces line i (from 0) of file f and writes a manifest that
// matches the new file, so that only the line is wrong.
func rewriteLine(t *testing.T, dir string, m *Manifest, f, i int, line string) {
	var lines [][]byte
	_, err := readData(dir, m, m.Files[f], false, func(record) error { return nil })
	require.NoError(t, err)
	r, err := openData(filepath.Join(dir, m.Files[f].Name), m.Compression)
	require.NoError(t, err)
	for {
		l, err := r.next()
		if err != nil {
			break
		}
		lines = append(lines, append([]byte(nil), l...))
	}
	r.close()
	lines[i] = []byte(line)
	w, err := createData(dir, m.Files[f].Name, m.Compression)
	require.NoError(t, err)
	for _, l := range lines {
		require.NoError(t, w.add(l, 0))
	}
	e, err := w.close()
	require.NoError(t, err)
	m.Bytes += e.Bytes - m.Files[f].Bytes
	e.First, e.Last = m.Files[f].First, m.Files[f].Last
	m.Files[f] = e
	require.NoError(t, writeManifest(dir, m))
	require.True(t, json.Valid([]byte(line)))
}
