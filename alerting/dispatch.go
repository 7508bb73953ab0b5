package alerting

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"sync"
	"time"
)

// dispatchConfig is what the dispatcher routes, mutes and sends with.
type dispatchConfig struct {
	// Route is the root of the route tree; its Receiver is required.
	Route Route
	// Receivers holds every receiver routes, rules and tiers name.
	Receivers map[string]Receiver
	// Inhibit lists the inhibition rules.
	Inhibit []InhibitRule
	// Rule returns a rule's receivers, suppressions and escalation tiers.
	// It is called from the dispatcher's goroutine, never under its lock
	// and never from put.
	Rule func(ruleID string) (Rule, bool)
	// Observe is called after every notification attempt; may be nil.
	Observe func(attempt)
	// Expired gets the alerts the dispatcher resolved after the resolve
	// timeout, from its goroutine and outside its lock; may be nil.
	Expired func([]Alert)
	// Errors gets background failures; may be nil.
	Errors func(error)
	// Retry bounds the retries of a failed notification; zero means the
	// defaults.
	Retry retryPolicy
	// ResolveTimeout is how long a firing alert may go without being put
	// again before the dispatcher resolves it itself and notifies that,
	// as Alertmanager's resolve_timeout does: a group whose alert nobody
	// refreshes (its rule gone, a lost evaluation) then ends instead of
	// repeating forever. It must be well above the longest evaluation
	// interval, or alerts resolve between two evaluations: the engine
	// passes max(5m, 4 × its longest group interval). Zero means 5
	// minutes; negative is an error.
	ResolveTimeout time.Duration
}

// attempt is one try at delivering a notification to a receiver, as
// reported to dispatchConfig.Observe.
type attempt struct {
	At       time.Time
	Receiver string
	GroupKey string
	Tier     int
	Status   string // firing or resolved
	AlertIDs []string
	Number   int // 1-based
	Err      error
	Took     time.Duration
	Final    bool // no more tries follow: success, permanent failure, or gave up
	// Resend marks the periodic resend of a firing group to the notifiers
	// of its receiver that implement [Resender]; see there.
	Resend bool
}

// dispatchState is where the dispatcher is in its life.
type dispatchState int

const (
	dispatchNew dispatchState = iota
	dispatchRunning
	dispatchStopped
)

// dispatcher routes alerts to aggregation groups, sends each group's
// notifications on Alertmanager's timing, mutes silenced and inhibited
// alerts, escalates unacknowledged ones, and keeps the notification log
// that lets a restart go on without notifying twice.
//
// Goroutines, all started by start and waited for by stop: one loop that
// routes queued alerts and escalates; one per aggregation group that
// flushes it on its timer; one per escalation notification in flight.
// Sends run on the group's goroutine, so a group never overlaps itself.
type dispatcher struct {
	cfg      dispatchConfig
	tree     *routeNode
	inhibit  []*inhibitRule // their source indexes are guarded by mu
	retry    retryPolicy
	limits   map[string]*dispatchLimiter // per receiver; fixed at creation
	resend   map[string]*dispatchResend  // receivers resent; fixed at creation
	wake     chan struct{}               // capacity 1: alerts queued or escalation inputs changed
	quit     chan struct{}               // closed by stop
	sendCtx  context.Context             // cancelled when stop's context ends
	cancel   context.CancelFunc
	stopOnce sync.Once
	wg       sync.WaitGroup
	reported map[string]string // rule ID -> last config error reported; the loop's own

	mu      sync.Mutex // guards the fields below
	state   dispatchState
	pending []Alert                   // put, not routed yet
	firing  map[string]*dispatchAlert // by alert ID
	groups  map[string]*dispatchGroup // by groupID
	member  map[string][]string       // alert ID -> IDs of the groups holding it
	rules   map[string]*dispatchRule  // by rule ID, refreshed as alerts are routed
	acked   map[string]Ack
	sil     silenceStore
	nlog    notifyLog
	esc     map[string]*escalation // by alert ID
	// Escalations of resolved alerts with tiers in flight, by alert ID,
	// and the resolved notices owed to tier receivers, not sent yet.
	escEnding map[string]*escalation
	notices   []escalationNotice
	seq       uint64 // stamps alert updates in groups
	// No firing alert times out before expireAt; zero: not known.
	expireAt time.Time
}

// dispatchAlert is a firing alert as the dispatcher knows it.
type dispatchAlert struct {
	alert Alert
	rule  *dispatchRule // nil until routed, or when the rule is unknown
	// Where escalation notifications of the alert go: the group of its
	// first route match.
	escKey  string
	escNode *routeNode
	seen    time.Time // last put; cfg.ResolveTimeout later it resolves
	// First put of the current firing episode, on the dispatcher's clock
	// (time.Now), unlike the alert's own times: group wait and escalation
	// tiers count from it. Kept in snapshots.
	since time.Time
}

// newDispatcher checks cfg and builds a dispatcher; start runs it.
func newDispatcher(cfg dispatchConfig) (*dispatcher, error) {
	tree, err := newRouteTree(cfg.Route, cfg.Receivers)
	if err != nil {
		return nil, err
	}
	inh, err := compileInhibitRules(cfg.Inhibit)
	if err != nil {
		return nil, err
	}
	retry, err := cfg.Retry.withDefaults()
	if err != nil {
		return nil, err
	}
	if cfg.ResolveTimeout < 0 {
		return nil, fmt.Errorf("alerting: negative resolve timeout %v", cfg.ResolveTimeout)
	}
	cfg.ResolveTimeout = cmp.Or(cfg.ResolveTimeout, dispatchResolveTimeout)
	cfg.Receivers = maps.Clone(cfg.Receivers) // the caller may reuse its map
	d := &dispatcher{
		cfg: cfg, tree: tree, inhibit: inh, retry: retry,
		limits:    map[string]*dispatchLimiter{},
		resend:    map[string]*dispatchResend{},
		wake:      make(chan struct{}, 1),
		quit:      make(chan struct{}),
		firing:    map[string]*dispatchAlert{},
		groups:    map[string]*dispatchGroup{},
		member:    map[string][]string{},
		rules:     map[string]*dispatchRule{},
		acked:     map[string]Ack{},
		esc:       map[string]*escalation{},
		escEnding: map[string]*escalation{},
		reported:  map[string]string{},
	}
	for name, r := range cfg.Receivers {
		if r.RateLimit < 0 {
			return nil, fmt.Errorf("alerting: receiver %q: negative rate limit %v", name, r.RateLimit)
		}
		d.limits[name] = &dispatchLimiter{every: r.RateLimit}
		if rs := newDispatchResend(r); rs != nil {
			d.resend[name] = rs
		}
	}
	d.sendCtx, d.cancel = context.WithCancel(context.Background())
	return d, nil
}

// start runs the dispatcher's loop and the groups of alerts put so far.
// It does nothing after stop.
func (d *dispatcher) start() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.state != dispatchNew {
		return
	}
	d.state = dispatchRunning
	now := time.Now()
	for _, fa := range d.firing { // restored or put before: the timeout runs from now
		fa.seen = now
	}
	for _, g := range d.groups {
		d.runGroup(g)
	}
	d.wg.Go(d.loop)
}

// stop stops the timers and goroutines and waits for them. Sends in
// flight go on until ctx ends, then are cancelled; waits for a rate limit
// or a retry end at once (the notification log still shows the group as
// unsent, so it is sent after a restart).
func (d *dispatcher) stop(ctx context.Context) error {
	d.mu.Lock()
	d.state = dispatchStopped
	d.mu.Unlock()
	d.stopOnce.Do(func() { close(d.quit) })
	done := make(chan struct{})
	go func() {
		d.wg.Wait()
		close(done)
	}()
	defer d.cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		d.cancel()
		<-done
		return ctx.Err()
	}
}

// put takes the firing and resolved alerts of one evaluation; other states
// are ignored. It records them at once (for ack, inhibition and muted) and
// queues them for routing; it never waits for a send.
func (d *dispatcher) put(alerts []Alert) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.state == dispatchStopped {
		return
	}
	for _, a := range alerts {
		if a.State != StateFiring && a.State != StateResolved {
			continue
		}
		a = dispatchClone(a)
		d.record(&a)
		d.pending = append(d.pending, a)
	}
	if d.state == dispatchNew && len(d.pending) > 2*len(d.firing)+1024 {
		d.pending = dispatchLatest(d.pending) // evaluated without Run: keep it bounded
	}
	d.signal()
}

// dispatchLatest keeps the last entry of each alert ID, in their order.
func dispatchLatest(alerts []Alert) []Alert {
	last := make(map[string]int, len(alerts))
	for i, a := range alerts {
		last[a.ID] = i
	}
	out := alerts[:0]
	for i, a := range alerts {
		if last[a.ID] == i {
			out = append(out, a)
		}
	}
	clear(alerts[len(out):])
	return out
}

// signal wakes the loop without blocking.
func (d *dispatcher) signal() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// report hands a background failure to cfg.Errors.
func (d *dispatcher) report(err error) {
	if err != nil && d.cfg.Errors != nil {
		d.cfg.Errors(err)
	}
}
