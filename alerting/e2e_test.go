package alerting_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/alerting"
	"github.com/o2kit/o2kit/alerting/notify"
	"github.com/o2kit/o2kit/internal/o2test"
	"github.com/o2kit/o2kit/metrics"
)

// hookSink is a webhook endpoint that keeps the payloads it receives.
type hookSink struct {
	mu  sync.Mutex
	got []map[string]any
}

func (h *hookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	h.got = append(h.got, m)
	h.mu.Unlock()
}

func (h *hookSink) payloads() []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string]any(nil), h.got...)
}

// recorder is a notifier that keeps what it is given.
type recorder struct {
	mu  sync.Mutex
	got []*alerting.Notification
}

func (r *recorder) Notify(_ context.Context, n *alerting.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, n)
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// TestEndToEnd follows one incident: a metric crosses its threshold, the
// rule goes pending then firing, the webhook gets one grouped notification,
// an ack stops the escalation to SMS, the metric recovers, a resolved
// notification goes out, and the alerts stream holds the history.
func TestEndToEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := o2test.Bubble(t)
		reg, err := metrics.NewRegistry(env.Client, metrics.WithInterval(15*time.Second))
		require.NoError(t, err)
		ratio := metrics.Must(reg.Gauge(metrics.Desc{Name: "checkout_error_ratio", Help: "Failed checkouts over all."}))
		ratio.Set(0.01)

		chat := &hookSink{}
		hook, err := notify.NewWebhook("http://hooks.test/alerts", notify.WithWebhookHTTPClient(o2test.InMemory(chat)))
		require.NoError(t, err)
		sms := &recorder{}
		eng, err := alerting.NewEngine(env.Client,
			alerting.WithMetrics(reg),
			alerting.WithGroups(alerting.Group{Name: "shop", Interval: 15 * time.Second, Rules: []alerting.Rule{{
				Name: "CheckoutErrors", Expr: "checkout_error_ratio > 0.05", For: time.Minute,
				Severity:    alerting.High,
				Annotations: map[string]string{"summary": "checkout errors at {{ $value | humanizePercentage }}"},
				Escalation:  []alerting.Tier{{After: 10 * time.Minute, Receivers: []string{"sms"}}},
			}}}),
			alerting.WithReceivers(
				alerting.Receiver{Name: "chat", Notifiers: []alerting.Notifier{hook}},
				alerting.Receiver{Name: "sms", Notifiers: []alerting.Notifier{sms}}),
			alerting.WithRoute(alerting.Route{Receiver: "chat", GroupBy: []string{"alertname"}}))
		require.NoError(t, err)
		ctx, stop := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- eng.Run(ctx) }()
		start := time.Now()

		time.Sleep(time.Minute)
		synctest.Wait()
		assert.Empty(t, eng.Alerts(alerting.AlertFilter{}), "below the threshold nothing is active")

		ratio.Set(0.2) // the incident starts at 1m
		time.Sleep(30 * time.Second)
		synctest.Wait()
		pending := eng.Alerts(alerting.AlertFilter{States: []alerting.State{alerting.StatePending}})
		require.Len(t, pending, 1, "seen, but For has not passed")
		assert.Empty(t, chat.payloads())

		time.Sleep(2 * time.Minute) // For (1m) and group_wait (30s) pass
		synctest.Wait()
		firing := eng.Alerts(alerting.AlertFilter{States: []alerting.State{alerting.StateFiring}})
		require.Len(t, firing, 1)
		assert.Equal(t, "checkout errors at 20%", firing[0].Annotations["summary"])
		got := chat.payloads()
		require.Len(t, got, 1, "one grouped notification")
		assert.Equal(t, "firing", got[0]["status"])
		assert.Len(t, got[0]["alerts"], 1)

		require.NoError(t, eng.Ack(t.Context(), firing[0].ID, alerting.Ack{By: "dana", Comment: "rolling back"}))
		time.Sleep(15 * time.Minute) // past the 10-minute escalation tier
		synctest.Wait()
		assert.Zero(t, sms.count(), "the ack stopped the escalation")
		assert.Len(t, chat.payloads(), 1, "and no repeat")

		ratio.Set(0.0) // recovered at ~18.5m
		time.Sleep(6 * time.Minute)
		synctest.Wait()
		got = chat.payloads()
		require.Len(t, got, 2)
		assert.Equal(t, "resolved", got[1]["status"])
		assert.Empty(t, eng.Alerts(alerting.AlertFilter{States: []alerting.State{alerting.StateFiring}}))

		stop()
		require.NoError(t, <-done)
		require.NoError(t, eng.Shutdown(t.Context()))
		require.NoError(t, reg.Shutdown(t.Context()))
		require.NoError(t, env.Client.Flush(t.Context()))

		hist, err := alerting.History(t.Context(), env.Client, alerting.HistoryQuery{Start: start, End: time.Now().Add(time.Second)})
		require.NoError(t, err)
		var kinds []string
		for i := len(hist) - 1; i >= 0; i-- { // oldest first
			switch e := hist[i]; e.Event {
			case alerting.EventStateChange:
				kinds = append(kinds, e.Event+":"+e.State)
			case alerting.EventNotification:
				kinds = append(kinds, e.Event+":"+e.Receiver+":"+e.Outcome)
			default:
				kinds = append(kinds, e.Event)
			}
		}
		assert.Equal(t, []string{
			"state_change:pending", "state_change:firing",
			"notification:chat:sent", "ack",
			"state_change:resolved", "notification:chat:sent",
		}, kinds)
	})
}
