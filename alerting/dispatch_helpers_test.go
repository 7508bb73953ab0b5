package alerting

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// dispatchSent is one notification a dispatchRecorder got, with when (time since
// the notifier was made, in the bubble's fake time).
type dispatchSent struct {
	at time.Duration
	n  Notification
}

// dispatchRecorder records what it is sent. fail, when set, gives the
// error of each call by its 1-based number.
type dispatchRecorder struct {
	start time.Time
	fail  func(call int) error

	mu    sync.Mutex
	calls int
	got   []dispatchSent
}

func newDispatchRecorder() *dispatchRecorder { return &dispatchRecorder{start: time.Now()} }

func (r *dispatchRecorder) Notify(_ context.Context, n *Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.fail != nil {
		if err := r.fail(r.calls); err != nil {
			return err
		}
	}
	r.got = append(r.got, dispatchSent{at: time.Since(r.start), n: *n})
	return nil
}

func (r *dispatchRecorder) sent() []dispatchSent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]dispatchSent(nil), r.got...)
}

// times returns when each notification came.
func (r *dispatchRecorder) times() []time.Duration {
	var out []time.Duration
	for _, s := range r.sent() {
		out = append(out, s.at)
	}
	return out
}

func (r *dispatchRecorder) last() Notification {
	s := r.sent()
	if len(s) == 0 {
		return Notification{}
	}
	return s[len(s)-1].n
}

// dispatchReceivers builds a receiver with a fresh recorder for every name.
func dispatchReceivers(names ...string) (map[string]Receiver, map[string]*dispatchRecorder) {
	rs := map[string]Receiver{}
	recs := map[string]*dispatchRecorder{}
	for _, n := range names {
		recs[n] = newDispatchRecorder()
		rs[n] = Receiver{Name: n, Notifiers: []Notifier{recs[n]}}
	}
	return rs, recs
}

// runDispatcher builds and starts a dispatcher stopped at cleanup. Unless
// cfg sets a resolve timeout, alerts put once stay firing for a day.
func runDispatcher(t *testing.T, cfg dispatchConfig) *dispatcher {
	t.Helper()
	if cfg.ResolveTimeout == 0 {
		cfg.ResolveTimeout = 24 * time.Hour
	}
	d, err := newDispatcher(cfg)
	require.NoError(t, err)
	d.start()
	t.Cleanup(func() { require.NoError(t, d.stop(context.Background())) })
	return d
}

// dispatchFiring makes a firing alert of rule "r" (or the rule given with a
// "rule" pair) that fired now, from label name/value pairs.
func dispatchFiring(pairs ...string) Alert {
	ls := map[string]string{}
	rule := "r"
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i] == "rule" {
			rule = pairs[i+1]
			continue
		}
		ls[pairs[i]] = pairs[i+1]
	}
	now := time.Now()
	return Alert{ID: routeLabelsText(ls), RuleID: rule, Labels: ls, State: StateFiring, ActiveAt: now, FiredAt: now}
}

func dispatchResolved(a Alert) Alert {
	a.State = StateResolved
	a.ResolvedAt = time.Now()
	return a
}

// dispatchAdvance moves the bubble's clock by d and lets every goroutine settle.
func dispatchAdvance(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}

// dispatchAlertNames returns the alertname and state of each alert of n.
func dispatchAlertNames(n Notification) []string {
	var out []string
	for _, a := range n.Alerts {
		out = append(out, a.Labels[LabelAlertName]+"/"+a.Labels["service"]+":"+a.State.String())
	}
	return out
}

func (r *dispatchRecorder) callCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}
