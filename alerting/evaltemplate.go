package alerting

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"math"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"text/template"
	"time"
	"unicode"

	"github.com/prometheus/common/helpers/templates"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/util/strutil"
)

// Label and annotation templates are Prometheus' alert templates: the
// same variables ($labels, $value, $externalLabels, $externalURL) and the
// same functions, parsed once when a group is compiled. Prometheus'
// template package is not used directly because it parses the text again
// for every alert and registers metrics with the global registry when
// imported.

// evalTemplateDefs are the variables Prometheus declares before every
// alert template.
const evalTemplateDefs = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}" +
	"{{$externalURL := .ExternalURL}}{{$value := .Value}}"

// evalTemplateData is what an alert template sees, as Prometheus'
// template.AlertTemplateData.
type evalTemplateData struct {
	Labels         map[string]string
	ExternalLabels map[string]string
	ExternalURL    string
	Value          any
}

// evalTemplate is one label or annotation: its name and either a constant
// value (tmpl nil, for text without actions) or a parsed template.
type evalTemplate struct {
	name, text string
	tmpl       *template.Template
}

// expand renders t with data; a failure gives the text Prometheus puts in
// its place.
func (t *evalTemplate) expand(data *evalTemplateData) string {
	if t.tmpl == nil {
		return t.text
	}
	var b bytes.Buffer
	if err := t.tmpl.Execute(&b, data); err != nil {
		return fmt.Sprintf("<error expanding template: %s>", err)
	}
	return b.String()
}

// evalParseTemplates parses a label or annotation map, sorted by name.
func evalParseTemplates(kind, rule string, m map[string]string, funcs template.FuncMap) ([]evalTemplate, error) {
	out := make([]evalTemplate, 0, len(m))
	for name, text := range m {
		t := evalTemplate{name: name, text: text}
		if strings.Contains(text, "{{") {
			tmpl, err := template.New("__alert_" + rule).Option("missingkey=zero").Funcs(funcs).Parse(evalTemplateDefs + text)
			if err != nil {
				return nil, fmt.Errorf("%s %q: %w", kind, name, err)
			}
			t.tmpl = tmpl
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// evalQueryFunc runs a PromQL query at a time for the query template
// function.
type evalQueryFunc func(ctx context.Context, q string, ts time.Time) (promql.Vector, error)

// evalTemplateNow is the time and context of the evaluation that is
// rendering templates; the group sets it before each evaluation.
type evalTemplateNow struct {
	ctx context.Context
	ts  time.Time
}

// evalTmplSample is an element of a query function's result, as
// Prometheus' templates see it.
type evalTmplSample struct {
	Labels map[string]string
	Value  float64
}

// evalTemplateFuncs returns Prometheus' alert template functions; query
// and now read the evaluation in progress from now.
func evalTemplateFuncs(now *evalTemplateNow, query evalQueryFunc) template.FuncMap {
	fm := template.FuncMap{
		"query": func(q string) ([]*evalTmplSample, error) {
			v, err := query(now.ctx, q, now.ts)
			if err != nil {
				return nil, err
			}
			out := make([]*evalTmplSample, len(v))
			for i, s := range v {
				out[i] = &evalTmplSample{Labels: s.Metric.Map(), Value: s.F}
			}
			return out, nil
		},
		"now": func() float64 { return float64(now.ts.UnixMilli()) / 1000 },
		"first": func(v []*evalTmplSample) (*evalTmplSample, error) {
			if len(v) > 0 {
				return v[0], nil
			}
			return nil, errors.New("first() called on vector with no elements")
		},
		"label":    func(name string, s *evalTmplSample) string { return s.Labels[name] },
		"value":    func(s *evalTmplSample) any { return s.Value },
		"strvalue": func(s *evalTmplSample) string { return s.Labels["__value__"] },
		"args": func(args ...any) map[string]any {
			m := make(map[string]any, len(args))
			for i, a := range args {
				m[fmt.Sprintf("arg%d", i)] = a
			}
			return m
		},
		"reReplaceAll": func(pattern, repl, text string) (string, error) {
			re, err := regexp.Compile(pattern)
			if err != nil {
				return "", err
			}
			return re.ReplaceAllString(text, repl), nil
		},
		"safeHtml":  func(text string) htmltemplate.HTML { return htmltemplate.HTML(text) },
		"match":     regexp.MatchString,
		"title":     evalTitle,
		"toUpper":   strings.ToUpper,
		"toLower":   strings.ToLower,
		"graphLink": strutil.GraphLinkForExpression,
		"tableLink": strutil.TableLinkForExpression,
		"sortByLabel": func(label string, v []*evalTmplSample) []*evalTmplSample {
			sort.SliceStable(v, func(i, j int) bool { return v[i].Labels[label] < v[j].Labels[label] })
			return v
		},
		"stripPort":          evalStripPort,
		"stripDomain":        evalStripDomain,
		"humanize":           evalHumanize,
		"humanize1024":       evalHumanize1024,
		"humanizeDuration":   templates.HumanizeDuration,
		"humanizePercentage": evalHumanizePercentage,
		"humanizeTimestamp":  templates.HumanizeTimestamp,
		"toTime": func(i any) (*time.Time, error) {
			v, err := templates.ConvertToFloat(i)
			if err != nil {
				return nil, err
			}
			return templates.FloatToTime(v)
		},
		"toDuration": func(i any) (*time.Duration, error) {
			v, err := templates.ConvertToFloat(i)
			if err != nil {
				return nil, err
			}
			d := time.Duration(v * float64(time.Second))
			return &d, nil
		},
		"pathPrefix":     func() string { return "" },
		"externalURL":    func() string { return "" },
		"parseDuration":  evalParseDuration,
		"urlQueryEscape": url.QueryEscape,
	}
	return fm
}

func evalParseDuration(d string) (float64, error) {
	v, err := model.ParseDurationAllowNegative(d)
	if err != nil {
		return 0, err
	}
	return time.Duration(v).Seconds(), nil
}

// evalTitle upper-cases the first letter of every word.
func evalTitle(s string) string {
	prev := ' '
	return strings.Map(func(r rune) rune {
		up := unicode.IsSpace(prev) || unicode.IsPunct(prev) && prev != '\''
		prev = r
		if up {
			return unicode.ToTitle(r)
		}
		return r
	}, s)
}

func evalStripPort(hostPort string) string {
	host, _, err := net.SplitHostPort(hostPort)
	if err != nil {
		return hostPort
	}
	return host
}

func evalStripDomain(hostPort string) string {
	host, port, err := net.SplitHostPort(hostPort)
	if err != nil {
		host = hostPort
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return hostPort
	}
	host, _, _ = strings.Cut(host, ".")
	if port != "" {
		return net.JoinHostPort(host, port)
	}
	return host
}

// evalHumanize formats a number with an SI prefix, as Prometheus'
// humanize: 1234567 is "1.235M", 0.0012 is "1.2m".
func evalHumanize(i any) (string, error) {
	v, err := templates.ConvertToFloat(i)
	if err != nil {
		return "", err
	}
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Sprintf("%.4g", v), nil
	}
	prefix := ""
	if math.Abs(v) >= 1 {
		for _, p := range []string{"k", "M", "G", "T", "P", "E", "Z", "Y"} {
			if math.Abs(v) < 1000 {
				break
			}
			prefix, v = p, v/1000
		}
		return fmt.Sprintf("%.4g%s", v, prefix), nil
	}
	for _, p := range []string{"m", "u", "n", "p", "f", "a", "z", "y"} {
		if math.Abs(v) >= 1 {
			break
		}
		prefix, v = p, v*1000
	}
	return fmt.Sprintf("%.4g%s", v, prefix), nil
}

// evalHumanize1024 formats a number with a binary prefix (ki, Mi...).
func evalHumanize1024(i any) (string, error) {
	v, err := templates.ConvertToFloat(i)
	if err != nil {
		return "", err
	}
	if math.Abs(v) <= 1 || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Sprintf("%.4g", v), nil
	}
	prefix := ""
	for _, p := range []string{"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"} {
		if math.Abs(v) < 1024 {
			break
		}
		prefix, v = p, v/1024
	}
	return fmt.Sprintf("%.4g%s", v, prefix), nil
}

func evalHumanizePercentage(i any) (string, error) {
	v, err := templates.ConvertToFloat(i)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%.4g%%", v*100), nil
}
