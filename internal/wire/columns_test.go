package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

// wideBody returns an NDJSON body of records with n fields each, of
// which shared are the same in every record.
func wideBody(records, n, shared int) []byte {
	var e Encoder
	var body []byte
	for r := range records {
		var attrs []slog.Attr
		for i := range n {
			k := "f" + strconv.Itoa(i)
			if i >= shared {
				k = "r" + strconv.Itoa(r) + "_" + k
			}
			attrs = append(attrs, slog.Int(k, i))
		}
		attrs = append(attrs, slog.Any("nil", nil), slog.String("s", `a":b`))
		body = e.AppendRecord(body, 1, nil, attrs)
	}
	return body
}

func TestColumns(t *testing.T) {
	assert.Equal(t, 0, Columns(wideBody(10, 8, 8), 999), "a body with few fields is not scanned")
	assert.Equal(t, 10, Columns(wideBody(100, 8, 8), 999), "f0 to f7, _timestamp and s")
	assert.Equal(t, 1002, Columns(wideBody(1, 1000, 0), 1000), "null makes no column; _timestamp and s do")
	assert.LessOrEqual(t, Columns(wideBody(100, 20, 20), 999), 22)
}

func TestSplitColumns(t *testing.T) {
	for _, c := range []struct {
		name               string
		records, n, shared int
		wantRuns           int
	}{
		{"narrow", 100, 20, 20, 1},
		{"wide apart", 10, 300, 0, 4},
		{"wide together", 10, 900, 900, 1},
		{"one too wide", 3, 1200, 0, 3},
	} {
		body := wideBody(c.records, c.n, c.shared)
		runs := SplitColumns(body, 999)
		assert.Len(t, runs, c.wantRuns, c.name)
		assert.Equal(t, body, bytes.Join(runs, nil), "%s: runs are the body, in order", c.name)
		for _, run := range runs {
			if Lines(run) > 1 {
				assert.LessOrEqual(t, Columns(run, 999), 999, c.name)
			}
		}
	}
}

func FuzzSplitColumns(f *testing.F) {
	f.Add(uint8(3), uint16(400), uint16(10), uint16(50))
	f.Fuzz(func(t *testing.T, records uint8, n, shared, limit uint16) {
		body := wideBody(int(records%12), int(n%1500), int(shared%1500))
		lim := int(limit%1200) + 1
		runs := SplitColumns(body, lim)
		if !bytes.Equal(body, bytes.Join(runs, nil)) {
			t.Fatal("runs are not the body")
		}
		for _, run := range runs {
			if Lines(run) > 1 && Columns(run, lim) > lim {
				t.Fatalf("a run of %d records has more than %d columns", Lines(run), lim)
			}
		}
	})
}

// BenchmarkSplitColumns is the check on a batch of 100 typical records,
// whose fields in all outnumber the limit but whose columns do not.
func BenchmarkSplitColumns(b *testing.B) {
	var e Encoder
	e.IDKey = "o2kit_id"
	var body []byte
	for range 100 {
		body = e.AppendRecord(body, 1_700_000_000_000_000, []byte("018bcfe5-687b-7abc-8def-0123456789ab"), typicalAttrs())
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if len(SplitColumns(body, 999)) != 1 {
			b.Fatal("split")
		}
	}
}

// topKeys returns the number of top-level keys of a JSON object.
func topKeys(t *testing.T, line []byte) int {
	dec := json.NewDecoder(bytes.NewReader(line))
	if _, err := dec.Token(); err != nil {
		t.Fatalf("%q: %v", line, err)
	}
	n := 0
	for dec.More() {
		if _, err := dec.Token(); err != nil {
			t.Fatal(err)
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

// Fields bounds the fields of the record written last, whatever writes
// them: attrs, groups, values flattened from JSON, the static tail.
func FuzzFieldsBound(f *testing.F) {
	f.Add("k", `v":\"`, "Ké\\y", 3, true)
	f.Add("", `\\`, `"`, 0, false)
	f.Add("_id", "null", "o2kit_id", -1, true)
	f.Fuzz(func(t *testing.T, k, v, g string, n int, withID bool) {
		e := Encoder{IDKey: "o2kit_id"}
		attrs := []slog.Attr{
			slog.String(k, v), slog.Group(g, slog.String(v, k), slog.Any("m", map[string]any{v: k, k: []any{v, nil}, g: map[string]any{}})),
			slog.Any(k+"_raw", json.RawMessage(`{"`+strconv.Itoa(n)+`":"\":","x":{"y":[]}}`)), slog.Any("nil", nil),
			slog.Any(k, n), slog.Any("e", errors.New(v)), slog.Any(g, []string{v}),
		}
		var id []byte
		if withID {
			id = []byte("id")
		}
		static := NewStatic("o2kit_id", []slog.Attr{slog.String("host", v), slog.Group("build", slog.String("tag", k), slog.Int("n", n))})
		line := e.AppendRecordStatic(nil, 1, id, attrs, static)
		assert.GreaterOrEqual(t, e.Fields(), topKeys(t, line), "%q", line)
		assert.GreaterOrEqual(t, e.Fields(), Columns(line, 1<<20), "%q", line)
	})
}
