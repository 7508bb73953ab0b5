package alerting

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/prometheus/model/labels"
)

// dispatchGroup is an aggregation group: the alerts of one route node with
// the same group labels, for one receiver. Its goroutine flushes it first
// after the node's GroupWait, then every GroupInterval, until it is empty.
type dispatchGroup struct {
	id       string // key + "\xff" + receiver
	key      string // the notification's GroupKey
	receiver string
	labels   map[string]string
	node     *routeNode
	flushAt  time.Time                  // first flush
	alerts   map[string]*dispatchMember // by alert ID; guarded by the dispatcher's mu
}

// dispatchMember is the latest version of an alert in a group; seq tells a
// resolved alert sent in a flush from one updated since.
type dispatchMember struct {
	a   Alert
	seq uint64
}

// newDispatchGroup makes the group first holding an alert the dispatcher
// first saw firing at since (zero for a resolved alert). As in
// Alertmanager, a group whose first alert began longer than GroupWait ago
// (as after a restart) flushes at once; the notification log keeps that
// from notifying twice. Only the dispatcher's own clock counts here: the
// alert's FiredAt comes from the engine's, which may lag.
func newDispatchGroup(id, key, recv string, gl map[string]string, n *routeNode, since, now time.Time) *dispatchGroup {
	flushAt := now.Add(n.groupWait)
	if since.IsZero() || since.Add(n.groupWait).Before(now) {
		flushAt = now
	}
	return &dispatchGroup{
		id: id, key: key, receiver: recv, labels: gl, node: n,
		flushAt: flushAt,
		alerts:  map[string]*dispatchMember{},
	}
}

// runGroup starts g's goroutine. The caller holds mu.
func (d *dispatcher) runGroup(g *dispatchGroup) {
	d.wg.Go(func() {
		t := time.NewTimer(time.Until(g.flushAt))
		defer t.Stop()
		rt := d.newResendTimer(g)
		defer rt.stop()
		for {
			flush, resend := false, false
			select {
			case <-d.quit:
				return
			case <-t.C:
				flush = true
			case <-rt.c():
				resend = true
				select { // a flush due too goes first: the resend may then wait
				case <-t.C:
					flush = true
				default:
				}
			}
			select {
			case <-d.quit: // both were ready; stopping wins
				return
			default:
			}
			if flush {
				t.Reset(g.node.interval)
				if !d.flush(g, rt) {
					return
				}
			}
			if resend {
				d.resendGroup(g, rt)
			}
		}
	})
}

// flushPlan is what one flush of a group sends and then forgets.
type flushPlan struct {
	n     *Notification // nil: nothing to send
	state flushState
	drop  map[string]uint64 // resolved alerts to forget after the flush: ID -> seq
}

// flush notifies g's receiver if the group changed or is due a repeat,
// and forgets its resolved alerts once that went well. It reports whether
// the group lives on.
func (d *dispatcher) flush(g *dispatchGroup, rt *dispatchResendTimer) bool {
	now := time.Now()
	p := d.planFlush(g, now)
	ok := p.n == nil || d.deliver(d.sendCtx, p.n)
	if ok && p.n != nil && p.n.Status == StatusFiring {
		rt.sent(now)
	}
	return d.finishFlush(g, p, ok, now)
}

// planFlush leaves out muted alerts and resolved ones the receiver was
// never told fired, and asks the notification log whether to send.
func (d *dispatcher) planFlush(g *dispatchGroup, now time.Time) flushPlan {
	d.mu.Lock()
	defer d.mu.Unlock()
	entry := d.nlog.get(notifyLogKey{g.key, g.receiver, 0})
	p := flushPlan{drop: map[string]uint64{}, state: flushState{allAcked: true}}
	var send []Alert
	for id, ga := range g.alerts {
		if ga.a.State == StateResolved {
			p.drop[id] = ga.seq
		}
		if d.mutedLocked(&ga.a, now) {
			continue
		}
		h := notifyLogHash(id)
		switch {
		case ga.a.State == StateFiring:
			p.state.firing = append(p.state.firing, h)
			if _, ok := d.acked[id]; !ok {
				p.state.allAcked = false
			}
		case entry.hasFiring(h):
			p.state.resolved = append(p.state.resolved, h)
		default:
			continue
		}
		send = append(send, d.notified(ga.a))
	}
	slices.Sort(p.state.firing)
	slices.Sort(p.state.resolved)
	if len(send) > 0 && needsNotify(entry, p.state, g.node.repeat, now) {
		p.n = dispatchNotification(g.receiver, g.key, g.labels, 0, send)
	}
	return p
}

// finishFlush records a sent notification and forgets the resolved alerts
// of a flush that went well (unless they changed meanwhile). An empty group
// is removed; it reports whether g lives on.
func (d *dispatcher) finishFlush(g *dispatchGroup, p flushPlan, ok bool, now time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !ok {
		return true
	}
	if p.n != nil {
		d.nlog.record(&notifyLogEntry{
			GroupKey: g.key, Receiver: g.receiver, SentAt: now,
			Firing: p.state.firing, Resolved: p.state.resolved,
		})
	}
	for id, seq := range p.drop {
		if ga := g.alerts[id]; ga != nil && ga.seq == seq {
			delete(g.alerts, id)
		}
	}
	if len(g.alerts) > 0 {
		return true
	}
	delete(d.groups, g.id)
	return false
}

// mutedLocked reports whether a silence or an inhibition mutes a. The
// caller holds mu.
func (d *dispatcher) mutedLocked(a *Alert, now time.Time) bool {
	if ids, _ := d.sil.mutes(a.Labels, now); len(ids) > 0 {
		return true
	}
	return d.inhibitedLocked(a)
}

// inhibitedLocked reports whether an inhibition rule or a suppression of
// a's rule mutes a. The caller holds mu.
func (d *dispatcher) inhibitedLocked(a *Alert) bool {
	var sup []*inhibitRule
	if r := d.rules[a.RuleID]; r != nil {
		sup = r.suppress
	}
	return inhibitAny(a, d.firing, d.inhibit, sup)
}

// notified returns the copy of a a notification carries, with its ack.
func (d *dispatcher) notified(a Alert) Alert {
	a.Labels = maps.Clone(a.Labels)
	a.Annotations = maps.Clone(a.Annotations)
	if ack, ok := d.acked[a.ID]; ok {
		a.Ack = &ack
	}
	return a
}

// dispatchNotification builds the notification of alerts (sorted here by
// label set, as Prometheus orders series) with their common labels and
// annotations.
func dispatchNotification(recv, key string, gl map[string]string, tier int, alerts []Alert) *Notification {
	dispatchSortAlerts(alerts)
	n := &Notification{
		Receiver: recv, Status: StatusResolved, GroupKey: key, Tier: tier,
		GroupLabels: maps.Clone(gl), Alerts: alerts,
		CommonLabels:      dispatchCommon(alerts, func(a *Alert) map[string]string { return a.Labels }),
		CommonAnnotations: dispatchCommon(alerts, func(a *Alert) map[string]string { return a.Annotations }),
	}
	for i := range alerts {
		if alerts[i].State == StateFiring {
			n.Status = StatusFiring
		}
	}
	return n
}

// dispatchCommon returns the pairs every alert's map has.
func dispatchCommon(alerts []Alert, get func(*Alert) map[string]string) map[string]string {
	out := maps.Clone(get(&alerts[0]))
	if out == nil {
		out = map[string]string{}
	}
	for i := 1; i < len(alerts); i++ {
		m := get(&alerts[i])
		maps.DeleteFunc(out, func(k, v string) bool { w, ok := m[k]; return !ok || w != v })
	}
	return out
}

// dispatchSortAlerts sorts alerts by alertname, then by label set.
func dispatchSortAlerts(alerts []Alert) {
	keys := make(map[string]labels.Labels, len(alerts))
	for i := range alerts {
		keys[alerts[i].ID] = labels.FromMap(alerts[i].Labels)
	}
	slices.SortFunc(alerts, func(a, b Alert) int {
		return cmp.Or(strings.Compare(a.Name(), b.Name()), labels.Compare(keys[a.ID], keys[b.ID]))
	})
}
