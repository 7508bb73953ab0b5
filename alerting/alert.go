package alerting

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

// Severity ranks how urgent an alert is. A rule without one is [Medium].
type Severity string

// The severities, lowest first.
const (
	Low      Severity = "low"
	Medium   Severity = "medium"
	High     Severity = "high"
	Critical Severity = "critical"
)

// Valid reports whether s is one of the four severities.
func (s Severity) Valid() bool {
	switch s {
	case Low, Medium, High, Critical:
		return true
	}
	return false
}

// State is where one alert series is in its life, following Prometheus:
// an active condition makes it pending, staying active for the rule's For
// makes it firing, and a condition gone for KeepFiringFor resolves it.
type State int

// The states of an alert series.
const (
	StateInactive State = iota
	StatePending
	StateFiring
	StateResolved
)

var stateNames = [...]string{"inactive", "pending", "firing", "resolved"}

// String returns the state's lower-case name, as the alerts stream and the
// HTTP API spell it.
func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return fmt.Sprintf("State(%d)", int(s))
	}
	return stateNames[s]
}

// MarshalText encodes the state as its name.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes a state name.
func (s *State) UnmarshalText(b []byte) error {
	v, err := ParseState(string(b))
	if err == nil {
		*s = v
	}
	return err
}

// ParseState returns the State named s ("inactive", "pending", "firing",
// "resolved").
func ParseState(s string) (State, error) {
	for i, n := range stateNames {
		if n == s {
			return State(i), nil
		}
	}
	return 0, fmt.Errorf("alerting: unknown state %q", s)
}

// Alert is one series of a rule: the rule's labels merged with the labels of
// one element of its condition's result. Its ID is a fingerprint of the
// labels, stable across evaluations and restarts, by which it is
// acknowledged.
type Alert struct {
	ID          string            `json:"id"`
	RuleID      string            `json:"rule_id"`
	Labels      map[string]string `json:"labels"`      // includes alertname and severity
	Annotations map[string]string `json:"annotations"` // templates rendered
	State       State             `json:"state"`
	Value       float64           `json:"value"`
	ActiveAt    time.Time         `json:"active_at"`            // first evaluation found it active
	FiredAt     time.Time         `json:"fired_at,omitzero"`    // became firing
	ResolvedAt  time.Time         `json:"resolved_at,omitzero"` // became resolved
	Ack         *Ack              `json:"ack,omitempty"`
}

// MarshalJSON writes the alert as its field tags say, with a Value that is
// NaN or infinite (errors / requests when there were no requests) as
// null, which encoding/json could not write otherwise.
func (a Alert) MarshalJSON() ([]byte, error) {
	type plain Alert // without the method
	var v *float64
	if !math.IsNaN(a.Value) && !math.IsInf(a.Value, 0) {
		v = &a.Value
	}
	return json.Marshal(struct {
		plain
		Value *float64 `json:"value"`
	}{plain(a), v})
}

// Severity returns the alert's severity label as a [Severity].
func (a *Alert) Severity() Severity { return Severity(a.Labels[LabelSeverity]) }

// Name returns the alert's alertname label.
func (a *Alert) Name() string { return a.Labels[LabelAlertName] }

// Label names every alert carries.
const (
	LabelAlertName = "alertname"
	LabelSeverity  = "severity"
)

// Ack is an acknowledgement of a firing alert: who, when and why. It stops
// repeated notifications and escalation of the alert until it resolves.
type Ack struct {
	By      string    `json:"by"`
	At      time.Time `json:"at"`
	Comment string    `json:"comment,omitempty"`
}

// Notification is what a [Notifier] sends: the alerts of one group for one
// receiver, as Alertmanager's webhook payload groups them. Status is
// "firing" while any alert in it fires, else "resolved".
type Notification struct {
	Receiver          string            `json:"receiver"`
	Status            string            `json:"status"`
	GroupKey          string            `json:"group_key"`
	GroupLabels       map[string]string `json:"group_labels"`
	CommonLabels      map[string]string `json:"common_labels"`
	CommonAnnotations map[string]string `json:"common_annotations"`
	Alerts            []Alert           `json:"alerts"`
	Tier              int               `json:"tier"` // escalation tier; 0 is the first notification
	Test              bool              `json:"test,omitempty"`
}

// Notification statuses.
const (
	StatusFiring   = "firing"
	StatusResolved = "resolved"
)

// Notifier delivers a notification to one destination: a mail server, a
// chat robot, a webhook. Notify makes one attempt and returns its error; the
// engine retries with backoff, rate-limits per receiver and records every
// attempt. An error wrapped in a [*PermanentError] is not retried (a 4xx
// answer, a rejected address). Notify may be called concurrently for
// different notifications; it must not keep or modify n after returning.
// An error with a method RetryDelay() time.Duration (notify's *HTTPError
// for an answer with Retry-After) makes the next attempt wait at least
// that long. A notifier that is also a [Resender], such as notify's
// Alertmanager, gets firing alerts again at its interval.
type Notifier interface {
	Notify(ctx context.Context, n *Notification) error
}

// NotifierFunc adapts a function to [Notifier].
type NotifierFunc func(ctx context.Context, n *Notification) error

// Notify calls f(ctx, n).
func (f NotifierFunc) Notify(ctx context.Context, n *Notification) error { return f(ctx, n) }

// Receiver is a named set of notifiers that routes and escalation tiers
// point to. Every notifier of a receiver gets each notification.
type Receiver struct {
	Name      string
	Notifiers []Notifier
	// RateLimit is the least time between two notifications of this
	// receiver; notifications due sooner wait. Zero means no limit.
	RateLimit time.Duration
}

// PermanentError marks a notification failure that retrying cannot fix,
// such as a rejected recipient or a 400 answer.
type PermanentError struct{ Err error }

// Error returns the wrapped error's text.
func (e *PermanentError) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err in a [*PermanentError]; a nil err stays nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// IsPermanent reports whether err is or wraps a [*PermanentError].
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}
