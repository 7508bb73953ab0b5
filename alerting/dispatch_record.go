package alerting

import (
	"fmt"
	"maps"
	"time"
)

// record updates the firing set, acks and escalations for a. Resolving
// clears the alert's ack and escalation; a new firing episode (another
// FiredAt, as when an alert restored from a snapshot resolved and fired
// again while the process was down) clears the ack and starts escalation
// over.
//
// The alert's own times come from the engine's clock, which may differ
// from the dispatcher's (a pinned or lagging WithClock): they only tell
// one episode from another here. How long an episode has been firing is
// measured from since, when the dispatcher first saw it, on its own
// clock.
func (d *dispatcher) record(a *Alert) {
	if a.State == StateResolved {
		if fa := d.firing[a.ID]; fa != nil {
			d.trackSources(fa, true)
		}
		delete(d.firing, a.ID)
		delete(d.acked, a.ID)
		if e := d.esc[a.ID]; e != nil {
			d.escalationEnded(e, *a)
			delete(d.esc, a.ID)
		}
		return
	}
	fa := d.firing[a.ID]
	now := time.Now()
	if episodeStart(*a).IsZero() {
		// Keep one episode start for an alert without times. It only
		// names the episode: nothing measures time from it.
		a.FiredAt = now
		if fa != nil {
			a.FiredAt = episodeStart(fa.alert)
		}
	}
	if fa != nil && !episodeStart(fa.alert).Equal(episodeStart(*a)) {
		delete(d.acked, a.ID) // an ack holds for one episode
		fa.since = now
	}
	switch {
	case fa != nil && maps.Equal(fa.alert.Labels, a.Labels):
		fa.alert = *a // indexed as it was
	case fa != nil:
		d.trackSources(fa, true)
		fa.alert = *a
		d.trackSources(fa, false)
	default:
		fa = &dispatchAlert{alert: *a, since: now}
		d.firing[a.ID] = fa
		d.trackSources(fa, false)
	}
	fa.seen = now
	if e := d.esc[a.ID]; e != nil && !e.firedAt.Equal(episodeStart(*a)) {
		delete(d.esc, a.ID)
	}
}

// trackSources keeps the inhibition rules' source index up to date.
func (d *dispatcher) trackSources(fa *dispatchAlert, gone bool) {
	for _, r := range d.inhibit {
		r.track(fa, gone)
	}
}

// ack acknowledges the firing alert id until it resolves or a new
// episode of it fires. Alerts restored from a snapshot count as firing,
// so an ack right after a restart works before the first evaluation has
// put them again.
func (d *dispatcher) ack(id string, a Ack) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.firing[id] == nil {
		return fmt.Errorf("%w: no firing alert %q", ErrNotFound, id)
	}
	if a.At.IsZero() {
		a.At = time.Now()
	}
	d.acked[id] = a
	d.signal()
	return nil
}

// acks returns a copy of the acknowledgements, by alert ID.
func (d *dispatcher) acks() map[string]Ack {
	d.mu.Lock()
	defer d.mu.Unlock()
	return maps.Clone(d.acked)
}

// dispatchClone copies a's maps, which the dispatcher keeps, and drops its
// Ack: the dispatcher's own acks are the ones that count.
func dispatchClone(a Alert) Alert {
	a.Labels = maps.Clone(a.Labels)
	a.Annotations = maps.Clone(a.Annotations)
	a.Ack = nil
	if a.ID == "" {
		a.ID = routeLabelsText(a.Labels)
	}
	return a
}

// episodeStart is when a's firing episode began: FiredAt, else ActiveAt.
func episodeStart(a Alert) time.Time {
	if !a.FiredAt.IsZero() {
		return a.FiredAt
	}
	return a.ActiveAt
}
