package alerting

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"
)

// escalationMark names one escalation notification of an alert: tier
// (1-based, the Notification's Tier) and receiver.
type escalationMark struct {
	Tier     int    `json:"tier"`
	Receiver string `json:"receiver"`
}

// escalation is the escalation state of one firing episode of an alert:
// which tier notifications went out (true) or are in flight (false).
type escalation struct {
	firedAt  time.Time // the episode's start as the alert gives it: its identity only
	since    time.Time // the dispatcher first saw the episode (time.Now): tiers count from it
	marks    map[escalationMark]bool
	retryAt  time.Time // after a failed send, when to try again
	resolved *Alert    // once resolved with tiers in flight: the resolved alert
}

// due returns the marks of tiers due at now not yet sent or in flight,
// and when the next later tier falls due (zero when none). Tiers count
// from when the dispatcher first saw the episode, never from the alert's
// FiredAt: that comes from the engine's clock, which may lag time.Now.
func (e *escalation) due(tiers []Tier, now time.Time) (due []escalationMark, next time.Time) {
	for i, t := range tiers {
		at := e.since.Add(t.After)
		if at.After(now) {
			return due, at
		}
		for _, r := range t.Receivers {
			m := escalationMark{Tier: i + 1, Receiver: r}
			if _, seen := e.marks[m]; !seen {
				due = append(due, m)
			}
		}
	}
	return due, time.Time{}
}

// escalationBatch is one escalation notification: the alerts due at one
// tier for one receiver in one group, or the resolved notices owed there.
type escalationBatch struct {
	mark     escalationMark
	key      string
	labels   map[string]string
	interval time.Duration // wait before trying again after a failure
	alerts   []Alert
	resolved bool
}

type escalationBatchKey struct {
	group    string
	mark     escalationMark
	resolved bool
}

// escalate starts sending the escalation notifications due at now, and
// the resolved notices owed to tier receivers, and returns when the next
// falls due (zero: nothing to wait for).
func (d *dispatcher) escalate(now time.Time) time.Time {
	batches, next := d.dueEscalations(now)
	for _, b := range batches {
		d.wg.Go(func() { d.sendEscalation(b) })
	}
	return next
}

// dueEscalations collects, for every firing alert of a rule with tiers
// that is neither acknowledged nor muted, the tiers it reached, grouped by
// tier, receiver and group, and marks them in flight.
func (d *dispatcher) dueEscalations(now time.Time) ([]*escalationBatch, time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.state != dispatchRunning {
		return nil, time.Time{}
	}
	batches := map[escalationBatchKey]*escalationBatch{}
	d.addNotices(batches)
	var next time.Time
	soon := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for id, fa := range d.firing {
		if _, acked := d.acked[id]; acked || fa.rule == nil || len(fa.rule.tiers) == 0 {
			continue
		}
		e := d.escalationOf(fa)
		if e.retryAt.After(now) {
			soon(e.retryAt)
			continue
		}
		due, at := e.due(fa.rule.tiers, now)
		soon(at)
		if len(due) == 0 || d.escalationMuted(fa, now, soon) {
			continue
		}
		for _, m := range due {
			e.marks[m] = false
			d.addToBatch(batches, m, fa)
		}
	}
	return escalationSorted(batches), next
}

// escalationMuted reports whether a silence or an inhibition mutes fa;
// a silence's end is when to look again (an inhibition ends with a put,
// which wakes the loop).
func (d *dispatcher) escalationMuted(fa *dispatchAlert, now time.Time, soon func(time.Time)) bool {
	if ids, until := d.sil.mutes(fa.alert.Labels, now); len(ids) > 0 {
		soon(until)
		return true
	}
	return d.inhibitedLocked(&fa.alert)
}

// escalationOf returns fa's escalation state, new for a new episode.
func (d *dispatcher) escalationOf(fa *dispatchAlert) *escalation {
	e := d.esc[fa.alert.ID]
	if e == nil {
		e = &escalation{firedAt: episodeStart(fa.alert), since: fa.since, marks: map[escalationMark]bool{}}
		d.esc[fa.alert.ID] = e
	}
	return e
}

// addToBatch adds fa to the notification of mark m in its group.
func (d *dispatcher) addToBatch(batches map[escalationBatchKey]*escalationBatch, m escalationMark, fa *dispatchAlert) {
	k := escalationBatchKey{fa.escKey, m, false}
	b := batches[k]
	if b == nil {
		b = &escalationBatch{mark: m, key: fa.escKey, labels: fa.escNode.groupLabels(fa.alert.Labels), interval: fa.escNode.interval}
		batches[k] = b
	}
	b.alerts = append(b.alerts, d.notified(fa.alert))
}

// escalationSorted orders batches by tier, group and receiver, so sends
// start in a stable order.
func escalationSorted(m map[escalationBatchKey]*escalationBatch) []*escalationBatch {
	out := slices.Collect(maps.Values(m))
	slices.SortFunc(out, func(a, b *escalationBatch) int {
		return cmp.Or(cmp.Compare(a.mark.Tier, b.mark.Tier),
			strings.Compare(a.key, b.key), strings.Compare(a.mark.Receiver, b.mark.Receiver),
			escalationCompareBool(a.resolved, b.resolved))
	})
	return out
}

// sendEscalation delivers b and marks its alerts' tier as sent, or, after
// a failure, frees it to be tried again one group interval later.
func (d *dispatcher) sendEscalation(b *escalationBatch) {
	n := dispatchNotification(b.mark.Receiver, b.key, b.labels, b.mark.Tier, b.alerts)
	ok := d.deliver(d.sendCtx, n)
	now := time.Now()
	d.mu.Lock()
	if b.resolved {
		if !ok {
			d.noticeFailed(b)
		}
		d.mu.Unlock()
		return
	}
	for _, a := range n.Alerts {
		e := d.esc[a.ID]
		if e == nil || !e.firedAt.Equal(episodeStart(a)) {
			d.escalationLanded(a, b.mark, ok) // resolved or fired anew meanwhile
			continue
		}
		if ok {
			e.marks[b.mark] = true
		} else {
			delete(e.marks, b.mark)
			e.retryAt = now.Add(b.interval)
		}
	}
	d.mu.Unlock()
	d.signal()
}
