package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/o2kit/o2kit/alerting"
	"github.com/o2kit/o2kit/alerting/notify"
)

//go:embed alerts.yaml
var alertRules []byte

// hookSecret signs the alert webhook; a real service reads it from its
// secret store.
const hookSecret = "shop-hook-secret"

// newAlerts builds the alert engine over the registry and the tracker's
// funnel figures. Notifications go to the shop's own webhook endpoint at
// hookURL, signed; the pager tier is an SMS gateway a real service would
// point at its provider.
func (o *observability) newAlerts(hookURL string) error {
	rules, err := alerting.ParseRules(alertRules, "alerts.yaml")
	if err != nil {
		return err
	}
	hook, err := notify.NewWebhook(hookURL, notify.WithSecret(hookSecret))
	if err != nil {
		return err
	}
	pager, err := notify.NewSMS(notify.SMSProviderFunc(func(context.Context, []string, string) error { return nil }),
		[]string{"+8613800000000"})
	if err != nil {
		return err
	}
	o.alerts, err = alerting.NewEngine(o.client,
		alerting.WithMetrics(o.reg),
		alerting.WithMetrics(alerting.SnapshotSource("shop_", o.tracker)),
		alerting.WithGroups(rules...),
		alerting.WithReceivers(
			alerting.Receiver{Name: "ops", Notifiers: []alerting.Notifier{hook}},
			alerting.Receiver{Name: "pager", Notifiers: []alerting.Notifier{pager}}),
		// One notification per team; a short group_wait for the short simulation.
		alerting.WithRoute(alerting.Route{Receiver: "ops", GroupBy: []string{"team"}, GroupWait: time.Second}),
		// 5xx answers explain the ERROR log lines: no separate page for those.
		alerting.WithInhibitRules(alerting.InhibitRule{
			Source: []string{`alertname="ServerErrors"`}, Target: []string{`alertname="ErrorLogs"`}, Equal: []string{"team"}}),
	)
	return err
}

// hookMessage is the part of the webhook payload the shop reads.
type hookMessage struct {
	Status string `json:"status"`
	Alerts []struct {
		Labels map[string]string `json:"labels"`
	} `json:"alerts"`
}

// alertHook receives the engine's webhook notifications: it checks the
// signature and hands each message to the summary.
func (o *observability) alertHook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	if err := notify.VerifyWebhook(hookSecret, r.Header, body, notify.DefaultMaxSkew); err != nil {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var m hookMessage
	if err := json.Unmarshal(body, &m); err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	select {
	case o.hooks <- m:
	default: // the summary has what it needs
	}
}

// waitHook returns the first webhook message, or an error after a while.
func (o *observability) waitHook(ctx context.Context) (hookMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	select {
	case m := <-o.hooks:
		return m, nil
	case <-ctx.Done():
		return hookMessage{}, errors.New("no alert notification arrived")
	}
}

// printAlerts evaluates the rules over what the simulation recorded, then
// prints the firing alerts, the webhook notification they caused, and the
// alerts stream's history.
func printAlerts(ctx context.Context, out io.Writer, obs *observability, since, _ time.Time) error {
	if err := obs.alerts.Evaluate(ctx); err != nil {
		return err
	}
	firing := obs.alerts.Alerts(alerting.AlertFilter{States: []alerting.State{alerting.StateFiring}})
	fmt.Fprintf(out, "alerts firing: %d\n", len(firing))
	for _, a := range firing {
		fmt.Fprintf(out, "  %-22s %-8s %s\n", a.Name(), a.Severity(), a.Annotations["summary"])
	}
	m, err := obs.waitHook(ctx)
	if err != nil {
		return err
	}
	var names []string
	for _, a := range m.Alerts {
		names = append(names, a.Labels["alertname"])
	}
	fmt.Fprintf(out, "webhook (signed) got one %s notification for team=shop: %v\n", m.Status, names)
	if err := obs.client.Flush(ctx); err != nil {
		return err
	}
	hist, err := alerting.History(ctx, obs.client, alerting.HistoryQuery{
		Event: alerting.EventStateChange, Start: since, End: time.Now().Add(time.Second)})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "alerts stream: %d state change(s)\n", len(hist))
	return nil
}

// operatorToken is the bearer token of the alert API; a real service
// checks its own users instead.
const operatorToken = "shop-operators"

// operatorsOnly lets through requests with the operators' bearer token.
func operatorsOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+operatorToken {
			w.Header().Set("WWW-Authenticate", "Bearer")
			http.Error(w, "operators only", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
