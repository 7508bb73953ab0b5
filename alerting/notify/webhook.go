package notify

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/o2kit/o2kit/alerting"
)

// Webhook posts each notification as JSON in the shape of Alertmanager's
// webhook receiver (see [WebhookMessage]), so receivers written for
// Alertmanager read it unchanged. With [WithSecret] every request is signed
// (see [VerifyWebhook]). Create it with [NewWebhook]; it is safe for
// concurrent use.
type Webhook struct {
	url    string
	secret []byte
	header http.Header
	client *http.Client
	tmpl   *Template
	now    func() time.Time
}

var _ alerting.Notifier = (*Webhook)(nil)

// WebhookOption configures a [Webhook].
type WebhookOption interface{ apply(*webhookConfig) }

type webhookConfig struct {
	secret      string
	secretSet   bool
	header      http.Header
	client      *http.Client
	title, body string
	now         func() time.Time
}

type webhookOptionFunc func(*webhookConfig)

func (f webhookOptionFunc) apply(c *webhookConfig) { f(c) }

// WithSecret signs every request with HMAC-SHA256 under key, in the
// X-O2kit-Signature and X-O2kit-Timestamp headers (see [VerifyWebhook]).
// Default: unsigned. An empty key is rejected by [NewWebhook].
func WithSecret(key string) WebhookOption {
	return webhookOptionFunc(func(c *webhookConfig) { c.secret, c.secretSet = key, true })
}

// WithWebhookHeader adds a header to every request, for example an API key
// the receiver expects. It may be given several times; Content-Type and the
// signature headers cannot be overridden. Default: none.
func WithWebhookHeader(key, value string) WebhookOption {
	return webhookOptionFunc(func(c *webhookConfig) { c.header.Add(key, value) })
}

// WithWebhookHTTPClient sets the HTTP client, for custom TLS (a private CA,
// client certificates), proxies and timeouts. Default: a client with a
// 30-second timeout. nil means the default.
func WithWebhookHTTPClient(hc *http.Client) WebhookOption {
	return webhookOptionFunc(func(c *webhookConfig) { c.client = hc })
}

// WithWebhookTemplate sets the templates of the payload's title and message
// fields (see [NewTemplate]). Default: [DefaultTitle] and [DefaultBody]. A
// template that does not parse is rejected by [NewWebhook].
func WithWebhookTemplate(title, body string) WebhookOption {
	return webhookOptionFunc(func(c *webhookConfig) { c.title, c.body = title, body })
}

// WithWebhookClock sets the clock that stamps signatures. Default:
// time.Now. nil means the default.
func WithWebhookClock(now func() time.Time) WebhookOption {
	return webhookOptionFunc(func(c *webhookConfig) { c.now = now })
}

// NewWebhook returns a [Webhook] posting to rawURL, which must be an
// absolute http or https URL. The URL never appears in errors, since it may
// carry a token.
func NewWebhook(rawURL string, opts ...WebhookOption) (*Webhook, error) {
	c := webhookConfig{header: http.Header{}}
	for _, o := range opts {
		o.apply(&c)
	}
	if err := requireHTTPURL("webhook", rawURL); err != nil {
		return nil, err
	}
	if c.secretSet && c.secret == "" {
		return nil, errors.New("notify: webhook secret is empty")
	}
	t, err := NewTemplate(c.title, c.body)
	if err != nil {
		return nil, err
	}
	return &Webhook{url: rawURL, secret: []byte(c.secret), header: c.header,
		client: clientOrDefault(c.client), tmpl: t, now: clockOrDefault(c.now)}, nil
}

// Notify posts n once. A 4xx answer other than 408 and 429 is permanent; a
// 429 or 5xx answer is an [*HTTPError] carrying Retry-After.
func (w *Webhook) Notify(ctx context.Context, n *alerting.Notification) error {
	msg, err := newWebhookMessage(n, w.tmpl)
	if err != nil {
		return err
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return alerting.Permanent(err)
	}
	hdr := w.header.Clone()
	if len(w.secret) > 0 {
		ts, sig := signWebhook(w.secret, w.now(), body)
		hdr.Set(HeaderTimestamp, ts)
		hdr.Set(HeaderSignature, sig)
	}
	_, err = post(ctx, w.client, w.url, "application/json", body, hdr)
	return err
}

// requireHTTPURL reports whether raw is an absolute http(s) URL, without quoting
// it: it may hold a token.
func requireHTTPURL(what, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("notify: " + what + " URL must be an absolute http or https URL")
	}
	return nil
}

// defaultClient is used when no HTTP client is given: http.DefaultClient
// has no timeout, and a hung endpoint would hold a notification forever.
var defaultClient = &http.Client{Timeout: 30 * time.Second}

func clientOrDefault(hc *http.Client) *http.Client {
	if hc == nil {
		return defaultClient
	}
	return hc
}

func clockOrDefault(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}
