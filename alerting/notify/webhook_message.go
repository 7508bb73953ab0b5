package notify

import (
	"time"

	"github.com/o2kit/o2kit/alerting"
)

// WebhookMessage is the JSON body a [Webhook] posts. Its fields are those
// of Alertmanager's webhook payload (version "4"), so receivers written for
// Alertmanager decode it; Tier, Test, Title and Message are additions.
type WebhookMessage struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []WebhookAlert    `json:"alerts"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`

	Tier    int    `json:"tier"`    // escalation tier; 0 is the first notification
	Test    bool   `json:"test"`    // sent by a test-send call, not by a rule
	Title   string `json:"title"`   // the rendered title template
	Message string `json:"message"` // the rendered body template
}

// WebhookAlert is one alert of a [WebhookMessage], as in Alertmanager's
// webhook payload. StartsAt is when the alert fired; EndsAt is when it
// resolved, or the zero time while it fires. Fingerprint is the alert's ID.
// Ack is an addition, set once the alert is acknowledged.
type WebhookAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
	Ack          *alerting.Ack     `json:"ack,omitempty"`
}

// newWebhookMessage converts n and renders its title and message with t.
func newWebhookMessage(n *alerting.Notification, t *Template) (*WebhookMessage, error) {
	title, body, err := t.Render(n)
	if err != nil {
		return nil, err
	}
	m := &WebhookMessage{
		Version: "4", GroupKey: n.GroupKey, Status: n.Status, Receiver: n.Receiver,
		GroupLabels: labelsOrEmpty(n.GroupLabels), CommonLabels: labelsOrEmpty(n.CommonLabels),
		CommonAnnotations: labelsOrEmpty(n.CommonAnnotations),
		Alerts:            make([]WebhookAlert, len(n.Alerts)),
		Tier:              n.Tier, Test: n.Test, Title: title, Message: body,
	}
	for i := range n.Alerts {
		a := &n.Alerts[i]
		m.Alerts[i] = WebhookAlert{
			Status: alertStatusOf(a), Labels: labelsOrEmpty(a.Labels), Annotations: labelsOrEmpty(a.Annotations),
			StartsAt: alertStartsAt(a), EndsAt: a.ResolvedAt, Fingerprint: a.ID, Ack: a.Ack,
		}
	}
	return m, nil
}

// alertStatusOf is "resolved" for a resolved alert, else "firing".
func alertStatusOf(a *alerting.Alert) string {
	if a.State == alerting.StateResolved {
		return alerting.StatusResolved
	}
	return alerting.StatusFiring
}

// alertStartsAt is when the alert fired, as Prometheus reports StartsAt, or
// when it became active if it never fired (a test notification).
func alertStartsAt(a *alerting.Alert) time.Time {
	if !a.FiredAt.IsZero() {
		return a.FiredAt
	}
	return a.ActiveAt
}

// labelsOrEmpty returns m, or an empty map for nil so that JSON carries {} as
// Alertmanager does, never null.
func labelsOrEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
