package notify_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/o2kit/o2kit/alerting"
	"github.com/o2kit/o2kit/alerting/notify"
)

// Forwarded alerts reach Alertmanager's v2 API; a firing alert is valid for
// four resend delays, as Prometheus sends it.
func ExampleNewAlertmanager() {
	am := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Println(r.Method, r.URL.Path)
		fmt.Println(string(body))
	}))
	defer am.Close()

	now := time.Date(2026, 1, 2, 3, 10, 0, 0, time.UTC)
	fwd, err := notify.NewAlertmanager([]string{am.URL},
		notify.WithAlertmanagerClock(func() time.Time { return now }),
		notify.WithGeneratorURL(func(a *alerting.Alert) string { return "https://o2.example.com/alerts/" + a.ID }))
	if err != nil {
		panic(err)
	}
	fmt.Println(fwd.Notify(context.Background(), exampleNotification()))
	// Output:
	// POST /api/v2/alerts
	// [{"labels":{"alertname":"DiskFull","host":"db-1","severity":"high"},"annotations":{"summary":"disk 97% full"},"startsAt":"2026-01-02T03:00:00Z","endsAt":"2026-01-02T03:14:00Z","generatorURL":"https://o2.example.com/alerts/3f1c"}]
	// <nil>
}
