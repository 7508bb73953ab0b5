package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/o2kit/o2kit/alerting"
)

// Alertmanager forwards alerts to Prometheus Alertmanager through its v2
// API (POST /api/v2/alerts), as Prometheus itself does: Alertmanager then
// groups, silences and routes them. Every configured URL gets every
// notification, since the members of an Alertmanager cluster de-duplicate;
// a notification counts as delivered when at least one accepts it. Create
// it with [NewAlertmanager]; it is safe for concurrent use.
type Alertmanager struct {
	urls        []string
	header      http.Header
	client      *http.Client
	resendDelay time.Duration
	generator   func(*alerting.Alert) string
	now         func() time.Time
}

var (
	_ alerting.Notifier = (*Alertmanager)(nil)
	_ alerting.Resender = (*Alertmanager)(nil)
)

// AlertmanagerOption configures an [Alertmanager].
type AlertmanagerOption interface{ apply(*amConfig) }

type amConfig struct {
	header      http.Header
	client      *http.Client
	resendDelay time.Duration
	generator   func(*alerting.Alert) string
	now         func() time.Time
}

type amOptionFunc func(*amConfig)

func (f amOptionFunc) apply(c *amConfig) { f(c) }

// WithAlertmanagerBasicAuth sends HTTP basic auth with every request.
// Default: none.
func WithAlertmanagerBasicAuth(user, password string) AlertmanagerOption {
	return amOptionFunc(func(c *amConfig) { c.header.Set("Authorization", basicAuthHeader(user, password)) })
}

// WithAlertmanagerBearerToken sends "Authorization: Bearer token" with
// every request. Default: none.
func WithAlertmanagerBearerToken(token string) AlertmanagerOption {
	return amOptionFunc(func(c *amConfig) { c.header.Set("Authorization", "Bearer "+token) })
}

// WithAlertmanagerHTTPClient sets the HTTP client, for custom TLS and proxies.
// Default: a client with a 30-second timeout. nil means the default.
func WithAlertmanagerHTTPClient(hc *http.Client) AlertmanagerOption {
	return amOptionFunc(func(c *amConfig) { c.client = hc })
}

// WithResendDelay sets how often the engine re-sends firing alerts to
// Alertmanager, acknowledged ones included, whatever the route's repeat
// interval ([Alertmanager.ResendInterval]). As in Prometheus, a firing
// alert's endsAt is set 4 resend delays ahead, so Alertmanager resolves
// it by itself if the sender dies. Default: 1 minute, Prometheus'
// --rules.alert.resend-delay; zero means the default. Values below zero
// are rejected by [NewAlertmanager].
func WithResendDelay(d time.Duration) AlertmanagerOption {
	return amOptionFunc(func(c *amConfig) { c.resendDelay = d })
}

// WithGeneratorURL sets the function giving each alert's generatorURL, the
// link Alertmanager shows back to its source. Default: none.
func WithGeneratorURL(f func(a *alerting.Alert) string) AlertmanagerOption {
	return amOptionFunc(func(c *amConfig) { c.generator = f })
}

// WithAlertmanagerClock sets the clock from which firing alerts' endsAt is
// computed. Default: time.Now. nil means the default. Alertmanager holds
// endsAt against its own clock, so this one must keep real time: one that
// lags (a pinned engine clock) makes alerts end early there.
func WithAlertmanagerClock(now func() time.Time) AlertmanagerOption {
	return amOptionFunc(func(c *amConfig) { c.now = now })
}

// NewAlertmanager returns an [Alertmanager] posting to each of urls, the
// base URLs of Alertmanager instances ("http://am-0:9093"; a path prefix
// such as "/alertmanager" is kept, "/api/v2/alerts" is appended).
func NewAlertmanager(urls []string, opts ...AlertmanagerOption) (*Alertmanager, error) {
	c := amConfig{header: http.Header{}, resendDelay: time.Minute}
	for _, o := range opts {
		o.apply(&c)
	}
	if len(urls) == 0 {
		return nil, errors.New("notify: alertmanager needs at least one URL")
	}
	if c.resendDelay < 0 {
		return nil, fmt.Errorf("notify: alertmanager resend delay %s is negative", c.resendDelay)
	}
	if c.resendDelay == 0 { // endsAt would be now: every alert resolved on arrival
		c.resendDelay = time.Minute
	}
	am := &Alertmanager{header: c.header, client: clientOrDefault(c.client),
		resendDelay: c.resendDelay, generator: c.generator, now: clockOrDefault(c.now)}
	for i, raw := range urls {
		if err := requireHTTPURL(fmt.Sprintf("alertmanager %d", i), raw); err != nil {
			return nil, err
		}
		u, _ := url.Parse(raw)
		u.Path = strings.TrimSuffix(u.Path, "/") + "/api/v2/alerts"
		am.urls = append(am.urls, u.String())
	}
	return am, nil
}

// ResendInterval returns the resend delay: the dispatcher sends a firing
// group to am again that often while it fires, so Alertmanager, told each
// time that the alerts end 4 resend delays later, never takes them as
// resolved while they fire. It implements [alerting.Resender].
func (am *Alertmanager) ResendInterval() time.Duration { return am.resendDelay }

// Notify posts the alerts of n to every Alertmanager at once and returns
// nil if at least one accepted them. Otherwise it returns the errors
// joined, permanent only if every Alertmanager answered with a permanent
// error.
func (am *Alertmanager) Notify(ctx context.Context, n *alerting.Notification) error {
	body, err := json.Marshal(am.postableAlerts(n))
	if err != nil {
		return alerting.Permanent(err)
	}
	errs := make([]error, len(am.urls))
	var wg sync.WaitGroup
	for i, u := range am.urls {
		wg.Go(func() { _, errs[i] = post(ctx, am.client, u, "application/json", body, am.header.Clone()) })
	}
	wg.Wait()
	return amJoin(errs)
}

// amJoin returns nil if any of errs is nil, else the errors joined and
// numbered. The result is permanent only if every error is: a retryable
// failure of one member makes the whole worth retrying, so the permanent
// marks of the others are taken off.
func amJoin(errs []error) error {
	permanent := true
	for _, err := range errs {
		if err == nil {
			return nil
		}
		permanent = permanent && alerting.IsPermanent(err)
	}
	out := make([]error, len(errs))
	for i, err := range errs {
		var pe *alerting.PermanentError
		if !permanent && errors.As(err, &pe) {
			err = pe.Err
		}
		out[i] = fmt.Errorf("alertmanager %d: %w", i, err)
	}
	if permanent {
		return alerting.Permanent(errors.Join(out...))
	}
	return errors.Join(out...)
}

// postableAlert is an alert of the Alertmanager v2 API
// (models.PostableAlert).
type postableAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     time.Time         `json:"startsAt,omitzero"`
	EndsAt       time.Time         `json:"endsAt,omitzero"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// postableAlerts converts the alerts of n. A resolved alert ends when it
// resolved (now if that time is missing); a firing one is valid for 4 resend delays, as Prometheus sends
// it (rules.AlertingRule.sendAlerts).
func (am *Alertmanager) postableAlerts(n *alerting.Notification) []postableAlert {
	now := am.now()
	validUntil := now.Add(4 * am.resendDelay)
	out := make([]postableAlert, len(n.Alerts))
	for i := range n.Alerts {
		a := &n.Alerts[i]
		p := postableAlert{Labels: labelsOrEmpty(a.Labels), Annotations: a.Annotations,
			StartsAt: alertStartsAt(a), EndsAt: validUntil}
		if a.State == alerting.StateResolved {
			p.EndsAt = a.ResolvedAt
			if p.EndsAt.IsZero() { // without an end Alertmanager would take it as firing
				p.EndsAt = now
			}
		}
		if am.generator != nil {
			p.GeneratorURL = am.generator(a)
		}
		out[i] = p
	}
	return out
}
