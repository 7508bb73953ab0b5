package alerting

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"
)

// dispatchRule is what the dispatcher uses of a rule, checked against the
// configured receivers.
type dispatchRule struct {
	receivers []string       // replace the route's receiver when set
	suppress  []*inhibitRule // target: the rule's alerts
	tiers     []Tier         // sorted by After
}

// loop resolves alerts not put for the resolve timeout, routes queued
// alerts and sends due escalations, sleeping until the next timeout or
// escalation is due or it is woken.
func (d *dispatcher) loop() {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		next, expired := d.expire(time.Now())
		if len(expired) > 0 && d.cfg.Expired != nil {
			d.cfg.Expired(expired)
		}
		d.ingest()
		next = dispatchSooner(next, d.escalate(time.Now()))
		t.Stop()
		if !next.IsZero() {
			t.Reset(time.Until(next))
		}
		select {
		case <-d.quit:
			return
		case <-d.wake:
		case <-t.C:
		}
	}
}

// ingest routes the alerts queued by put into their groups. The rules are
// looked up first, outside the lock, so cfg.Rule may take its own locks.
func (d *dispatcher) ingest() {
	d.mu.Lock()
	batch := d.pending
	d.pending = nil
	d.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	rules := d.lookupRules(batch)
	now := time.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	for id, r := range rules {
		if r == nil {
			delete(d.rules, id)
		} else {
			d.rules[id] = r
		}
	}
	for _, a := range batch {
		d.route(a, rules[a.RuleID], now)
	}
}

// lookupRules returns the rule of every alert in batch, nil for alerts of
// unknown rules. Only the loop calls it.
func (d *dispatcher) lookupRules(batch []Alert) map[string]*dispatchRule {
	out := map[string]*dispatchRule{}
	for _, a := range batch {
		if _, done := out[a.RuleID]; done || a.RuleID == "" || d.cfg.Rule == nil {
			continue
		}
		r, ok := d.cfg.Rule(a.RuleID)
		if !ok {
			out[a.RuleID] = nil
			continue
		}
		dr, err := d.compileRule(r, a.RuleID)
		d.reportRule(a.RuleID, err)
		out[a.RuleID] = dr
	}
	return out
}

// compileRule checks a rule's receivers and parses its suppressions.
// Unknown receivers are left out (the route's receiver takes over) and
// reported; so is a suppression that does not parse.
func (d *dispatcher) compileRule(r Rule, id string) (*dispatchRule, error) {
	var errs []error
	dr := &dispatchRule{}
	dr.receivers, errs = d.knownReceivers(id, "receivers", r.Receivers, errs)
	sup, err := compileSuppressions(id, r.Suppress)
	if err != nil {
		errs = append(errs, err)
	}
	dr.suppress = sup
	for i, t := range r.Escalation {
		t.Receivers, errs = d.knownReceivers(id, fmt.Sprintf("escalation[%d]", i), t.Receivers, errs)
		if t.After < 0 {
			errs = append(errs, fmt.Errorf("alerting: rule %q: escalation[%d]: negative after %v", id, i, t.After))
			continue
		}
		dr.tiers = append(dr.tiers, t)
	}
	slices.SortStableFunc(dr.tiers, func(a, b Tier) int { return cmp.Compare(a.After, b.After) })
	return dr, errors.Join(errs...)
}

// knownReceivers returns the names that are configured receivers and
// adds an error for each that is not.
func (d *dispatcher) knownReceivers(id, field string, names []string, errs []error) ([]string, []error) {
	var out []string
	for _, n := range names {
		if _, ok := d.cfg.Receivers[n]; !ok {
			errs = append(errs, fmt.Errorf("alerting: rule %q: %s: unknown receiver %q", id, field, n))
			continue
		}
		out = append(out, n)
	}
	return out, errs
}

// reportRule reports a rule's configuration error once, not at every
// evaluation. Only the loop calls it.
func (d *dispatcher) reportRule(id string, err error) {
	text := ""
	if err != nil {
		text = err.Error()
	}
	if d.reported[id] == text {
		return
	}
	d.reported[id] = text
	d.report(err)
}

// route puts a into the group of every route node it matches and every
// receiver it goes to there: the rule's receivers if it names any, else
// the node's. The first match also decides where its escalations go.
// Groups a firing alert no longer goes to (its rule's receivers changed)
// let it go; a resolved alert resolves in every group that holds it.
func (d *dispatcher) route(a Alert, r *dispatchRule, now time.Time) {
	var into []string
	for i, n := range d.tree.match(a.Labels) {
		key := n.groupKey(a.Labels)
		if fa := d.firing[a.ID]; i == 0 && fa != nil {
			fa.rule, fa.escKey, fa.escNode = r, key, n
		}
		recvs := []string{n.receiver}
		if r != nil && len(r.receivers) > 0 {
			recvs = r.receivers
		}
		for _, recv := range recvs {
			if gid, ok := d.insert(n, key, recv, a, now); ok {
				into = append(into, gid)
			}
		}
	}
	d.leave(a, into)
}

// leave updates the groups a was in before this routing but is not in
// now: a firing alert is dropped from them, a resolved one resolves there.
// It then records the groups a is in.
func (d *dispatcher) leave(a Alert, into []string) {
	was := d.member[a.ID]
	for _, gid := range was {
		g := d.groups[gid]
		if slices.Contains(into, gid) || g == nil || g.alerts[a.ID] == nil {
			continue
		}
		if a.State == StateResolved {
			d.seq++
			g.alerts[a.ID] = &dispatchMember{a: a, seq: d.seq}
		} else {
			delete(g.alerts, a.ID) // an empty group goes at its next flush
		}
	}
	switch {
	case a.State == StateResolved || len(into) == 0:
		delete(d.member, a.ID)
	case !slices.Equal(was, into):
		d.member[a.ID] = into
	}
}

// insert adds or updates a in a group, creating the group (and, when
// running, its goroutine) if needed, and returns the group's ID. A
// resolved alert the group's receiver was never told fired is dropped
// (ok false).
func (d *dispatcher) insert(n *routeNode, key, recv string, a Alert, now time.Time) (gid string, ok bool) {
	gid = key + "\xff" + recv
	g := d.groups[gid]
	if a.State == StateResolved && (g == nil || g.alerts[a.ID] == nil) &&
		!d.nlog.get(notifyLogKey{key, recv, 0}).hasFiring(notifyLogHash(a.ID)) {
		return gid, false
	}
	if g == nil {
		var since time.Time // zero for a resolved alert: the receiver was told it fired
		if a.State == StateFiring {
			since = now
			if fa := d.firing[a.ID]; fa != nil {
				since = fa.since
			}
		}
		g = newDispatchGroup(gid, key, recv, n.groupLabels(a.Labels), n, since, now)
		d.groups[gid] = g
		if d.state == dispatchRunning {
			d.runGroup(g)
		}
	}
	d.seq++
	g.alerts[a.ID] = &dispatchMember{a: a, seq: d.seq}
	return gid, true
}
