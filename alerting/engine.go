package alerting

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/o2kit/o2kit"
)

// nullReceiver stands for "no notifications" when no receiver is given.
const nullReceiver = "none"

// Engine evaluates alert rules in the process, tracks each alert series'
// state, routes notifications and serves the HTTP API. Make one with
// [NewEngine], start it with [Engine.Run] and stop it with
// [Engine.Shutdown] before the client's own Shutdown. All its methods are
// safe for concurrent use.
type Engine struct {
	client *o2kit.Client
	cfg    *config
	eval   *evaluator
	disp   *dispatcher
	hist   *history
	state  *stateFile // nil without WithStateDir
	n      counters

	mu        sync.Mutex // guards groups, loops, overrides, runCtx, running, closed, saving, cancel and wg.Go
	groups    []*group
	loops     map[string]bool // groups with an evaluation loop running
	overrides ruleOverrides
	runCtx    context.Context // Run's context while it runs
	running   bool
	closed    bool
	cancel    context.CancelFunc
	wg        sync.WaitGroup // the group loops and the saver
	done      chan struct{}  // closed when Run returns
	saving    bool           // the saver goroutine writes the state file
	dirty     chan struct{}  // asks the saver for a write; capacity 1
	saveMu    sync.Mutex     // serialises state file writes
	editMu    sync.Mutex     // serialises rule edits
}

// group is one rule group and its compiled evaluator.
type group struct {
	def Group
	ev  *groupEval

	// run is held while an evaluation's results are applied, and by a
	// rule edit while it copies the group's alert state, so an edit never
	// starts from the state before an evaluation whose results then land
	// a second time. Lock order: Engine.editMu, run, Engine.mu.
	run     sync.Mutex
	retired bool // replaced by an edit: its evaluations are dropped; guarded by run
}

// NewEngine makes an engine for the client: it loads the rule files and
// groups, checks every rule, the routes and receivers, and restores the
// state file if WithStateDir is set. No goroutine starts before Run.
func NewEngine(client *o2kit.Client, opts ...Option) (*Engine, error) {
	if client == nil {
		return nil, errors.New("alerting: nil client")
	}
	cfg, err := newConfig(client, opts)
	if err != nil {
		return nil, err
	}
	e := &Engine{client: client, cfg: cfg, done: make(chan struct{}), dirty: make(chan struct{}, 1)}
	e.hist = &history{client: client, stream: cfg.stream, errs: cfg.errs, now: cfg.now}
	var saved *savedState
	if cfg.stateDir != "" {
		if e.state, err = openState(cfg.stateDir); err != nil {
			return nil, err
		}
		if saved, err = e.state.load(); err != nil {
			return nil, err
		}
	}
	groups, err := e.loadGroups(saved)
	if err != nil {
		return nil, err
	}
	e.eval = newEvaluator(evalConfig{
		Sources: cfg.sources, Search: client.Search, Lookback: cfg.lookback,
		ExternalLabels: cfg.externalLabels, SlowRule: max(cfg.slowRule, 0),
	})
	if err := e.compileAll(groups, saved); err != nil {
		_ = e.eval.close()
		return nil, err
	}
	if err := e.newDispatcher(saved); err != nil {
		_ = e.eval.close()
		return nil, err
	}
	return e, nil
}

// loadGroups gathers the rule files, the Go groups and the API's changes
// kept in the state file, and validates them together.
func (e *Engine) loadGroups(saved *savedState) ([]Group, error) {
	var all []Group
	for _, f := range e.cfg.files {
		gs, err := LoadRules(f)
		if err != nil {
			return nil, err
		}
		all = append(all, gs...)
	}
	all = append(all, e.cfg.groups...)
	if saved != nil {
		// The overrides name rules by ID: fill the default IDs first.
		based, err := normalizeGroups(all)
		if err != nil {
			return nil, err
		}
		e.overrides = saved.Rules
		all = e.overrides.apply(based)
	}
	groups, err := normalizeGroups(all)
	if err != nil {
		return nil, err
	}
	return groups, e.checkReceivers(groups)
}

func (e *Engine) compileAll(groups []Group, saved *savedState) error {
	for _, g := range groups {
		ev, err := e.eval.compile(g)
		if err != nil {
			return err
		}
		if saved != nil {
			ev.restore(saved.Alerts)
		}
		e.groups = append(e.groups, &group{def: g, ev: ev})
	}
	return nil
}

func (e *Engine) newDispatcher(saved *savedState) error {
	receivers := e.cfg.receiverMap()
	route := e.cfg.route
	if route.Receiver == "" {
		route.Receiver = nullReceiver
		receivers[nullReceiver] = Receiver{Name: nullReceiver}
	}
	d, err := newDispatcher(dispatchConfig{
		Route: route, Receivers: receivers, Inhibit: e.cfg.inhibit,
		Rule: e.rule, Observe: e.observe, Expired: e.expired, Errors: e.cfg.errs.Handle, Retry: e.cfg.retry,
		ResolveTimeout: e.resolveTimeout(),
	})
	if err != nil {
		return err
	}
	if saved != nil {
		d.restore(saved.Dispatch)
	}
	e.disp = d
	return nil
}

// resolveTimeout is how long the dispatcher waits for a firing alert to
// be put again before it takes it as resolved (a rule gone while the
// process was down): Alertmanager's 5 minutes, or four evaluations of the
// slowest group if that is longer.
func (e *Engine) resolveTimeout() time.Duration {
	longest := e.cfg.interval
	for _, g := range e.groups {
		longest = max(longest, g.def.Interval)
	}
	return max(5*time.Minute, 4*longest)
}

// rule returns the current definition of the rule with this ID.
func (e *Engine) rule(id string) (Rule, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, g := range e.groups {
		for _, r := range g.def.Rules {
			if r.ID == id {
				return r, true
			}
		}
	}
	return Rule{}, false
}

// Run evaluates every group on its interval, first at once, and sends
// notifications, until ctx ends or Shutdown is called; then it stops the
// dispatcher, saves the state and returns nil. Calling Run twice, or after
// Shutdown, returns an error.
func (e *Engine) Run(ctx context.Context) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return ErrClosed
	}
	if e.running {
		e.mu.Unlock()
		return errors.New("alerting: engine is already running")
	}
	ctx, e.cancel = context.WithCancel(ctx)
	e.running, e.runCtx = true, ctx
	e.disp.start()
	for _, g := range e.groups {
		e.startLoop(g.def.Name)
	}
	if e.state != nil {
		e.saving = true
		e.wg.Go(func() { e.saver(ctx) })
	}
	e.mu.Unlock()
	defer close(e.done)

	<-ctx.Done()
	e.mu.Lock() // no loop starts after this: startLoop sees ctx done
	e.saving = false
	e.mu.Unlock()
	e.wg.Wait()
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err := e.disp.stop(stopCtx)
	e.save()
	return err
}

// startLoop starts the evaluation loop of the group called name if Run
// is running; the caller holds mu.
func (e *Engine) startLoop(name string) {
	if !e.running || e.runCtx.Err() != nil || e.loops[name] {
		return
	}
	if e.loops == nil {
		e.loops = map[string]bool{}
	}
	e.loops[name] = true
	ctx := e.runCtx
	e.wg.Go(func() { e.loop(ctx, name) })
}

// loop evaluates the group called name every interval until ctx ends or
// the group is gone. A group whose rules were replaced through the API is
// picked up at its next tick; a changed interval at the next start.
func (e *Engine) loop(ctx context.Context, name string) {
	g := e.current(name)
	if g == nil {
		return
	}
	every := g.def.Interval
	if every <= 0 {
		every = e.cfg.interval
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for ; g != nil; g = e.current(name) {
		e.evalGroup(ctx, g)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// current returns the live group called name (it is replaced when a rule
// changes), or nil once it is gone, and then ends the group's loop: a
// group added again later starts a new one.
func (e *Engine) current(name string) *group {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, g := range e.groups {
		if g.def.Name == name {
			return g
		}
	}
	delete(e.loops, name)
	return nil
}

// Evaluate evaluates every group once now, records the state changes and
// hands firing and resolved alerts to the dispatcher, as each tick of Run
// does. It is for tests and for services that drive evaluation themselves.
func (e *Engine) Evaluate(ctx context.Context) error {
	e.mu.Lock()
	groups, closed := slices.Clone(e.groups), e.closed
	e.mu.Unlock()
	if closed {
		return ErrClosed
	}
	var errs []error
	for _, g := range groups {
		errs = append(errs, e.evalGroup(ctx, g)...)
	}
	return errors.Join(errs...)
}

func (e *Engine) evalGroup(ctx context.Context, g *group) []error {
	if g == nil {
		return nil
	}
	res, ok := e.apply(ctx, g)
	if !ok {
		return nil
	}
	if ctx.Err() != nil {
		res.Errors = nil // queries cut short by Run stopping are not failures
	}
	e.n.ruleFailures.Add(uint64(len(res.Errors)))
	e.n.slowRules.Add(uint64(len(res.Slow)))
	for _, err := range res.Errors {
		e.cfg.errs.Handle(err)
	}
	for _, s := range res.Slow {
		e.cfg.errs.Handle(fmt.Errorf("alerting: rule %q is slow: evaluation took %v", s.RuleID, s.Took))
	}
	e.save() // also keeps what the dispatcher sent since the last evaluation
	return res.Errors
}

// apply evaluates g and records and dispatches the result, unless an
// edit replaced g meanwhile.
func (e *Engine) apply(ctx context.Context, g *group) (evalResult, bool) {
	g.run.Lock()
	defer g.run.Unlock()
	if g.retired {
		return evalResult{}, false
	}
	res := g.ev.eval(ctx, e.cfg.now())
	e.n.evaluations.Add(1)
	put := res.Alerts
	for _, t := range res.Changes {
		e.hist.stateChange(ctx, res.At, t)
		if t.From == StateFiring && t.Alert.State == StatePending {
			// For grew past its age: the dispatcher ignores pending alerts,
			// so it hears this firing episode end now.
			a := t.Alert
			a.State, a.ResolvedAt = StateResolved, res.At
			put = append(put, a)
		}
	}
	e.disp.put(put)
	return res, true
}

// expired records the alerts the dispatcher resolved itself, no
// evaluation having put them for its resolve timeout (a rule gone while
// the process was down, an evaluation stuck).
func (e *Engine) expired(alerts []Alert) {
	active := map[string]bool{}
	for _, a := range e.Alerts(AlertFilter{States: []State{StatePending, StateFiring}}) {
		active[a.ID] = true
	}
	for _, a := range alerts {
		if active[a.ID] {
			continue // the engine holds it (pending again, say): its own changes are recorded
		}
		e.hist.stateChange(context.Background(), a.ResolvedAt, transition{Alert: a, From: StateFiring},
			slog.String("reason", "resolve_timeout"))
	}
}

// observe records a notification attempt and counts it; the dispatcher
// reports those given up to the error handler itself.
func (e *Engine) observe(a attempt) {
	e.hist.attempt(a)
	switch {
	case a.Err == nil:
		e.n.sent.Add(1)
	case a.Final:
		e.n.failed.Add(1)
		e.n.gaveUp.Add(1)
	default:
		e.n.failed.Add(1)
	}
	if a.Err == nil {
		e.save()
	}
}

// Shutdown stops Run, waits for it (bounded by ctx), saves the state and
// releases the query engine. It is idempotent; later calls return nil.
func (e *Engine) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	running, cancel := e.running, e.cancel
	e.mu.Unlock()
	var err error
	if running {
		cancel()
		select {
		case <-e.done:
		case <-ctx.Done():
			err = ctx.Err()
		}
	} else {
		e.save()
	}
	return errors.Join(err, e.eval.close())
}

// Handler returns the HTTP API of the engine, to mount on a mux:
//
//	GET    /api/alerts/rules             {"rules": [rule, ...]}
//	POST   /api/alerts/rules             a rule → 201 with the stored rule
//	GET    /api/alerts/rules/{id}        the rule, or 404
//	PUT    /api/alerts/rules/{id}        a rule replacing it → 200 with the stored rule
//	DELETE /api/alerts/rules/{id}        204
//	GET    /api/alerts?state=firing,pending&severity=critical   {"alerts": [alert, ...]}
//	POST   /api/alerts/{id}/ack          {"by": ..., "comment": ...} → 200 {"acked": id}
//	GET    /api/alerts/silences          {"silences": [silence, ...]}
//	POST   /api/alerts/silences          a silence → 201 with the stored silence
//	DELETE /api/alerts/silences/{id}     expires it → 204
//	POST   /api/alerts/receivers/{name}/test   a test notification → 200, 404, or 502 with what failed
//
// Mount it on both "/api/alerts" and "/api/alerts/" (or on "/"), and put
// the service's own authentication in front with [WithAuth]. A rule is the
// rule file's keys as JSON (alert, expr, for, labels, annotations, id,
// description, severity, enabled, receivers, suppress, escalation, sql;
// durations as "5m"), plus "group" when adding. Rule IDs hold "/" (the
// default ID is "group/name"): escape one as a path segment
// ("shop%2FHighErrors"). A silence is {"matchers", "starts_at", "ends_at"
// or "duration", "created_by", "comment"}. Bodies must be JSON (else 415)
// of at most [WithMaxBody] bytes (else 413); errors are {"error",
// "field"} with 400 naming the field at fault, 404 for an unknown ID, 503
// after Shutdown and 500, without details, for anything else.
func (e *Engine) Handler(opts ...HandlerOption) http.Handler {
	base := []HandlerOption{apiReport(e.cfg.errs.Handle)} // silences on the time package's clock, as the dispatcher checks them
	return newAPI(e, append(base, opts...)...)
}

var _ alertAPI = (*Engine)(nil)

// TestReceiver sends a test notification through every notifier of the
// named receiver, once, without retries, and returns what failed.
func (e *Engine) TestReceiver(ctx context.Context, name string) error {
	if e.isClosed() {
		return ErrClosed
	}
	return e.disp.testReceiver(ctx, name)
}
