package o2kit

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"math/big"
	"net/http/httptest"
	"strconv"

	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2server"
)

// rawJSON is a json.Marshaler that returns fixed bytes.
type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

type selfValuer struct{}

func (v selfValuer) LogValue() slog.Value { return slog.AnyValue(v) }

type panicValuer struct{}

func (panicValuer) LogValue() slog.Value { panic("boom") }

type panicErr struct{}

func (panicErr) Error() string { panic("boom") }

type cyclic struct{ Next *cyclic }

// badLogInputs are records one caller may pass that must not cost the
// records around them.
func badLogInputs() map[string][]slog.Attr {
	huge := new(big.Int).Exp(big.NewInt(10), big.NewInt(400), nil)
	cyc := &cyclic{}
	cyc.Next = cyc
	many := make([]slog.Attr, 1100)
	for i := range many {
		many[i] = slog.Int("f"+strconv.Itoa(i), i)
	}
	deep := slog.Int("leaf", 1)
	for range 100 {
		deep = slog.Group("g", deep)
	}
	return map[string][]slog.Attr{
		"empty key":           {slog.String("", "v")},
		"many fields":         many,
		"punct key":           {slog.String("...", "v")},
		"huge key":            {slog.String(strings.Repeat("K", 70000), "v")},
		"invalid utf8 key":    {slog.String("k\xff\xfe", "v")},
		"nul key":             {slog.String("k\x00", "v")},
		"timestamp key":       {slog.String("@timestamp", "v"), slog.Int("_Timestamp", 3)},
		"id key":              {slog.Int("o2kit-id", 3)},
		"_id int":             {slog.Int("_id", 3)},
		"_id float nan":       {slog.Float64("@id", math.NaN())},
		"colliding keys":      {slog.Int("a.b", 1), slog.String("A-B", "x")},
		"unicode key":         {slog.String("世界", "v"), slog.String("Ünï", "v")},
		"invalid utf8 value":  {slog.String("s", "\xff\xfe")},
		"nul value":           {slog.String("s", "a\x00b")},
		"u2028":               {slog.String("s", "a\u2028b\u2029")},
		"huge value":          {slog.String("s", strings.Repeat("v", 900<<10))},
		"nan inf":             {slog.Float64("nan", math.NaN()), slog.Float64("inf", math.Inf(1)), slog.Float64("ninf", math.Inf(-1))},
		"max uint64":          {slog.Uint64("u", math.MaxUint64)},
		"times":               {slog.Time("z", time.Time{}), slog.Time("far", time.Date(99999, 1, 1, 0, 0, 0, 0, time.UTC)), slog.Time("loc", time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("odd\"zone", 3601)))},
		"durations":           {slog.Duration("d", math.MaxInt64), slog.Duration("n", math.MinInt64)},
		"deep groups":         {deep},
		"inline groups":       {slog.Group("", slog.Group("", slog.Int("in", 1)))},
		"self valuer":         {slog.Any("v", selfValuer{})},
		"panic valuer":        {slog.Any("v", panicValuer{})},
		"panic error":         {slog.Any("err", panicErr{})},
		"raw invalid utf8":    {slog.Any("r", rawJSON("\"\xff\""))},
		"raw huge number":     {slog.Any("r", rawJSON("1e400"))},
		"big int":             {slog.Any("b", huge)},
		"raw object bad utf8": {slog.Any("r", rawJSON("{\"a\xff\":\"\xfe\"}"))},
		"rawmessage":          {slog.Any("r", json.RawMessage("\"\xc3\""))},
		"map int keys":        {slog.Any("m", map[int]string{1: "a"})},
		"cyclic":              {slog.Any("c", cyc)},
		"bytes":               {slog.Any("b", []byte("\xff\x00"))},
		"chan func":           {slog.Any("c", make(chan int)), slog.Any("f", func() {})},
		"error":               {slog.Any("err", errors.New("bad \xff"))},
	}
}

// byCase counts the stored records of a stream by their "case" field.
func byCase(recs []map[string]any) (good, bad int) {
	for _, r := range recs {
		switch r["case"] {
		case "good":
			good++
		case "bad":
			bad++
		}
	}
	return good, bad
}

// emitAround emits a good record, bad and another good record to bad's
// stream with emit, flushes, and checks that both good records arrived
// and that bad was either stored or refused by emit and counted.
func emitAround(t *testing.T, c *Client, log *errLog, emit func(Record) error, stored func() []map[string]any, bad Record, good []slog.Attr) {
	t.Helper()
	rec := func(n int) Record {
		return Record{Stream: bad.Stream, Attrs: append([]slog.Attr{slog.String("case", "good"), slog.Int("n", n)}, good...)}
	}
	bad.Attrs = append([]slog.Attr{slog.String("case", "bad")}, bad.Attrs...)
	require.NoError(t, emit(rec(1)))
	err := emit(bad)
	require.NoError(t, emit(rec(2)))
	require.NoError(t, c.Flush(t.Context()))
	goods, bads := byCase(stored())
	assert.Equal(t, 2, goods, "the records around the bad one: emit: %v; background: %v", err, log.all())
	if err != nil {
		assert.Zero(t, bads)
		assert.EqualValues(t, 1, c.Stats().Dropped, "a refused record is counted")
	} else {
		assert.Equal(t, 1, bads, "a record Emit took is stored: %v", log.all())
	}
}

func TestBadLogRecordLosesNothingElse(t *testing.T) {
	for name, attrs := range badLogInputs() {
		t.Run(name, func(t *testing.T) {
			srv, url := devServer(t)
			c, log := newClient(t, srv, url)
			emit := func(r Record) error { return c.Emit(t.Context(), r) }
			stored := func() []map[string]any { return srv.Records("default", "bad") }
			emitAround(t, c, log, emit, stored, Record{Stream: "bad", Attrs: attrs}, nil)
		})
	}
}

func TestBadMetricLosesNothingElse(t *testing.T) {
	for name, attrs := range map[string][]slog.Attr{
		"no value":      {slog.String("__name__", "cpu")},
		"nan value":     {slog.String("__name__", "cpu"), slog.Float64("value", math.NaN())},
		"inf value":     {slog.String("__name__", "cpu"), slog.Float64("value", math.Inf(1))},
		"string value":  {slog.String("__name__", "cpu"), slog.String("value", "high")},
		"bool value":    {slog.String("__name__", "cpu"), slog.Bool("value", true)},
		"bad type":      {slog.String("__name__", "cpu"), slog.String("__type__", "meter"), slog.Float64("value", 1)},
		"odd case type": {slog.String("__name__", "cpu"), slog.String("__type__", "GAUGE"), slog.Float64("value", 1)},
		"int type":      {slog.String("__name__", "cpu"), slog.Int("__type__", 1), slog.Float64("value", 1)},
		"no name":       {slog.Float64("value", 1)},
		"int name":      {slog.Int("__name__", 3), slog.Float64("value", 1)},
		"value twice":   {slog.String("__name__", "cpu"), slog.Float64("value", 1), slog.String("Value", "x")},
		"value fixed":   {slog.String("__name__", "cpu"), slog.String("Value", "x"), slog.Float64("value", 1)},
		"grouped value": {slog.String("__name__", "cpu"), slog.Group("g", slog.Float64("value", 1))},
		"inline value":  {slog.String("__name__", "cpu"), slog.Group("", slog.Float64("value", 1))},
		"null value":    {slog.String("__name__", "cpu"), slog.Any("value", nil)},
		"raw value":     {slog.String("__name__", "cpu"), slog.Any("value", json.RawMessage("1e400"))},
		"map value":     {slog.String("__name__", "cpu"), slog.Any("value", map[string]int{"a": 1})},
		"label nan":     {slog.String("__name__", "cpu"), slog.Float64("value", 1), slog.Float64("x", math.NaN())},
		"label quote":   {slog.String("__name__", "cpu"), slog.Float64("value", 1), slog.String("x\"", "v\",\"value\":\"")},
		"max uint":      {slog.String("__name__", "cpu"), slog.Uint64("value", math.MaxUint64)},
	} {
		t.Run(name, func(t *testing.T) {
			srv, url := devServer(t)
			c, log := newClient(t, srv, url)
			emit := func(r Record) error { return c.EmitAs(t.Context(), Metrics, r) }
			stored := func() []map[string]any { return srv.RecordsOf("default", "metrics", "cpu") }
			emitAround(t, c, log, emit, stored, Record{Stream: "cpu", Attrs: attrs}, []slog.Attr{slog.String("__name__", "cpu"), slog.Int("value", 1)})
		})
	}
}

// TestBatchOverTheColumnLimit checks records that each have a few hundred
// fields of their own: together they bring more columns than the server
// takes in one batch, which it would drop whole. (The dev server keeps a
// stream in a SQLite table, which holds at most 2000 columns.)
func TestBatchOverTheColumnLimit(t *testing.T) {
	srv, url := devServer(t)
	// Wide tables are slow to write under the race detector; a request
	// that timed out would be sent again and stored twice.
	c, log := newClient(t, srv, url, WithTimeout(5*time.Minute))
	for i := range 4 {
		attrs := []slog.Attr{slog.String("case", "good"), slog.Any("null", nil)}
		for j := range 300 {
			attrs = append(attrs, slog.Int("r"+strconv.Itoa(i)+"_"+strconv.Itoa(j), j))
		}
		require.NoError(t, c.Emit(t.Context(), Record{Stream: "wide", Attrs: attrs}))
	}
	require.NoError(t, c.Flush(t.Context()))
	goods, _ := byCase(srv.Records("default", "wide"))
	assert.Equal(t, 4, goods, "%v", log.all())
	assert.Empty(t, log.all())
	st := c.Stats()
	assert.EqualValues(t, 4, st.Sent)
	assert.EqualValues(t, 2, st.Requests, "three records in one request, the fourth in another")
}

func TestRecordOverTheColumnLimit(t *testing.T) {
	srv, url := devServer(t)
	c, _ := newClient(t, srv, url)
	attrs := make([]slog.Attr, maxColumns-2) // with _timestamp and o2kit_id
	for i := range attrs {
		attrs[i] = slog.Int("f"+strconv.Itoa(i), i)
	}
	require.NoError(t, c.Emit(t.Context(), Record{Stream: "wide", Attrs: attrs}))
	nulls := append(attrs[:len(attrs):len(attrs)], slog.Float64("nan", math.NaN()))
	require.NoError(t, c.Emit(t.Context(), Record{Stream: "wide", Attrs: nulls}), "a null makes no column")
	err := c.Emit(t.Context(), Record{Stream: "wide", Attrs: append(nulls, slog.Int("one_more", 1))})
	require.ErrorIs(t, err, ErrTooManyFields)
	require.NoError(t, c.Flush(t.Context()))
	assert.Len(t, srv.Records("default", "wide"), 2)
	assert.EqualValues(t, 1, c.Stats().Dropped)
}

// FuzzBadRecord emits a record built from the fuzzer's bytes between two
// good ones, each time to a stream of its own, and checks that the good
// ones arrive whatever the bad one holds.
func FuzzBadRecord(f *testing.F) {
	f.Add("key", "value", []byte(`{"a":1}`), 1.5, int64(-1), uint64(1), int64(0))
	f.Add("_ID", "\xff\x00\u2028\"", []byte("\"\xff\""), math.NaN(), int64(math.MinInt64), uint64(math.MaxUint64), int64(math.MaxInt64))
	f.Add("@timestamp", "", []byte("1e400"), math.Inf(1), int64(0), uint64(0), int64(-1))
	srv := o2server.New()
	hs := httptest.NewServer(srv)
	f.Cleanup(hs.Close)
	user, pass := srv.RootUser()
	c, err := New(WithEndpoint(hs.URL), WithBasicAuth(user, pass), WithErrorHandler(&errLog{}))
	require.NoError(f, err)
	f.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	var runs atomic.Int64
	f.Fuzz(func(t *testing.T, key, s string, raw []byte, fl float64, i int64, u uint64, nanos int64) {
		stream := "fz" + strconv.FormatInt(runs.Add(1), 10)
		attrs := []slog.Attr{
			slog.String("case", "bad"), slog.String(key, s), slog.Float64(key+"f", fl), slog.Int64(key+"i", i),
			slog.Uint64(key+"u", u), slog.Time(key+"t", time.Unix(0, nanos)), slog.Any(key+"r", rawJSON(raw)),
			slog.Group(key, slog.String(s, key), slog.Any(s, map[string]any{key: s, s: []any{fl, raw}})),
			slog.Group("", slog.String(key, s)),
		}
		good := func() Record {
			return Record{Stream: stream, Attrs: []slog.Attr{slog.String("case", "good"), slog.String("s", "v")}}
		}
		require.NoError(t, c.Emit(t.Context(), good()))
		err := c.Emit(t.Context(), Record{Stream: stream, Time: time.Unix(0, nanos), Attrs: attrs})
		require.NoError(t, c.Emit(t.Context(), good()))
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		require.NoError(t, c.Flush(ctx), "%q %q %q %v %v %v %v", key, s, raw, fl, i, u, nanos)
		goods, _ := byCase(srv.Records("default", stream))
		require.Equal(t, 2, goods, "bad record's emit: %v", err)
	})
}

// TestBadStaticFieldLosesNothingElse gives the bad attributes to a static
// processor, once last (the encoded fast path) and once followed by
// another processor (the Process path), and checks the good records
// around a record that gets them.
func TestBadStaticFieldLosesNothingElse(t *testing.T) {
	pass := ProcessorFunc(func(_ context.Context, r Record) (Record, error) { return r, nil })
	for name, attrs := range badLogInputs() {
		for _, path := range []string{"static", "process"} {
			t.Run(name+"/"+path, func(t *testing.T) {
				ps := []Processor{fields(attrs)}
				if path == "process" {
					ps = append(ps, pass)
				}
				srv, url := devServer(t)
				c, log := newClient(t, srv, url, WithProcessors(ps...))
				emit := func(r Record) error { return c.Emit(t.Context(), r) }
				stored := func() []map[string]any { return srv.Records("default", "bad") }
				// The good records have every static key, so get none.
				var good []slog.Attr
				for _, a := range attrs {
					if a.Key != "" {
						good = append(good, slog.String(a.Key, "own"))
					}
				}
				if len(good) > 900 {
					t.Skip("the good records would be too wide themselves")
				}
				emitAround(t, c, log, emit, stored, Record{Stream: "bad"}, good)
			})
		}
	}
}

// TestIDFieldThatHoldsTime checks that an id field named as a field that
// holds a record's time is refused: written after _timestamp, the id would
// replace the record's time, and the server would refuse every record.
func TestIDFieldThatHoldsTime(t *testing.T) {
	for _, name := range []string{"_timestamp", OriginalTimestampField} {
		c, err := New(WithIDField(name))
		if err == nil {
			require.NoError(t, c.Shutdown(t.Context()))
		}
		var ce *ConfigError
		require.ErrorAs(t, err, &ce, name)
		assert.Equal(t, "id_field", ce.Setting)
		assert.Equal(t, name, ce.Value)
	}
}
