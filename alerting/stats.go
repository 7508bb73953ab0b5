package alerting

import "sync/atomic"

// Stats are the engine's counters since it was made, and the alerts
// active now.
type Stats struct {
	Evaluations          uint64 // group evaluations
	RuleFailures         uint64 // rule evaluations that failed
	SlowRules            uint64 // rule evaluations slower than WithSlowRule
	NotificationsSent    uint64 // notifications delivered
	NotificationsFailed  uint64 // notification attempts that failed, retried ones included
	NotificationsGivenUp uint64 // notifications dropped after their last attempt
	Pending              int    // alerts pending now
	Firing               int    // alerts firing now
}

// counters are the atomic counters behind Stats.
type counters struct {
	evaluations, ruleFailures, slowRules atomic.Uint64
	sent, failed, gaveUp                 atomic.Uint64
}

// Stats returns the counters and the number of pending and firing alerts.
func (e *Engine) Stats() Stats {
	s := Stats{
		Evaluations: e.n.evaluations.Load(), RuleFailures: e.n.ruleFailures.Load(), SlowRules: e.n.slowRules.Load(),
		NotificationsSent: e.n.sent.Load(), NotificationsFailed: e.n.failed.Load(), NotificationsGivenUp: e.n.gaveUp.Load(),
	}
	for _, a := range e.Alerts(AlertFilter{States: []State{StatePending, StateFiring}}) {
		if a.State == StateFiring {
			s.Firing++
		} else {
			s.Pending++
		}
	}
	return s
}
