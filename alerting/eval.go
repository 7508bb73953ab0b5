package alerting

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/o2kit/o2kit"
)

// Defaults of evalConfig.
const (
	evalDefaultLookback     = 5 * time.Minute
	evalDefaultQueryTimeout = time.Minute
	evalDefaultMaxSamples   = 5_000_000
	// evalSubqueryStep is the step of a subquery that gives none, as
	// Prometheus' default evaluation interval.
	evalSubqueryStep = time.Minute
)

// evalConfig configures an evaluator.
type evalConfig struct {
	Sources        []Source // merged into one storage.Queryable; may be empty
	Search         func(ctx context.Context, req o2kit.SearchRequest) (*o2kit.SearchResponse, error)
	Lookback       time.Duration     // PromQL lookback delta; default 5m
	ExternalLabels map[string]string // $externalLabels in templates
	SlowRule       time.Duration     // rules slower than this are listed in evalResult.Slow; 0 = never
	QueryTimeout   time.Duration     // per rule; default 1m
	MaxSamples     int               // engine limit; default 5e6
}

func (c *evalConfig) defaults() {
	if c.Lookback <= 0 {
		c.Lookback = evalDefaultLookback
	}
	if c.QueryTimeout <= 0 {
		c.QueryTimeout = evalDefaultQueryTimeout
	}
	if c.MaxSamples <= 0 {
		c.MaxSamples = evalDefaultMaxSamples
	}
}

// evaluator runs the rules of compiled groups with one PromQL engine over
// the configured Sources and the results of recording rules. It is safe
// for concurrent use; each group it compiles is evaluated by one caller
// at a time.
type evaluator struct {
	cfg       evalConfig
	engine    *promql.Engine
	parser    *evalParser // keeps the trees of compiled rules
	overlay   *evalOverlay
	queryable evalQueryable
	maxOffset atomic.Int64 // the largest QueryOffset compiled, in ns
}

func newEvaluator(cfg evalConfig) *evaluator {
	cfg.defaults()
	p := newEvalParser(parser.NewParser(parser.Options{}))
	overlay := newEvalOverlay()
	srcs := append(append(make([]Source, 0, len(cfg.Sources)+1), cfg.Sources...), overlay)
	return &evaluator{
		cfg:     cfg,
		parser:  p,
		overlay: overlay,
		engine: promql.NewEngine(promql.EngineOpts{
			MaxSamples:               cfg.MaxSamples,
			Timeout:                  cfg.QueryTimeout,
			LookbackDelta:            cfg.Lookback,
			NoStepSubqueryIntervalFn: func(int64) int64 { return evalSubqueryStep.Milliseconds() },
			EnableAtModifier:         true,
			EnableNegativeOffset:     true,
			Parser:                   p,
		}),
		queryable: evalQueryable{sources: srcs},
	}
}

// close releases the engine.
func (e *evaluator) close() error { return e.engine.Close() }

// query runs a PromQL expression at ts and returns its result as a
// vector; a scalar becomes one element without labels, as in Prometheus'
// rule manager.
func (e *evaluator) query(ctx context.Context, expr string, ts time.Time) (promql.Vector, error) {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.QueryTimeout)
	defer cancel()
	q, err := e.engine.NewInstantQuery(ctx, e.queryable, nil, expr, ts)
	if err != nil {
		return nil, err
	}
	defer q.Close()
	res := q.Exec(ctx)
	if res.Err != nil {
		return nil, res.Err
	}
	switch v := res.Value.(type) {
	case promql.Vector:
		return v, nil
	case promql.Scalar:
		return promql.Vector{promql.Sample{T: v.T, F: v.V}}, nil
	}
	return nil, fmt.Errorf("rule result is a %s, not a vector or scalar", res.Value.Type())
}

// groupEval is a compiled group: its rules with parsed expressions and
// templates, and the state of every alert series they produced.
type groupEval struct {
	e      *evaluator
	name   string
	limit  int           // Group.Limit; 0 is none
	offset time.Duration // Group.QueryOffset
	rules  []*evalRule

	evalMu sync.Mutex      // serialises eval; guards now
	now    evalTemplateNow // the evaluation templates render for

	mu sync.Mutex // guards the active maps of the rules
}

// evalResult is what one evaluation of a group did.
type evalResult struct {
	At      time.Time
	Took    time.Duration
	Changes []transition // every state change, in rule order
	Alerts  []Alert      // pending or firing after this eval, plus those resolved in it
	Errors  []error      // per-rule failures, each naming the rule ID
	Slow    []slowRule
}

// transition is one state change; Alert.State is the new state.
type transition struct {
	Alert Alert
	From  State
}

// slowRule is a rule whose evaluation took longer than evalConfig.SlowRule.
type slowRule struct {
	RuleID string
	Took   time.Duration
}

// compile parses every expression and template of g, which is already
// validated and has its rule IDs set.
func (e *evaluator) compile(g Group) (*groupEval, error) {
	ge := &groupEval{e: e, name: g.Name, limit: g.Limit, offset: g.QueryOffset, rules: make([]*evalRule, 0, len(g.Rules))}
	funcs := evalTemplateFuncs(&ge.now, e.query)
	for _, r := range g.Rules {
		er, err := e.compileRule(r, funcs)
		if err != nil {
			return nil, &RuleError{Group: g.Name, Rule: r.ID, Field: err.field, Err: err.err}
		}
		ge.rules = append(ge.rules, er)
	}
	for {
		m := e.maxOffset.Load()
		if int64(g.QueryOffset) <= m || e.maxOffset.CompareAndSwap(m, int64(g.QueryOffset)) {
			break
		}
	}
	return ge, nil
}

// eval evaluates every enabled rule of the group at ts, in order; the
// conditions read the data at ts minus the group's query offset.
func (g *groupEval) eval(ctx context.Context, ts time.Time) evalResult {
	g.evalMu.Lock()
	defer g.evalMu.Unlock()
	start := time.Now()
	g.now = evalTemplateNow{ctx: ctx, ts: ts}
	defer func() { g.now = evalTemplateNow{} }()
	// Recorded series stay while any group, however delayed, may read them.
	keep := 2*g.e.cfg.Lookback + time.Duration(g.e.maxOffset.Load())
	g.e.overlay.prune(ts.Add(-keep).UnixMilli())
	res := evalResult{At: ts}
	for _, r := range g.rules {
		t0 := time.Now()
		changes, err := g.evalRule(ctx, r, ts)
		took := time.Since(t0)
		res.Changes = append(res.Changes, changes...)
		if err != nil {
			res.Errors = append(res.Errors, fmt.Errorf("alerting: group %q, rule %q: %w", g.name, r.rule.ID, err))
		}
		if slow := g.e.cfg.SlowRule; slow > 0 && took > slow {
			res.Slow = append(res.Slow, slowRule{RuleID: r.rule.ID, Took: took})
		}
	}
	res.Alerts = g.current(ts)
	res.Took = time.Since(start)
	return res
}

// evalRule evaluates one rule and applies its result to the rule's
// alerts. A failed query leaves them as they were; a result over the
// group's limit ends them all, as Prometheus resets them.
func (g *groupEval) evalRule(ctx context.Context, r *evalRule, ts time.Time) ([]transition, error) {
	if r.rule.Disabled {
		g.mu.Lock()
		defer g.mu.Unlock()
		return r.dropAll(ts), nil
	}
	found, err := r.run(ctx, g.e, ts.Add(-g.offset))
	if err != nil {
		return nil, err
	}
	if r.rule.Record != "" {
		return nil, r.record(g.e.overlay, found, ts.Add(-g.offset), g.limit)
	}
	active, err := r.activeSeries(found, g.e.cfg.ExternalLabels)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if n := r.countActive(ts, active); g.limit > 0 && n > g.limit {
		return r.dropAll(ts), fmt.Errorf("exceeded limit of %d with %d alerts", g.limit, n)
	}
	return r.update(ts, active), nil
}

// current returns copies of the alerts pending or firing, and those
// resolved at ts, in rule order.
func (g *groupEval) current(ts time.Time) []Alert {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []Alert
	for _, r := range g.rules {
		out = r.appendAlerts(out, func(a *Alert) bool {
			return a.State != StateResolved || a.ResolvedAt.Equal(ts)
		})
	}
	return out
}

// alerts returns copies of the group's pending, firing and recently
// resolved alerts.
func (g *groupEval) alerts() []Alert {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []Alert
	for _, r := range g.rules {
		out = r.appendAlerts(out, func(*Alert) bool { return true })
	}
	return out
}

// restore reinstates the pending and firing alerts among alerts whose rule
// is in this group, as they were: same ID, ActiveAt, FiredAt,
// labels and acknowledgement. A restored pending alert fires when its For
// has passed since its ActiveAt; a firing one goes on firing.
func (g *groupEval) restore(alerts []Alert) {
	byID := make(map[string]*evalRule, len(g.rules))
	for _, r := range g.rules {
		if r.rule.Record == "" {
			byID[r.rule.ID] = r
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, a := range alerts {
		if r := byID[a.RuleID]; r != nil && (a.State == StatePending || a.State == StateFiring) {
			r.restore(a)
		}
	}
}
