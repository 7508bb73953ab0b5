package alerting

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEvalTemplateFunctions(t *testing.T) {
	src := &levels{}
	src.set(map[string]float64{"host-1.example.com:9100": 1234567, "b": 0.25})
	e := newTestEvaluator(t, evalConfig{Sources: []Source{src}})
	now := &evalTemplateNow{ctx: bg, ts: evalT0}
	funcs := evalTemplateFuncs(now, e.query)
	tests := []struct{ text, want string }{
		{`{{ 1234567 | humanize }}`, "1.235M"},
		{`{{ 0.0012 | humanize }}`, "1.2m"},
		{`{{ 0 | humanize }}`, "0"},
		{`{{ 2048 | humanize1024 }}`, "2ki"},
		{`{{ 0.5 | humanize1024 }}`, "0.5"},
		{`{{ 90 | humanizeDuration }}`, "1m 30s"},
		{`{{ 0.123 | humanizePercentage }}`, "12.3%"},
		{`{{ 0 | humanizeTimestamp }}`, "1970-01-01 00:00:00 +0000 UTC"},
		{`{{ (0 | toTime).Year }}`, "1970"},
		{`{{ 1.5 | toDuration }}`, "1.5s"},
		{`{{ parseDuration "1m" }}`, "60"},
		{`{{ now }}`, "1.795599e+09"},
		{`{{ "host-1.example.com:9100" | stripPort }}`, "host-1.example.com"},
		{`{{ "host-1.example.com:9100" | stripDomain }}`, "host-1:9100"},
		{`{{ "10.0.0.1:80" | stripDomain }}`, "10.0.0.1:80"},
		{`{{ "plain" | stripPort }}`, "plain"},
		{`{{ "a b-c" | title }}`, "A B-C"},
		{`{{ "Ab" | toLower }}{{ "ab" | toUpper }}`, "abAB"},
		{`{{ match "^a" "abc" }}`, "true"},
		{`{{ reReplaceAll "(a)" "[$1]" "cat" }}`, "c[a]t"},
		{`{{ "a b" | urlQueryEscape }}`, "a+b"},
		{`{{ with args 1 "x" }}{{ .arg0 }}{{ .arg1 }}{{ end }}`, "1x"},
		{`{{ "x" | safeHtml }}`, "x"},
		{`{{ pathPrefix }}{{ externalURL }}`, ""},
		{`{{ with query "level" | sortByLabel "instance" }}{{ range . }}{{ label "instance" . }}={{ value . }} {{ end }}{{ end }}`, "b=0.25 host-1.example.com:9100=1.234567e+06 "},
		{`{{ query "level > 1000" | first | value | humanize }}`, "1.235M"},
		{`{{ query "nothing" | first }}`, "<error expanding template: "},
		{`{{ query "level[" }}`, "<error expanding template: "},
		{`{{ strvalue (query "level > 1000" | first) }}`, ""},
		{`{{ graphLink "up" }}`, "/graph?g0.expr=up&g0.tab=0"},
		{`{{ tableLink "up" }}`, "/graph?g0.expr=up&g0.tab=1"},
		{`{{ $value }} {{ $labels.x }} {{ $externalLabels.e }}`, "2 y f"},
		{`{{ humanize "x" }}{{ humanize1024 "x" }}`, "<error expanding template: "},
	}
	for _, tt := range tests {
		ts, err := evalParseTemplates("annotation", "r", map[string]string{"a": tt.text}, funcs)
		require.NoError(t, err, tt.text)
		got := ts[0].expand(&evalTemplateData{Labels: map[string]string{"x": "y"}, ExternalLabels: map[string]string{"e": "f"}, Value: 2.0})
		if tt.want == "<error expanding template: " {
			assert.Contains(t, got, tt.want, tt.text)
			continue
		}
		assert.Equal(t, tt.want, got, tt.text)
	}
}

// FuzzEvalTemplate parses and renders any annotation text: parsing may
// fail, rendering must not panic.
func FuzzEvalTemplate(f *testing.F) {
	for _, s := range []string{`{{ $value | humanize }}`, `{{ $labels.x }}`, `{{ range query "up" }}{{ . }}{{ end }}`, `{{ toTime 1e300 }}`, `{{`, `plain`} {
		f.Add(s)
	}
	now := &evalTemplateNow{ctx: bg, ts: evalT0}
	funcs := evalTemplateFuncs(now, func(context.Context, string, time.Time) (promql.Vector, error) { return nil, nil })
	f.Fuzz(func(t *testing.T, text string) {
		ts, err := evalParseTemplates("annotation", "r", map[string]string{"a": text}, funcs)
		if err != nil {
			return
		}
		ts[0].expand(&evalTemplateData{Labels: map[string]string{"x": "y"}, Value: 1.5})
	})
}
