package notify

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf8"

	"github.com/o2kit/o2kit/alerting"
)

// Template is a title and a body rendered with text/template over an
// [alerting.Notification] (fields .Receiver, .Status, .GroupLabels,
// .CommonLabels, .CommonAnnotations, .Alerts, .Tier). Functions: join,
// upper, lower, title (first letter upper), sortedPairs (a label map as
// "k=v" strings in key order) and the text/template built-ins.
type Template struct {
	title, body *template.Template
}

// DefaultTitle and DefaultBody are the templates notifiers use unless given
// their own.
const (
	DefaultTitle = `[{{ .Status | upper }}{{ if eq .Status "firing" }}:{{ len .Alerts }}{{ end }}] {{ index .GroupLabels "alertname" }}{{ range $k, $v := .GroupLabels }}{{ if ne $k "alertname" }} {{ $k }}={{ $v }}{{ end }}{{ end }}`
	DefaultBody  = `{{ range .Alerts }}- [{{ .State }}] {{ index .Labels "alertname" }} ({{ index .Labels "severity" }}){{ with index .Annotations "summary" }}: {{ . }}{{ end }}
{{ with index .Annotations "description" }}  {{ . }}
{{ end }}  labels: {{ join (sortedPairs .Labels) ", " }}
  since: {{ .ActiveAt.UTC.Format "2006-01-02 15:04:05 MST" }}
{{ end }}`
)

var funcs = template.FuncMap{
	"join":  strings.Join,
	"upper": strings.ToUpper,
	"lower": strings.ToLower,
	"title": func(s string) string {
		r, n := utf8.DecodeRuneInString(s)
		if n == 0 {
			return s
		}
		return string(unicode.ToUpper(r)) + s[n:]
	},
	"sortedPairs": func(m map[string]string) []string {
		out := make([]string, 0, len(m))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			out = append(out, k+"="+m[k])
		}
		return out
	},
}

// NewTemplate parses a title and a body template; empty strings mean the
// defaults. A parse error names the template at fault.
func NewTemplate(title, body string) (*Template, error) {
	t := &Template{}
	var err error
	if t.title, err = parse("title", title, DefaultTitle); err != nil {
		return nil, err
	}
	if t.body, err = parse("body", body, DefaultBody); err != nil {
		return nil, err
	}
	return t, nil
}

func parse(name, text, def string) (*template.Template, error) {
	if text == "" {
		text = def
	}
	t, err := template.New(name).Funcs(funcs).Option("missingkey=zero").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("notify: %s template: %w", name, err)
	}
	return t, nil
}

// Render returns the title and the body for n.
func (t *Template) Render(n *alerting.Notification) (title, body string, err error) {
	if t == nil {
		if t, err = NewTemplate("", ""); err != nil {
			return "", "", err
		}
	}
	var b strings.Builder
	if err := t.title.Execute(&b, n); err != nil {
		return "", "", alerting.Permanent(fmt.Errorf("notify: title template: %w", err))
	}
	title = strings.TrimSpace(b.String())
	b.Reset()
	if err := t.body.Execute(&b, n); err != nil {
		return "", "", alerting.Permanent(fmt.Errorf("notify: body template: %w", err))
	}
	return title, strings.TrimRight(b.String(), "\n"), nil
}
