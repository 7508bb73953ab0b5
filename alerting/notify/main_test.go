package notify

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/o2kit/o2kit/alerting"
)

// TestMain fails the package's tests if any leave a goroutine behind: a
// notifier must close every connection it opens.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fixtureTime is the pinned time of the test notifications.
var fixtureTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// fixtureA returns a notification of two alerts of HighLatency on api-1
// and api-2, both resolved at fixtureTime when status is "resolved".
func fixtureA(status string) *alerting.Notification {
	n := &alerting.Notification{
		Receiver: "ops", Status: status, GroupKey: `{}:{alertname="HighLatency"}`,
		GroupLabels:       map[string]string{"alertname": "HighLatency"},
		CommonLabels:      map[string]string{"alertname": "HighLatency", "severity": "critical"},
		CommonAnnotations: map[string]string{"summary": "p99 above 2s"},
		Tier:              1,
	}
	for _, inst := range []string{"api-1", "api-2"} {
		a := alerting.Alert{
			ID: "fp-" + inst, RuleID: "latency",
			Labels:      map[string]string{"alertname": "HighLatency", "severity": "critical", "instance": inst},
			Annotations: map[string]string{"summary": "p99 above 2s on " + inst},
			State:       alerting.StateFiring, Value: 2.5,
			ActiveAt: fixtureTime.Add(-10 * time.Minute), FiredAt: fixtureTime.Add(-5 * time.Minute),
		}
		if status == alerting.StatusResolved {
			a.State, a.ResolvedAt = alerting.StateResolved, fixtureTime
		}
		n.Alerts = append(n.Alerts, a)
	}
	return n
}

// assertNoLeak fails if the text of err holds any of secrets.
func assertNoLeak(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		assert.NotContains(t, err.Error(), s, "a secret leaked into the error")
	}
}
