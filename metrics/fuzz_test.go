package metrics

import (
	"bytes"
	"encoding/json"
	"maps"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// FuzzIngestSamples feeds arbitrary bodies to the ingest parser: it must
// never panic, and whatever it accepts must be storable and exportable.
func FuzzIngestSamples(f *testing.F) {
	for _, s := range []string{
		`[{"__name__":"cpu","__type__":"gauge","host":"a","value":1.5,"_timestamp":1700000000000}]`,
		`[{"__name__":"x","value":1e308,"le":"+Inf"}]`,
		`[{"__name__":"x","value":-0,"flag":true,"n":12}]`,
		`[{}]`, `{}`, `[`, `[{"__name__":"x","value":1,"a":{"b":1}}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := NewRegistry(nil, WithInterval(-1), WithClock(pinned))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		samples, _, err := r.parseSamples(body)
		if err != nil {
			return
		}
		for _, s := range samples {
			if !validMetricName(s.name) || math.IsNaN(s.value) && !strings.Contains(string(body), "NaN") {
				t.Fatalf("accepted %+v", s)
			}
		}
		r.ingest(samples)
	})
}

// FuzzExposition writes label values and help texts of any content: every
// line of the exposition must stay one line, with balanced quotes.
func FuzzExposition(f *testing.F) {
	f.Add("plain", "help", 1.0)
	f.Add("q\"\\\n", "a\\b\nc", math.NaN())
	f.Add("", "", math.Inf(-1))
	f.Fuzz(func(t *testing.T, value, help string, v float64) {
		r, err := NewRegistry(nil, WithInterval(-1))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		g, err := r.GaugeVec(Desc{Name: "g", Help: help, Labels: []string{"l"}})
		if err != nil {
			t.Fatal(err)
		}
		g.With(value).Set(v)
		var buf bytes.Buffer
		r.WriteText(&buf)
		p := expfmt.NewTextParser(model.LegacyValidation)
		fams, err := p.TextToMetricFamilies(&buf)
		if err != nil {
			t.Fatalf("Prometheus cannot parse the exposition: %v\n%s", err, buf.String())
		}
		if !utf8.ValidString(value) {
			return // refused by With: no series
		}
		m := fams["g"].GetMetric()
		if len(m) != 1 || m[0].GetLabel()[0].GetValue() != value {
			t.Fatalf("label value %q did not come back: %v", value, m)
		}
		if got := m[0].GetGauge().GetValue(); got != v && !(got != got && v != v) {
			t.Fatalf("value %v came back as %v", v, got)
		}
	})
}

// FuzzQueryAnswer decodes arbitrary PromQL results: no panic, and a
// decoded answer re-encodes to the same series count.
func FuzzQueryAnswer(f *testing.F) {
	f.Add("matrix", `[{"metric":{"a":"b"},"values":[[1700000000,"1.5"],[1700000015.5,"NaN"]]}]`)
	f.Add("vector", `[{"metric":{},"value":[1700000000,"+Inf"]}]`)
	f.Add("scalar", `[1700000000,"3"]`)
	f.Add("scalar", `2.5`)
	f.Fuzz(func(t *testing.T, typ, raw string) {
		res := &QueryResult{Type: typ}
		if res.decode([]byte(raw)) != nil || (typ != "vector" && typ != "matrix") {
			return
		}
		var objs []json.RawMessage
		if json.Unmarshal([]byte(raw), &objs) == nil && len(objs) != len(res.Series) {
			t.Fatalf("%d objects, %d series from %q", len(objs), len(res.Series), raw)
		}
	})
}

// FuzzMatchers reads arbitrary match parameters and times.
func FuzzMatchers(f *testing.F) {
	for _, s := range []string{`status="paid"`, `a!=b`, `a=~x.*`, `a!~(`, `=x`, `1700000000`, `2026-11-25T09:30:00Z`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if m, err := parseMatcher(s); err == nil {
			m.Matches(Labels{{Name: "a", Value: "x"}})
		}
		_, _ = parseTime(s)
	})
}

// FuzzPromTimes reads arbitrary time, start, end and step parameters: no
// panic, and a range always has a non-negative step, positive when given.
func FuzzPromTimes(f *testing.F) {
	f.Add("", "1700000000", "2026-11-25T09:30:00Z", "15s")
	f.Add("1700000000.5", "", "", "")
	f.Add("", "1", "soon", "60")
	f.Add("", "1", "", "-1s")
	f.Fuzz(func(t *testing.T, at, start, end, step string) {
		q := url.Values{"time": {at}, "start": {start}, "end": {end}, "step": {step}}
		pt, err := readPromTimes(q, time.Unix(1700000000, 0))
		if err != nil || pt.start.IsZero() {
			return
		}
		if pt.step < 0 || (step != "" && pt.step == 0) {
			t.Fatalf("step %q read as %s", step, pt.step)
		}
	})
}

// FuzzLabelSetKey: two label sets share a key only when they are equal.
func FuzzLabelSetKey(f *testing.F) {
	f.Add("a", "b", "a", "b")
	f.Add("a\"", "b", "a", "\"b")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		a, b := map[string]string{k1: v1}, map[string]string{k2: v2}
		if (labelSetKey(a) == labelSetKey(b)) != maps.Equal(a, b) {
			t.Fatalf("%v and %v: keys %q and %q", a, b, labelSetKey(a), labelSetKey(b))
		}
	})
}
