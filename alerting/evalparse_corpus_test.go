package alerting

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/metrics"
)

// evalCorpusCase is one instant query of Prometheus' own PromQL test
// files, with the float series loaded before it.
type evalCorpusCase struct {
	file string
	expr string
	at   time.Duration
	data *evalCorpusSource
}

// evalCorpus reads the instant queries of the PromQL test files of the
// Prometheus module in use (promql/promqltest/testdata/*.test): the
// series each "load" block gives (floats only; the sources have no
// native histograms) and every "eval instant at" query after it. It skips
// the test when the module's sources are not on the machine.
func evalCorpus(t *testing.T) []evalCorpusCase {
	t.Helper()
	dir := evalPromDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "promql", "promqltest", "testdata", "*.test"))
	require.NoError(t, err)
	if len(files) == 0 {
		t.Skip("no PromQL test files in " + dir)
	}
	var out []evalCorpusCase
	for _, f := range files {
		out = append(out, evalCorpusFile(t, f)...)
	}
	return out
}

// evalPromDir is the directory of the Prometheus module the build uses,
// found from where its parser's source is.
func evalPromDir(t *testing.T) string {
	t.Helper()
	file, _ := runtime.FuncForPC(reflect.ValueOf(parser.NewParser).Pointer()).FileLine(0)
	dir := filepath.Dir(filepath.Dir(filepath.Dir(file))) // up from promql/parser
	if _, err := os.Stat(filepath.Join(dir, "promql")); err != nil {
		t.Skip("Prometheus sources not found: " + file)
	}
	return dir
}

var (
	evalCorpusLoad = regexp.MustCompile(`^load\S*\s+(\S+)`)
	evalCorpusEval = regexp.MustCompile(`^eval\S*\s+instant\s+at\s+(\S+)\s+(.+)$`)
)

func evalCorpusFile(t *testing.T, name string) []evalCorpusCase {
	t.Helper()
	f, err := os.Open(name)
	require.NoError(t, err)
	defer func() { require.NoError(t, f.Close()) }()
	var (
		out     []evalCorpusCase
		data    = &evalCorpusSource{}
		step    time.Duration
		loading bool
	)
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		indented := strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")
		switch m, e := evalCorpusLoad.FindStringSubmatch(line), evalCorpusEval.FindStringSubmatch(line); {
		case loading && indented:
			data = data.with(line, step)
			continue
		case strings.TrimSpace(line) == "clear":
			data = &evalCorpusSource{}
		case m != nil:
			d, err := model.ParseDuration(m[1])
			loading, step = err == nil, time.Duration(d)
			continue
		case e != nil:
			if d, err := model.ParseDuration(e[1]); err == nil {
				out = append(out, evalCorpusCase{file: filepath.Base(name), expr: strings.TrimSpace(e[2]), at: time.Duration(d), data: data})
			}
		}
		loading = false
	}
	require.NoError(t, sc.Err())
	return out
}

// evalCorpusSource is a Source over loaded series; with returns a copy
// with one more, so the cases before a load keep their data.
type evalCorpusSource struct{ series []metrics.Series }

var evalCorpusParser = parser.NewParser(parser.Options{})

func (s *evalCorpusSource) with(desc string, step time.Duration) *evalCorpusSource {
	lset, vals, err := evalCorpusParser.ParseSeriesDesc(strings.TrimSpace(desc))
	name := lset.Get(labels.MetricName)
	if err != nil || name == "" {
		return s
	}
	ser := metrics.Series{Name: name, Labels: evalToMetricsLabels(lset)}
	for i, v := range vals {
		if v.Histogram != nil {
			return s
		}
		if !v.Omitted {
			ser.Samples = append(ser.Samples, metrics.Sample{T: (time.Duration(i) * step).Milliseconds(), V: v.Value})
		}
	}
	return &evalCorpusSource{series: append(s.series[:len(s.series):len(s.series)], ser)}
}

func (s *evalCorpusSource) Select(name string, from, to int64, ms ...metrics.Matcher) []metrics.Series {
	var out []metrics.Series
	for _, x := range s.series {
		if (name != "" && x.Name != name) || !evalMatchAll(x.Labels, ms) {
			continue
		}
		var smp []metrics.Sample
		for _, p := range x.Samples {
			if p.T >= from && p.T <= to {
				smp = append(smp, p)
			}
		}
		if len(smp) > 0 {
			out = append(out, metrics.Series{Name: x.Name, Labels: x.Labels, Samples: smp})
		}
	}
	return out
}

var (
	evalMatcherType  = reflect.TypeFor[labels.Matcher]()
	evalFunctionType = reflect.TypeFor[parser.Function]()
)

// evalPointers calls fn with every pointer and slice array of v's tree,
// except the immutable matchers and functions.
func evalPointers(v reflect.Value, fn func(uintptr, string)) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || v.Type().Elem() == evalMatcherType || v.Type().Elem() == evalFunctionType {
			return
		}
		fn(v.Pointer(), v.Type().String())
		evalPointers(v.Elem(), fn)
	case reflect.Interface:
		if !v.IsNil() {
			evalPointers(v.Elem(), fn)
		}
	case reflect.Slice:
		if v.Cap() > 0 {
			fn(v.Pointer(), v.Type().String())
		}
		for i := range v.Len() {
			evalPointers(v.Index(i), fn)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			evalPointers(v.Field(i), fn)
		}
	}
}

// evalDump prints a tree with every field, unexported ones too, floats
// as bits (so NaN equals NaN), matchers and functions by name.
func evalDump(e parser.Expr) string {
	var b strings.Builder
	var dump func(v reflect.Value)
	dump = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			switch {
			case v.IsNil():
				b.WriteString("nil")
			case v.Type() == reflect.TypeFor[*labels.Matcher]():
				fmt.Fprintf(&b, "%q", v.MethodByName("String").Call(nil)[0].String())
			case v.Type() == reflect.TypeFor[*parser.Function]():
				b.WriteString(v.Elem().FieldByName("Name").String())
			default:
				b.WriteString("&")
				dump(v.Elem())
			}
		case reflect.Slice:
			fmt.Fprintf(&b, "%d[", v.Len())
			for i := range v.Len() {
				dump(v.Index(i))
				b.WriteString(" ")
			}
			b.WriteString("]")
		case reflect.Struct:
			b.WriteString(v.Type().Name() + "{")
			for i := range v.NumField() {
				b.WriteString(v.Type().Field(i).Name + ":")
				dump(v.Field(i))
				b.WriteString(" ")
			}
			b.WriteString("}")
		case reflect.Float32, reflect.Float64:
			fmt.Fprintf(&b, "%x", math.Float64bits(v.Float()))
		case reflect.String:
			fmt.Fprintf(&b, "%q", v.String())
		case reflect.Bool:
			fmt.Fprint(&b, v.Bool())
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			fmt.Fprint(&b, v.Int())
		default:
			fmt.Fprintf(&b, "?%s", v.Kind())
		}
	}
	dump(reflect.ValueOf(&e).Elem())
	return b.String()
}
