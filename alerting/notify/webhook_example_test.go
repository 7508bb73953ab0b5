package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/o2kit/o2kit/alerting"
	"github.com/o2kit/o2kit/alerting/notify"
)

// exampleNotification is a firing notification of one alert.
func exampleNotification() *alerting.Notification {
	fired := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	return &alerting.Notification{
		Receiver: "ops", Status: alerting.StatusFiring, GroupKey: `{}:{alertname="DiskFull"}`,
		GroupLabels:  map[string]string{"alertname": "DiskFull"},
		CommonLabels: map[string]string{"alertname": "DiskFull", "severity": "high", "host": "db-1"},
		Alerts: []alerting.Alert{{
			ID: "3f1c", RuleID: "disk", State: alerting.StateFiring, ActiveAt: fired, FiredAt: fired,
			Labels:      map[string]string{"alertname": "DiskFull", "severity": "high", "host": "db-1"},
			Annotations: map[string]string{"summary": "disk 97% full"},
		}},
	}
}

// A receiver checks the signature with VerifyWebhook on the raw body,
// then decodes the Alertmanager-shaped payload.
func ExampleNewWebhook() {
	const secret = "shared-secret"
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := notify.VerifyWebhook(secret, r.Header, body, time.Minute); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var m notify.WebhookMessage
		_ = json.Unmarshal(body, &m)
		fmt.Printf("version %s, %s: %s\n", m.Version, m.Status, m.Title)
		for _, a := range m.Alerts {
			fmt.Println(a.Status, a.Labels["host"], a.Annotations["summary"], a.StartsAt.Format(time.RFC3339))
		}
	}))
	defer receiver.Close()

	hook, err := notify.NewWebhook(receiver.URL, notify.WithSecret(secret))
	if err != nil {
		panic(err)
	}
	fmt.Println(hook.Notify(context.Background(), exampleNotification()))

	wrong, _ := notify.NewWebhook(receiver.URL, notify.WithSecret("guessed"))
	err = wrong.Notify(context.Background(), exampleNotification())
	fmt.Println("permanent:", alerting.IsPermanent(err))
	// Output:
	// version 4, firing: [FIRING:1] DiskFull
	// firing db-1 disk 97% full 2026-01-02T03:00:00Z
	// <nil>
	// permanent: true
}
