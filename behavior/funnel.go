package behavior

import (
	"fmt"
	"time"
)

// Funnel is an ordered list of steps, each an event name, that a session
// goes through within Window of its first step: product_view → cart_add →
// checkout_started → purchase.
//
// A session reaches step k when it has events for steps 1..k at
// non-decreasing times, all within Window of its first step-1 event; the
// earliest fitting event of each step is taken, which finds a path
// whenever one exists. So events may arrive in any order: a late step-2
// event still moves a session on. A session counts at most once per step,
// so a repeated or duplicated event changes nothing.
//
// The in-process funnel ([Tracker.Funnel]) and the server report
// ([Tracker.FunnelReport]) apply that rule to different things:
//
//	                  in-process                          server report
//	counts            runs, since the tracker started     sessions, once per time range
//	a session is      session id, else anonymous id,      session_id; events without
//	                  else user id                        one are left out
//	bot events        left out (under BotFlag)            counted, if stored
//
// A run is a session's progress from its first event of any step until
// Window has passed on the tracker's clock; an event after that starts a
// new run, which counts again from step 1. So a session that enters the
// funnel again after Window counts once per run in-process and once on the
// server, and in-process counts never go down. Read StepReport.Sessions
// as "runs" for an in-process report.
type Funnel struct {
	Name   string
	Steps  []string      // event names; at least one, none empty or repeated
	Window time.Duration // zero means one hour
}

// maxSteps is the most steps a funnel may have.
const maxSteps = 32

func (f *Funnel) validate() error {
	if err := checkName(f.Name); err != nil {
		return fmt.Errorf("behavior: funnel name: %w", err)
	}
	if len(f.Steps) == 0 || len(f.Steps) > maxSteps {
		return fmt.Errorf("behavior: funnel %q has %d steps: want 1 to %d", f.Name, len(f.Steps), maxSteps)
	}
	seen := make(map[string]bool, len(f.Steps))
	for i, s := range f.Steps {
		if err := checkName(s); err != nil {
			return fmt.Errorf("behavior: funnel %q step %d: %w", f.Name, i+1, err)
		}
		if seen[s] {
			return fmt.Errorf("behavior: funnel %q: step %q given twice", f.Name, s)
		}
		seen[s] = true
	}
	switch {
	case f.Window < 0:
		return fmt.Errorf("behavior: funnel %q: window %v is negative", f.Name, f.Window)
	case f.Window == 0:
		f.Window = time.Hour
	}
	return nil
}

// FunnelReport gives a funnel's step counts and conversion rates, from
// the in-process funnel or from the server.
type FunnelReport struct {
	Name  string
	Steps []StepReport
	// InProgress is how many sessions the in-process funnel keeps now; 0
	// in a server report.
	InProgress int
	// Evicted counts sessions dropped by the in-process funnel's cap
	// ([WithMaxSessions]) before their window ended; 0 in a server report.
	Evicted int64
}

// StepReport is one step of a [FunnelReport].
type StepReport struct {
	Name string
	// Sessions counts the sessions that reached the step: each run of a
	// session in an in-process report, each session once in a server
	// report (see [Funnel]).
	Sessions int64
	// Conversion is Sessions over the first step's sessions (1 for the
	// first step, 0 when nobody entered).
	Conversion float64
	// FromPrevious is Sessions over the previous step's sessions (1 for
	// the first step).
	FromPrevious float64
}

// Completed returns the sessions that reached the last step.
func (r FunnelReport) Completed() int64 {
	if len(r.Steps) == 0 {
		return 0
	}
	return r.Steps[len(r.Steps)-1].Sessions
}

// Conversion returns the share of entering sessions that completed, or 0.
func (r FunnelReport) Conversion() float64 {
	if len(r.Steps) == 0 {
		return 0
	}
	return r.Steps[len(r.Steps)-1].Conversion
}

// newReport fills a report from per-step session counts.
func newReport(f *Funnel, counts []int64) FunnelReport {
	r := FunnelReport{Name: f.Name, Steps: make([]StepReport, len(f.Steps))}
	for i, s := range f.Steps {
		r.Steps[i] = StepReport{Name: s, Sessions: counts[i],
			Conversion: ratio(counts[i], counts[0]), FromPrevious: ratio(counts[i], counts[max(i-1, 0)])}
	}
	return r
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// CartToPurchase returns the funnel behind [Tracker.CartAbandonmentRate]:
// cart_add, then purchase within window. On the server, the abandonment
// rate of a time range is 1 - Conversion() of its [Tracker.FunnelReport].
func CartToPurchase(window time.Duration) Funnel {
	return Funnel{Name: "cart_to_purchase", Steps: []string{EventCartAdd, EventPurchase}, Window: window}
}

// SearchToPurchase returns the funnel behind
// [Tracker.SearchToPurchaseRate]: search, then purchase within window.
func SearchToPurchase(window time.Duration) Funnel {
	return Funnel{Name: "search_to_purchase", Steps: []string{EventSearch, EventPurchase}, Window: window}
}
