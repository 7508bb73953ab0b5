package alerting

import "time"

// dispatchResolveTimeout is the default dispatchConfig.ResolveTimeout,
// Alertmanager's default resolve_timeout.
const dispatchResolveTimeout = 5 * time.Minute

// expire resolves the firing alerts not put for the resolve timeout, as
// if put resolved at now, so their groups notify that they ended and then
// stop; it returns when the next one times out (zero: none firing) and
// copies of the alerts it resolved. Only the loop calls it.
//
// The earliest timeout found is kept: a put only moves an alert's
// timeout later, and an alert put now times out after every alert put
// before, so no alert can time out sooner and the firing set is scanned
// once per timeout, not at every wake.
func (d *dispatcher) expire(now time.Time) (time.Time, []Alert) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.expireAt.IsZero() && now.Before(d.expireAt) {
		return d.expireAt, nil
	}
	var resolved []Alert
	var next time.Time
	defer func() { d.expireAt = next }()
	for _, fa := range d.firing {
		at := fa.seen.Add(d.cfg.ResolveTimeout)
		if at.After(now) {
			next = dispatchSooner(next, at)
			continue
		}
		a := fa.alert
		// On the alert's own clock: it fired for as long as the
		// dispatcher saw it, never time.Now next to an engine FiredAt.
		a.State, a.ResolvedAt = StateResolved, episodeStart(a).Add(now.Sub(fa.since))
		d.record(&a)
		d.pending = append(d.pending, a)
		resolved = append(resolved, dispatchClone(a))
	}
	return next, resolved
}

// dispatchSooner returns the earlier of two times, a zero time standing
// for "never".
func dispatchSooner(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}
