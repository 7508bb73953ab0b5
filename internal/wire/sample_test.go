package wire

import (
	"encoding/json"
	"log/slog"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func sampleLine(attrs ...slog.Attr) []byte {
	var e Encoder
	return e.AppendRecord(nil, 1_700_000_000_000_000, nil, attrs)
}

func TestCheckSample(t *testing.T) {
	name := slog.String("__name__", "cpu")
	for _, c := range []struct {
		attrs []slog.Attr
		err   string // "" when the sample is fine
	}{
		{[]slog.Attr{name, slog.Float64("value", 1.5)}, ""},
		{[]slog.Attr{name, slog.Int("value", -3), slog.String("__type__", "Counter"), slog.String("host", `a"b,c}`)}, ""},
		{[]slog.Attr{name, slog.Uint64("value", math.MaxUint64), slog.Int("__type__", 7)}, ""},
		{[]slog.Attr{slog.Group("", name), slog.Group("", slog.Int("value", 1))}, ""},
		{[]slog.Attr{name, slog.String("Value", "x"), slog.Int("value", 1)}, ""},
		{[]slog.Attr{name}, "no value"},
		{[]slog.Attr{slog.Int("value", 1)}, "no __name__"},
		{[]slog.Attr{slog.Int("__name__", 1), slog.Int("value", 1)}, "__name__ 1 is not a string"},
		{[]slog.Attr{name, slog.Float64("value", math.NaN())}, "value null is not a finite number"},
		{[]slog.Attr{name, slog.Float64("value", math.Inf(-1))}, "value null is not a finite number"},
		{[]slog.Attr{name, slog.String("value", "1")}, `value "1" is not a finite number`},
		{[]slog.Attr{name, slog.Bool("value", true)}, "value true is not a finite number"},
		{[]slog.Attr{name, slog.Int("value", 1), slog.String("VALUE", "x")}, `value "x" is not a finite number`},
		{[]slog.Attr{name, slog.Group("g", slog.Int("value", 1))}, "no value"},
		{[]slog.Attr{name, slog.Int("value", 1), slog.String("__type__", "meter")}, `__type__ "meter" is not counter, gauge, histogram or summary`},
	} {
		err := CheckSample(sampleLine(c.attrs...))
		if c.err == "" {
			assert.NoError(t, err, "%v", c.attrs)
		} else {
			assert.EqualError(t, err, c.err, "%v", c.attrs)
		}
	}
	assert.Error(t, CheckSample([]byte("not json\n")))
	assert.Error(t, CheckSample([]byte(`{"__name__":"cpu","value"}`)))
}

// referenceSample is CheckSample by way of encoding/json, which also
// keeps the last of two equal keys.
func referenceSample(line []byte) bool {
	var m map[string]any
	if json.Unmarshal(line, &m) != nil {
		return false
	}
	if _, ok := m["__name__"].(string); !ok {
		return false
	}
	if typ, ok := m["__type__"].(string); ok {
		switch strings.ToLower(typ) {
		case "counter", "gauge", "histogram", "summary":
		default:
			return false
		}
	}
	_, ok := m["value"].(float64)
	return ok
}

func FuzzCheckSample(f *testing.F) {
	f.Add("__name__", "cpu", "value", 1.5, "__type__", "gauge")
	f.Add("__Name__", "c\"p,u}", "Value", math.NaN(), "__type__", "x")
	f.Add("__name__", "\xff", "value", 0.0, "value", "1")
	f.Fuzz(func(t *testing.T, k1, s1, k2 string, fl float64, k3, s3 string) {
		line := sampleLine(slog.String(k1, s1), slog.Float64(k2, fl), slog.String(k3, s3))
		if got, want := CheckSample(line) == nil, referenceSample(line); got != want {
			t.Fatalf("CheckSample(%q) passes %v, encoding/json %v", line, got, want)
		}
	})
}
