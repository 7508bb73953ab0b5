package alerting

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// retryPolicy bounds the retries of a notification: the n-th wait is
// Initial doubled n-1 times, at most Max, with jitter; no retry starts
// once MaxElapsed would pass. Zero fields take the defaults.
type retryPolicy struct{ Initial, Max, MaxElapsed time.Duration }

// Retry defaults.
const (
	dispatchRetryInitial    = time.Second
	dispatchRetryMax        = time.Minute
	dispatchRetryMaxElapsed = 10 * time.Minute
)

// withDefaults fills zero fields with the defaults and rejects negative
// ones.
func (p retryPolicy) withDefaults() (retryPolicy, error) {
	if p.Initial < 0 || p.Max < 0 || p.MaxElapsed < 0 {
		return p, fmt.Errorf("alerting: negative retry setting %+v", p)
	}
	p.Initial = cmp.Or(p.Initial, dispatchRetryInitial)
	p.Max = cmp.Or(p.Max, dispatchRetryMax)
	p.MaxElapsed = cmp.Or(p.MaxElapsed, dispatchRetryMaxElapsed)
	p.Max = max(p.Max, p.Initial)
	return p, nil
}

// backoff returns the wait before retry n (1-based): the exponential step
// with "equal jitter", a random point in its upper half, so retries of
// many groups spread out but never come sooner than half the step.
func (p retryPolicy) backoff(n int) time.Duration {
	b := p.Initial
	for i := 1; i < n && b < p.Max; i++ {
		b *= 2
	}
	b = min(b, p.Max)
	return b/2 + rand.N(b/2+1)
}

// deliver sends n to every notifier of its receiver after the receiver's
// rate limit allows: failed notifiers are tried again with backoff until
// they succeed, fail permanently, the retry time runs out, stop ends the
// wait or ctx ends. Every attempt is observed. It reports whether every
// notifier took the notification.
func (d *dispatcher) deliver(ctx context.Context, n *Notification) bool {
	return d.deliverTo(ctx, n, nil, false)
}

// deliverTo is deliver to the receiver's notifiers numbered in only (nil:
// all of them). A resend makes one attempt, never retried, and skips the
// receiver's rate limit: its slots are for the group's own notifications,
// which waiting resends would hold back.
func (d *dispatcher) deliverTo(ctx context.Context, n *Notification, only []int, resend bool) bool {
	if !resend && !d.limits[n.Receiver].wait(ctx, d.quit) {
		return false
	}
	notifiers := d.cfg.Receivers[n.Receiver].Notifiers
	todo := slices.Clone(only)
	if only == nil {
		todo = make([]int, len(notifiers))
		for i := range todo {
			todo[i] = i
		}
	}
	ids := dispatchAlertIDs(n)
	start := time.Now()
	var permanent []error
	for number := 1; ; number++ {
		at := time.Now()
		retry, perm, transient := dispatchSplit(todo, dispatchNotifyAll(ctx, notifiers, todo, n))
		permanent = append(permanent, perm...)
		wait := max(d.retry.backoff(number), dispatchRetryDelay(transient))
		final := resend || len(retry) == 0 || ctx.Err() != nil || time.Since(start)+wait > d.retry.MaxElapsed
		d.observe(attempt{
			At: at, Receiver: n.Receiver, GroupKey: n.GroupKey, Tier: n.Tier, Status: n.Status,
			AlertIDs: ids, Number: number, Err: errors.Join(append(perm, transient...)...),
			Took: time.Since(at), Final: final, Resend: resend,
		})
		if final {
			return d.delivered(n, number, append(permanent, transient...))
		}
		todo = retry
		if !dispatchSleep(ctx, d.quit, wait) {
			return false
		}
	}
}

// dispatchRetryDelay returns the longest wait the errors ask for through a
// RetryDelay method, such as a Retry-After answer.
func dispatchRetryDelay(errs []error) time.Duration {
	var d time.Duration
	for _, err := range errs {
		var rd interface{ RetryDelay() time.Duration }
		if errors.As(err, &rd) {
			d = max(d, rd.RetryDelay())
		}
	}
	return d
}

// dispatchSplit sorts the errors of one attempt at the notifiers numbered
// in todo: those to try again, and the permanent and transient failures.
func dispatchSplit(todo []int, errs []error) (retry []int, permanent, transient []error) {
	for i, err := range errs {
		if err == nil {
			continue
		}
		err = fmt.Errorf("notifier %d: %w", todo[i], err)
		if IsPermanent(err) {
			permanent = append(permanent, err)
		} else {
			retry = append(retry, todo[i])
			transient = append(transient, err)
		}
	}
	return retry, permanent, transient
}

// delivered reports the failures left after the last attempt and tells
// whether there were none.
func (d *dispatcher) delivered(n *Notification, number int, failures []error) bool {
	if len(failures) == 0 {
		return true
	}
	d.report(fmt.Errorf("alerting: notify receiver %q (group %s, tier %d) failed after %d attempts: %w",
		n.Receiver, n.GroupKey, n.Tier, number, errors.Join(failures...)))
	return false
}

// observe hands an attempt to cfg.Observe.
func (d *dispatcher) observe(a attempt) {
	if d.cfg.Observe != nil {
		d.cfg.Observe(a)
	}
}

// dispatchNotifyAll calls the notifiers numbered in idx at once and
// returns their errors in the order of idx.
func dispatchNotifyAll(ctx context.Context, ns []Notifier, idx []int, n *Notification) []error {
	errs := make([]error, len(idx))
	var wg sync.WaitGroup
	for i, k := range idx {
		wg.Go(func() { errs[i] = ns[k].Notify(ctx, n) })
	}
	wg.Wait()
	return errs
}

// dispatchAlertIDs lists the IDs of n's alerts.
func dispatchAlertIDs(n *Notification) []string {
	ids := make([]string, len(n.Alerts))
	for i := range n.Alerts {
		ids[i] = n.Alerts[i].ID
	}
	return ids
}

// dispatchSleep waits for d and reports whether it did so without ctx
// ending or quit closing.
func dispatchSleep(ctx context.Context, quit <-chan struct{}, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-quit:
		return false
	}
}

// dispatchLimiter spaces a receiver's notifications at least every apart.
// Each caller books the next free slot and waits for it, so notifications
// due together go out one after another, none dropped.
type dispatchLimiter struct {
	every time.Duration
	mu    sync.Mutex // guards next
	next  time.Time  // the earliest free slot
}

// wait books the next free slot and sleeps until it; false means ctx
// ended or the dispatcher stopped first.
func (l *dispatchLimiter) wait(ctx context.Context, quit <-chan struct{}) bool {
	if l == nil || l.every <= 0 {
		return ctx.Err() == nil
	}
	l.mu.Lock()
	now := time.Now()
	at := now
	if l.next.After(now) {
		at = l.next
	}
	l.next = at.Add(l.every)
	l.mu.Unlock()
	return dispatchSleep(ctx, quit, at.Sub(now))
}

// testReceiver sends one test notification (Test set), with a sample
// firing alert, through every notifier of the receiver, without retries
// or rate limit; the notifiers' errors come back joined. The send is
// observed as one final attempt of group "test", so it is recorded like
// any other.
func (d *dispatcher) testReceiver(ctx context.Context, name string) error {
	r, ok := d.cfg.Receivers[name]
	if !ok {
		return fmt.Errorf("%w: receiver %q", ErrNotFound, name)
	}
	at := time.Now()
	n := dispatchTestNotification(name, at)
	idx := make([]int, len(r.Notifiers))
	for i := range idx {
		idx[i] = i
	}
	var errs []error
	for i, err := range dispatchNotifyAll(ctx, r.Notifiers, idx, n) {
		if err != nil {
			errs = append(errs, fmt.Errorf("alerting: receiver %q: notifier %d: %w", name, i, err))
		}
	}
	err := errors.Join(errs...)
	d.observe(attempt{
		At: at, Receiver: name, GroupKey: n.GroupKey, Tier: n.Tier, Status: n.Status,
		AlertIDs: dispatchAlertIDs(n), Number: 1, Err: err, Took: time.Since(at), Final: true,
	})
	return err
}

// dispatchTestNotification is the notification testReceiver sends.
func dispatchTestNotification(recv string, now time.Time) *Notification {
	a := Alert{
		ID:          "test",
		Labels:      map[string]string{LabelAlertName: "TestNotification", LabelSeverity: string(Low)},
		Annotations: map[string]string{"summary": "Test notification for receiver " + recv},
		State:       StateFiring,
		ActiveAt:    now,
		FiredAt:     now,
	}
	n := dispatchNotification(recv, "test", map[string]string{LabelAlertName: a.Name()}, 0, []Alert{a})
	n.Test = true
	return n
}
