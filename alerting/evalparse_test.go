package alerting

import (
	"fmt"
	"math"
	"reflect"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/metrics"
)

// evalCountingParser counts the real parses the engine asks for.
type evalCountingParser struct {
	parser.Parser
	n atomic.Int64
}

func (p *evalCountingParser) ParseExpr(qs string) (parser.Expr, error) {
	p.n.Add(1)
	return p.Parser.ParseExpr(qs)
}

// evalSwitchSource reads the corpus case being run.
type evalSwitchSource struct {
	cur atomic.Pointer[evalCorpusSource]
}

func (s *evalSwitchSource) Select(name string, from, to int64, ms ...metrics.Matcher) []metrics.Series {
	return s.cur.Load().Select(name, from, to, ms...)
}

// evalResultText renders a query's outcome for comparison: the error, or
// every element's labels and the bits of its value.
func evalResultText(t *testing.T, e *evaluator, expr string, ts time.Time) string {
	t.Helper()
	vec, err := e.query(bg, expr, ts)
	if err != nil {
		return "error: " + err.Error()
	}
	out := make([]string, 0, len(vec))
	for _, s := range vec {
		v := fmt.Sprintf("%x", math.Float64bits(s.F))
		if s.H != nil {
			v = s.H.String()
		}
		out = append(out, fmt.Sprintf("%s %d %s", s.Metric, s.T, v))
	}
	slices.Sort(out)
	return fmt.Sprint(out)
}

// TestEvalParseCorpus runs every instant query of Prometheus' PromQL test
// files that parses three times, at different times, through the kept
// tree, and compares each result with a fresh parse's. No evaluation
// parses again, and evaluation leaves the kept tree as the parser made it.
func TestEvalParseCorpus(t *testing.T) {
	cases := evalCorpus(t)
	src := &evalSwitchSource{}
	cached := newTestEvaluator(t, evalConfig{Sources: []Source{src}})
	fresh := newTestEvaluator(t, evalConfig{Sources: []Source{src}})
	counter := &evalCountingParser{Parser: cached.parser.Parser}
	cached.parser.Parser = counter
	var kept []*evalParsed // holds the trees in the cache for the test
	compiled, nonEmpty := 0, 0
	for _, c := range cases {
		ep, err := cached.parser.compile(c.expr)
		if err != nil {
			continue
		}
		kept = append(kept, ep)
		compiled++
		src.cur.Store(c.data)
		before := counter.n.Load()
		for _, off := range []time.Duration{0, time.Minute, 7*time.Minute + 30*time.Second} {
			ts := time.UnixMilli(0).Add(c.at + off)
			want := evalResultText(t, fresh, c.expr, ts)
			got := evalResultText(t, cached, c.expr, ts)
			require.Equal(t, want, got, "%s: %s at %v", c.file, c.expr, c.at+off)
			if want != "[]" && want[:6] != "error:" {
				nonEmpty++
			}
		}
		require.Equal(t, before, counter.n.Load(), "%s: %s was parsed again", c.file, c.expr)
		again, err := counter.Parser.ParseExpr(c.expr)
		require.NoError(t, err)
		require.Equal(t, evalDump(again), evalDump(ep.expr), "%s: %s: evaluation changed the kept tree", c.file, c.expr)
	}
	t.Logf("%d queries of %d compiled, %d results compared with data", compiled, len(cases), nonEmpty)
	require.Greater(t, compiled, 1000)
	require.Greater(t, nonEmpty, 1000)
	require.NotEmpty(t, kept)
}

// TestEvalCopyExprCorpus copies every expression of the corpus, and more
// that only the experimental parser options accept: the copy prints and
// compares equal to the original and shares no node, slice or pointer
// with it except label matchers and functions.
func TestEvalCopyExprCorpus(t *testing.T) {
	p := parser.NewParser(parser.Options{EnableExperimentalFunctions: true, EnableBinopFillModifiers: true, EnableUnquotedUTF8Names: true})
	exprs := slices.Clone(evalParseExtra)
	for _, c := range evalCorpus(t) {
		exprs = append(exprs, c.expr)
	}
	n := 0
	for _, s := range exprs {
		orig, err := p.ParseExpr(s)
		if err != nil {
			continue
		}
		n++
		cp, ok := evalCopyExpr(orig)
		require.True(t, ok, s)
		require.Equal(t, orig.String(), cp.String(), s)
		require.Equal(t, evalDump(orig), evalDump(cp), s)
		seen := map[uintptr]string{}
		evalPointers(reflect.ValueOf(orig), func(p uintptr, what string) { seen[p] = what })
		evalPointers(reflect.ValueOf(cp), func(p uintptr, what string) {
			assert.NotContains(t, seen, p, "%s: the copy shares a %s", s, what)
		})
	}
	require.Greater(t, n, 1000)
	for _, s := range evalParseExtra {
		_, err := p.ParseExpr(s)
		require.NoError(t, err, s)
	}
}

// evalParseExtra covers node types and modifiers the corpus might miss.
var evalParseExtra = []string{
	`sum by (job) (rate(http_requests_total{job=~"api.*",code!="200"}[5m] offset 1m @ 100))`,
	`topk(3, sum without (instance) (x)) * on (job) group_left (env) y`,
	`x and on (job) y or ignoring (a) z`,
	`quantile(0.9, x) / ignoring (code) group_right (a, b) y`,
	`count_values("value", x)`,
	`-x unless y`,
	`max_over_time(rate(x[1m])[10m:30s] offset -1m)`,
	`avg_over_time(x[5m:] @ end())`,
	`x @ start() offset 5m`,
	`label_replace(x, "dst", "$1", "src", "(.*)")`,
	`x > bool 3`,
	`(x + 1) * 2 ^ 3 % 4`,
	`"a string"`,
	`time() - vector(1)`,
	`x[5m+1m:1m*2] offset (1m+30s)`,
	`limitk(2, x)`,
	`limit_ratio(0.5, x)`,
	`x + fill(0) y`,
	`x + on (a) fill_left(1) fill_right(2) y`,
	`rate(x[step()])`,
	`sort_by_label(x, "a")`,
}

// TestEvalParseOnce evaluates a compiled group three times, at three
// times: the engine never parses, and the cache keeps one tree per
// expression, shared by groups, for as long as a group uses it.
func TestEvalParseOnce(t *testing.T) {
	lv := &levels{}
	lv.set(map[string]float64{"a": 1, "b": 5})
	e := newTestEvaluator(t, evalConfig{Sources: []Source{lv}})
	counter := &evalCountingParser{Parser: e.parser.Parser}
	e.parser.Parser = counter
	rules := []Rule{
		{Record: "level:doubled", Expr: `level * 2`},
		{Name: "High", Expr: `level:doubled > 4`, Annotations: map[string]string{"summary": `{{ query "vector(1)" }}`}},
		{Name: "Avg", Expr: `avg_over_time(level[5m:1m]) > 0`},
	}
	g1, g2 := compileTest(t, e, rules...), compileTest(t, e, rules[2])
	require.Equal(t, 3, e.parser.len())
	parsedAtCompile := counter.n.Load()
	for i := range 3 {
		res := g1.eval(bg, evalT0.Add(time.Duration(i)*time.Minute))
		require.Empty(t, res.Errors)
		require.Len(t, res.Alerts, 3) // High for b, Avg for a and b
		require.Empty(t, g2.eval(bg, evalT0).Errors)
	}
	// Only the template's query, which no rule compiled, was parsed.
	require.Equal(t, parsedAtCompile+3, counter.n.Load())

	g1, g2 = nil, nil
	for i := 0; i < 1000 && e.parser.len() > 0; i++ {
		runtime.GC()
		runtime.Gosched()
	}
	require.Zero(t, e.parser.len(), "the trees of dropped groups stay cached")
	_, _ = g1, g2
}

// evalOddExpr is a node type the copier does not know.
type evalOddExpr struct{ parser.NumberLiteral }

// TestEvalParseFallback parses strings that no rule compiled, and trees
// the copier cannot copy, with the real parser.
func TestEvalParseFallback(t *testing.T) {
	counter := &evalCountingParser{Parser: parser.NewParser(parser.Options{})}
	p := newEvalParser(counter)
	expr, err := p.ParseExpr(`up == 1`)
	require.NoError(t, err)
	require.Equal(t, `up == 1`, expr.String())
	require.EqualValues(t, 1, counter.n.Load())
	require.Zero(t, p.len(), "a miss is not kept")

	_, err = p.compile(`up{`)
	require.Error(t, err)
	_, err = p.ParseExpr(`up{`)
	require.Error(t, err)

	ep, err := p.compile(`up == 1`)
	require.NoError(t, err)
	ep.expr = &parser.BinaryExpr{Op: parser.ADD, LHS: &evalOddExpr{}, RHS: &parser.NumberLiteral{Val: 1}}
	counter.n.Store(0)
	expr, err = p.ParseExpr(`up == 1`)
	require.NoError(t, err)
	require.Equal(t, `up == 1`, expr.String())
	require.EqualValues(t, 1, counter.n.Load())
	runtime.KeepAlive(ep)

	c, ok := evalCopyExpr(nil)
	require.True(t, ok)
	require.Nil(t, c)
}

// FuzzEvalCopyExpr copies whatever the parser accepts: the copy prints as
// the original, equals it field by field and shares nothing mutable.
//
//	go test -run '^$' -fuzz FuzzEvalCopyExpr -fuzztime 20s ./alerting
func FuzzEvalCopyExpr(f *testing.F) {
	for _, s := range evalParseExtra {
		f.Add(s)
	}
	p := parser.NewParser(parser.Options{EnableExperimentalFunctions: true, EnableBinopFillModifiers: true})
	f.Fuzz(func(t *testing.T, s string) {
		orig, err := p.ParseExpr(s)
		if err != nil {
			return
		}
		cp, ok := evalCopyExpr(orig)
		require.True(t, ok)
		require.Equal(t, orig.String(), cp.String())
		require.Equal(t, evalDump(orig), evalDump(cp))
		seen := map[uintptr]bool{}
		evalPointers(reflect.ValueOf(orig), func(p uintptr, _ string) { seen[p] = true })
		evalPointers(reflect.ValueOf(cp), func(p uintptr, what string) {
			require.False(t, seen[p], "the copy shares a %s", what)
		})
	})
}
