package alerting

import (
	"time"
)

// Resender is implemented by a [Notifier] that must be sent the firing
// alerts of a group again and again while they fire, whatever the group's
// repeat interval and acknowledgements: a forwarder to a system that
// takes an alert as resolved once a deadline passes without news of it,
// such as notify.Alertmanager, which sends endsAt 4 resend intervals
// ahead, as Prometheus does.
//
// Once a group's first notification is past, every ResendInterval the
// dispatcher sends its firing, unmuted alerts to the receiver's notifiers
// that implement Resender (the shortest interval of them all; zero or
// less means none), and only to those: a chat or mail notifier of the
// same receiver still hears only the group's changes and repeats, and an
// acknowledgement still stops those. A resend is one attempt, observed
// like any other, with no retries (the next one follows an interval
// later) and outside the receiver's RateLimit, which paces the group's own
// notifications. Resolved notices go out as usual. Escalation tiers are
// not resent.
type Resender interface {
	ResendInterval() time.Duration
}

// dispatchResend is how a receiver's notifiers are resent: the notifiers
// implementing [Resender] and the shortest interval they ask for.
type dispatchResend struct {
	every time.Duration
	idx   []int // the notifiers' places in the receiver's list
}

// newDispatchResend returns how r is resent, nil if it is not.
func newDispatchResend(r Receiver) *dispatchResend {
	var out dispatchResend
	for i, n := range r.Notifiers {
		rs, ok := n.(Resender)
		if !ok || rs.ResendInterval() <= 0 {
			continue
		}
		if out.every == 0 || rs.ResendInterval() < out.every {
			out.every = rs.ResendInterval()
		}
		out.idx = append(out.idx, i)
	}
	if out.every == 0 {
		return nil
	}
	return &out
}

// dispatchResendTimer is a group's resend timer: nil channel when its
// receiver is not resent.
type dispatchResendTimer struct {
	rs   *dispatchResend
	t    *time.Timer
	last time.Time // last time the resent notifiers got the group firing
}

// newResendTimer starts g's resend timer, due with its first flush: the
// flush goes first and, when it sends, puts the resend an interval off.
// When it sends nothing because the group was notified before a restart,
// the resend goes out then, as Prometheus sends every active alert at its
// first evaluation, so Alertmanager hears of it before the endsAt it was
// last given.
func (d *dispatcher) newResendTimer(g *dispatchGroup) *dispatchResendTimer {
	rs := d.resend[g.receiver]
	if rs == nil {
		return &dispatchResendTimer{}
	}
	return &dispatchResendTimer{rs: rs, t: time.NewTimer(time.Until(g.flushAt))}
}

// c returns the channel that fires when a resend may be due.
func (rt *dispatchResendTimer) c() <-chan time.Time {
	if rt.t == nil {
		return nil
	}
	return rt.t.C
}

// stop stops the timer.
func (rt *dispatchResendTimer) stop() {
	if rt.t != nil {
		rt.t.Stop()
	}
}

// sent notes that a flush delivered a firing notification to all of the
// receiver's notifiers at now, so the next resend waits an interval.
func (rt *dispatchResendTimer) sent(now time.Time) {
	if rt.rs != nil {
		rt.last = now
	}
}

// resendGroup sends g's firing alerts to the resent notifiers unless a flush
// did so less than an interval ago, and sets the timer for the next one.
func (d *dispatcher) resendGroup(g *dispatchGroup, rt *dispatchResendTimer) {
	now := time.Now()
	if next := rt.last.Add(rt.rs.every); now.Before(next) {
		rt.t.Reset(next.Sub(now))
		return
	}
	rt.t.Reset(rt.rs.every)
	n := d.planResend(g, now)
	if n == nil {
		return
	}
	if d.deliverTo(d.sendCtx, n, rt.rs.idx, true) {
		rt.last = now
	}
}

// planResend returns the notification of g's firing, unmuted alerts, nil
// when there are none.
func (d *dispatcher) planResend(g *dispatchGroup, now time.Time) *Notification {
	d.mu.Lock()
	defer d.mu.Unlock()
	var send []Alert
	for _, ga := range g.alerts {
		if ga.a.State == StateFiring && !d.mutedLocked(&ga.a, now) {
			send = append(send, d.notified(ga.a))
		}
	}
	if len(send) == 0 {
		return nil
	}
	return dispatchNotification(g.receiver, g.key, g.labels, 0, send)
}
