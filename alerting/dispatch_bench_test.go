package alerting

import (
	"strconv"
	"testing"
	"time"
)

// dispatchBenchAlerts makes n firing alerts over 100 alertnames and 50
// services, half of them warnings.
func dispatchBenchAlerts(n int) []Alert {
	out := make([]Alert, n)
	now := time.Now()
	for i := range out {
		sev := "critical"
		if i%2 == 1 {
			sev = "warning"
		}
		ls := map[string]string{
			"alertname": "A" + strconv.Itoa(i%100), "service": "s" + strconv.Itoa(i%50),
			"severity": sev, "pod": "p" + strconv.Itoa(i),
		}
		out[i] = Alert{ID: routeLabelsText(ls), RuleID: "r", Labels: ls, State: StateFiring, ActiveAt: now, FiredAt: now}
	}
	return out
}

func newBenchDispatcher(b *testing.B) *dispatcher {
	d, err := newDispatcher(dispatchConfig{
		Route:     Route{Receiver: "team", GroupBy: []string{"alertname", "service"}},
		Receivers: map[string]Receiver{"team": {Name: "team"}},
		Inhibit: []InhibitRule{{
			Source: []string{`severity="critical"`}, Target: []string{`severity="warning"`}, Equal: []string{"service"},
		}},
	})
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// BenchmarkDispatchPut measures one evaluation's put of 10,000 firing
// alerts and their routing into groups (the dispatcher is not started, so
// no group goroutines run).
func BenchmarkDispatchPut(b *testing.B) {
	d := newBenchDispatcher(b)
	alerts := dispatchBenchAlerts(10_000)
	b.ReportAllocs()
	for b.Loop() {
		d.put(alerts)
		d.ingest()
	}
}

// BenchmarkDispatchPlanFlush measures deciding one flush of a group of
// 100 alerts, half of them inhibition targets, with 10,000 alerts firing.
func BenchmarkDispatchPlanFlush(b *testing.B) {
	d := newBenchDispatcher(b)
	d.put(dispatchBenchAlerts(10_000))
	d.ingest()
	var g *dispatchGroup
	for _, g = range d.groups {
		break
	}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		d.planFlush(g, now)
	}
}

// BenchmarkDispatchExpire measures the loop's resolve timeout check, run
// at every wake, with 10,000 alerts firing and none due: after the first
// scan it answers from the earliest timeout it found.
func BenchmarkDispatchExpire(b *testing.B) {
	d := newBenchDispatcher(b)
	d.put(dispatchBenchAlerts(10_000))
	d.ingest()
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = d.expire(now)
	}
}
