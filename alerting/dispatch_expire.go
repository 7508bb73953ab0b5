package alerting

import "time"

// dispatchResolveTimeout is the default dispatchConfig.ResolveTimeout,
// Alertmanager's default resolve_timeout.
const dispatchResolveTimeout = 5 * time.Minute

// expire resolves the firing alerts not put for the resolve timeout, as
// if put resolved at now, so their groups notify that they ended and then
// stop; it returns when the next one times out (zero: none firing). Only
// the loop calls it.
func (d *dispatcher) expire(now time.Time) time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	var next time.Time
	for _, fa := range d.firing {
		at := fa.seen.Add(d.cfg.ResolveTimeout)
		if at.After(now) {
			next = dispatchSooner(next, at)
			continue
		}
		a := fa.alert
		a.State, a.ResolvedAt = StateResolved, now
		d.record(&a)
		d.pending = append(d.pending, a)
	}
	return next
}

// dispatchSooner returns the earlier of two times, a zero time standing
// for "never".
func dispatchSooner(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}
