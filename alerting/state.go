package alerting

import (
	"slices"
	"strings"
	"time"

	"github.com/prometheus/prometheus/model/labels"
)

// stateResolvedRetention is how long a resolved alert is kept, and
// listed, before it is forgotten: Prometheus' resolvedRetention, long
// enough for the resolved notification to go out after a restart.
const stateResolvedRetention = 15 * time.Minute

// evalAlert is an alert series and the state only evaluation needs.
type evalAlert struct {
	Alert
	keepFiringSince time.Time // when the condition was first missed while firing
}

// update applies one result of an alerting rule at ts, following
// Prometheus' AlertingRule.Eval: new series become pending, pending ones
// fire once For has passed since ActiveAt, missing pending ones are
// dropped, missing firing ones resolve once KeepFiringFor has passed, and
// resolved ones are forgotten after stateResolvedRetention. It returns
// the changes, sorted by alert ID.
func (r *evalRule) update(ts time.Time, active []evalActiveSeries) []transition {
	before := make(map[uint64]State, len(active))
	seen := make(map[uint64]struct{}, len(active))
	for i := range active {
		s := &active[i]
		seen[s.hash] = struct{}{}
		if a := r.active[s.hash]; a != nil && a.State != StateResolved {
			a.Value, a.Annotations, a.keepFiringSince = s.value, s.annotations, time.Time{}
			continue
		} else if a != nil {
			before[s.hash] = StateResolved // a resolved series back starts afresh
		}
		r.active[s.hash] = r.newAlert(s, ts)
	}
	var changes []transition
	for h, a := range r.active {
		from, isNew := before[h]
		if !isNew {
			from = a.State
		}
		if _, ok := seen[h]; ok {
			r.advance(a, ts)
		} else if r.missing(h, a, ts) {
			continue
		}
		if a.State != from {
			changes = append(changes, transition{Alert: evalCopy(&a.Alert), From: from})
		}
	}
	return stateSortChanges(changes)
}

func (r *evalRule) newAlert(s *evalActiveSeries, ts time.Time) *evalAlert {
	return &evalAlert{Alert: Alert{
		ID:          evalAlertID(r.rule.ID, s.hash),
		RuleID:      r.rule.ID,
		Labels:      s.lset.Map(),
		Annotations: s.annotations,
		State:       StateInactive, // advance makes it pending or firing
		Value:       s.value,
		ActiveAt:    ts,
	}}
}

// advance moves an alert whose condition holds at ts: inactive to
// pending, pending to firing once For has passed, and firing back to
// pending if an edit made For longer than its age, as Prometheus does
// (rules/alerting.go). The dispatcher then stops hearing of it and ends
// it for the receivers after its resolve timeout, as Alertmanager ends an
// alert Prometheus stops sending.
func (r *evalRule) advance(a *evalAlert, ts time.Time) {
	if a.State == StateInactive {
		a.State = StatePending
	}
	hold := r.rule.For
	if a.State == StatePending && ts.Sub(a.ActiveAt) >= hold {
		a.State, a.FiredAt = StateFiring, ts
	}
	if a.State == StateFiring && ts.Sub(a.ActiveAt) < hold {
		a.State, a.FiredAt, a.keepFiringSince = StatePending, time.Time{}, time.Time{}
	}
}

// missing handles an alert whose condition does not hold at ts. It
// reports whether the alert is gone without a change to record.
func (r *evalRule) missing(h uint64, a *evalAlert, ts time.Time) (gone bool) {
	switch a.State {
	case StateResolved:
		if ts.Sub(a.ResolvedAt) > stateResolvedRetention {
			delete(r.active, h)
		}
		return true
	case StatePending, StateInactive:
		delete(r.active, h)
		a.State = StateInactive
		return false
	}
	if kf := r.rule.KeepFiringFor; kf > 0 {
		if a.keepFiringSince.IsZero() {
			a.keepFiringSince = ts
		}
		if ts.Sub(a.keepFiringSince) < kf {
			return false
		}
	}
	a.State, a.ResolvedAt = StateResolved, ts
	return false
}

// countActive returns how many alerts would be pending or firing after
// update(ts, active): the active series, and the firing alerts missing
// from them that KeepFiringFor keeps firing. It is the count Prometheus
// compares with a group's limit.
func (r *evalRule) countActive(ts time.Time, active []evalActiveSeries) int {
	n := len(active)
	kf := r.rule.KeepFiringFor
	if kf <= 0 {
		return n
	}
	seen := make(map[uint64]struct{}, len(active))
	for i := range active {
		seen[active[i].hash] = struct{}{}
	}
	for h, a := range r.active {
		if _, ok := seen[h]; ok || a.State != StateFiring {
			continue
		}
		if a.keepFiringSince.IsZero() || ts.Sub(a.keepFiringSince) < kf {
			n++
		}
	}
	return n
}

// dropAll ends every alert of a disabled rule, or of one over its group's
// limit, at ts: pending ones become inactive and firing ones resolved, and
// all are forgotten.
func (r *evalRule) dropAll(ts time.Time) []transition {
	var changes []transition
	for h, a := range r.active {
		delete(r.active, h)
		from := a.State
		switch from {
		case StatePending:
			a.State = StateInactive
		case StateFiring:
			a.State, a.ResolvedAt = StateResolved, ts
		default:
			continue
		}
		changes = append(changes, transition{Alert: evalCopy(&a.Alert), From: from})
	}
	return stateSortChanges(changes)
}

func stateSortChanges(c []transition) []transition {
	slices.SortFunc(c, func(a, b transition) int { return strings.Compare(a.Alert.ID, b.Alert.ID) })
	return c
}

// appendAlerts appends copies of the rule's alerts that keep accepts,
// sorted by ID.
func (r *evalRule) appendAlerts(dst []Alert, keep func(*Alert) bool) []Alert {
	start := len(dst)
	for _, a := range r.active {
		if keep(&a.Alert) {
			dst = append(dst, evalCopy(&a.Alert))
		}
	}
	slices.SortFunc(dst[start:], func(a, b Alert) int { return strings.Compare(a.ID, b.ID) })
	return dst
}

// restore reinstates a pending or firing alert under the hash of its
// labels, keeping its ID and times.
func (r *evalRule) restore(a Alert) {
	h := labels.FromMap(a.Labels).Hash()
	r.active[h] = &evalAlert{Alert: evalCopy(&a)}
}
