package alerting

import (
	"runtime"
	"slices"
	"sync"
	"weak"

	"github.com/prometheus/prometheus/promql/parser"
)

// evalParser is the parser of the evaluator's engine. The engine parses
// the string of every query it is given and then rewrites the tree it runs
// (it wraps step-invariant parts, fixes @ and offset times and fills in the
// selected series), so a parsed tree cannot be handed to it twice. Instead
// the expressions of compiled rules are parsed once, at compile, and kept;
// ParseExpr returns a deep copy of the kept tree, which costs a fraction
// of a parse. Any other string, such as a template's query, is parsed by
// the real parser and not kept.
//
// A kept tree lives as long as a compiled rule refers to it: the cache
// holds it weakly, and the entry goes when the last group using the
// expression has been replaced or removed and collected.
type evalParser struct {
	parser.Parser // the real parser, for misses and every other method

	mu    sync.Mutex
	cache map[string]weak.Pointer[evalParsed] // by expression; guarded by mu
}

// evalParsed is a kept tree; compiled rules hold it to keep it cached.
type evalParsed struct {
	expr parser.Expr
}

func newEvalParser(p parser.Parser) *evalParser {
	return &evalParser{Parser: p, cache: map[string]weak.Pointer[evalParsed]{}}
}

// compile parses qs, or finds the tree kept for it, and keeps it for as
// long as the caller holds the result.
func (p *evalParser) compile(qs string) (*evalParsed, error) {
	if ep := p.lookup(qs); ep != nil {
		return ep, nil
	}
	expr, err := p.Parser.ParseExpr(qs)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if w, ok := p.cache[qs]; ok {
		if ep := w.Value(); ep != nil {
			return ep, nil // compiled meanwhile by another group
		}
	}
	ep := &evalParsed{expr: expr}
	w := weak.Make(ep)
	p.cache[qs] = w
	runtime.AddCleanup(ep, p.drop, evalParseKey{qs: qs, w: w})
	return ep, nil
}

// evalParseKey names a cache entry for its cleanup.
type evalParseKey struct {
	qs string
	w  weak.Pointer[evalParsed]
}

// drop deletes the entry of a collected tree, unless a newer one replaced
// it.
func (p *evalParser) drop(k evalParseKey) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cache[k.qs] == k.w {
		delete(p.cache, k.qs)
	}
}

func (p *evalParser) lookup(qs string) *evalParsed {
	p.mu.Lock()
	defer p.mu.Unlock()
	if w, ok := p.cache[qs]; ok {
		return w.Value()
	}
	return nil
}

// len returns the number of kept expressions.
func (p *evalParser) len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.cache)
}

// ParseExpr implements [parser.Parser]: a copy of the kept tree of a
// compiled expression, else the real parser's result.
func (p *evalParser) ParseExpr(qs string) (parser.Expr, error) {
	if ep := p.lookup(qs); ep != nil {
		if c, ok := evalCopyExpr(ep.expr); ok {
			return c, nil
		}
	}
	return p.Parser.ParseExpr(qs)
}

// evalCopyExpr returns a deep copy of e: every node, slice and pointer to
// a value is new; only immutable parts are shared (label matchers, the
// function table's entries, strings). It reports false for a node type it
// does not know, which a newer parser might produce.
func evalCopyExpr(e parser.Expr) (parser.Expr, bool) {
	if e == nil {
		return nil, true
	}
	c := evalCopier{ok: true}
	out := c.expr(e)
	return out, c.ok
}

// evalCopier copies trees; ok turns false at an unknown node.
type evalCopier struct{ ok bool }

func (c *evalCopier) expr(e parser.Expr) parser.Expr {
	switch n := e.(type) {
	case nil:
		return nil
	case *parser.AggregateExpr:
		x := *n
		x.Expr, x.Param, x.Grouping = c.expr(n.Expr), c.expr(n.Param), slices.Clone(n.Grouping)
		return &x
	case *parser.BinaryExpr:
		x := *n
		x.LHS, x.RHS, x.VectorMatching = c.expr(n.LHS), c.expr(n.RHS), evalCopyMatching(n.VectorMatching)
		return &x
	case *parser.Call:
		x := *n
		if n.Args != nil {
			x.Args = make(parser.Expressions, len(n.Args))
			for i, a := range n.Args {
				x.Args[i] = c.expr(a)
			}
		}
		return &x
	case *parser.MatrixSelector:
		x := *n
		x.VectorSelector, x.RangeExpr = c.expr(n.VectorSelector), c.duration(n.RangeExpr)
		return &x
	case *parser.SubqueryExpr:
		x := *n
		x.Expr, x.RangeExpr, x.StepExpr = c.expr(n.Expr), c.duration(n.RangeExpr), c.duration(n.StepExpr)
		x.OriginalOffsetExpr, x.Timestamp = c.duration(n.OriginalOffsetExpr), evalCopyPtr(n.Timestamp)
		return &x
	case *parser.VectorSelector:
		x := *n
		x.OriginalOffsetExpr, x.Timestamp = c.duration(n.OriginalOffsetExpr), evalCopyPtr(n.Timestamp)
		x.LabelMatchers = slices.Clone(n.LabelMatchers)
		x.UnexpandedSeriesSet, x.Series = nil, nil
		return &x
	case *parser.NumberLiteral:
		x := *n
		return &x
	case *parser.StringLiteral:
		x := *n
		return &x
	case *parser.ParenExpr:
		x := *n
		x.Expr = c.expr(n.Expr)
		return &x
	case *parser.UnaryExpr:
		x := *n
		x.Expr = c.expr(n.Expr)
		return &x
	case *parser.StepInvariantExpr:
		x := *n
		x.Expr = c.expr(n.Expr)
		return &x
	case *parser.DurationExpr:
		return c.duration(n)
	}
	c.ok = false
	return e
}

// duration copies a duration expression; nil stays nil.
func (c *evalCopier) duration(n *parser.DurationExpr) *parser.DurationExpr {
	if n == nil {
		return nil
	}
	x := *n
	x.LHS, x.RHS = c.expr(n.LHS), c.expr(n.RHS)
	return &x
}

func evalCopyMatching(m *parser.VectorMatching) *parser.VectorMatching {
	if m == nil {
		return nil
	}
	x := *m
	x.MatchingLabels, x.Include = slices.Clone(m.MatchingLabels), slices.Clone(m.Include)
	x.FillValues.LHS, x.FillValues.RHS = evalCopyPtr(m.FillValues.LHS), evalCopyPtr(m.FillValues.RHS)
	return &x
}

func evalCopyPtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
