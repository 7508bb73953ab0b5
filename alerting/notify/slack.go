package notify

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/o2kit/o2kit/alerting"
)

// Slack posts notifications to a Slack incoming webhook: by default a
// header block with the title and a section block with the body in
// mrkdwn, or, with [WithSlackAttachments], an attachment whose side bar is
// coloured by status and severity. It implements [alerting.Notifier]; it
// is safe for concurrent use.
//
// Webhook documentation: https://api.slack.com/messaging/webhooks; errors:
// https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks.
type Slack struct {
	url     string
	secrets []string // the URL's path tokens, kept out of errors
	cfg     slackConfig
	tmpl    *Template
}

var _ alerting.Notifier = (*Slack)(nil)

type slackConfig struct {
	chatCommon
	attachments bool
	mentions    []string
}

// SlackOption configures a [Slack] notifier.
type SlackOption interface{ apply(*slackConfig) }

type slackOptionFunc func(*slackConfig)

func (f slackOptionFunc) apply(c *slackConfig) { f(c) }

// Block Kit limits: a header's plain text and a section's text.
const (
	slackHeaderMax  = 150
	slackSectionMax = 3000
)

// WithSlackAttachments sends the message as a (legacy) attachment with a
// coloured side bar instead of top-level blocks: green once resolved, and
// while firing red, orange, yellow or blue from critical down to low.
func WithSlackAttachments() SlackOption {
	return slackOptionFunc(func(c *slackConfig) { c.attachments = true })
}

// WithSlackMentions mentions these in firing notifications: user IDs
// ("U024BE7LH"), user groups ("subteam^SAZ94GDB8"), or "here", "channel"
// and "everyone". The mentions follow the message text, where Slack
// notifies them
// (https://api.slack.com/reference/surfaces/formatting#mentioning-users).
// Default none.
func WithSlackMentions(ids ...string) SlackOption {
	return slackOptionFunc(func(c *slackConfig) { c.mentions = append(c.mentions, ids...) })
}

// WithSlackTemplate sets the title and body templates (see [Template]);
// empty strings keep [DefaultTitle] and [DefaultBody]. A template that
// does not parse makes [NewSlack] fail. The body is Slack mrkdwn; &, < and
// > in the rendered text are escaped as Slack requires.
func WithSlackTemplate(title, body string) SlackOption {
	return slackOptionFunc(func(c *slackConfig) { c.title, c.body = title, body })
}

// WithSlackHTTPClient sets the HTTP client used for requests. Default (and
// nil) is [http.DefaultClient].
func WithSlackHTTPClient(hc *http.Client) SlackOption {
	return slackOptionFunc(func(c *slackConfig) { c.hc = hc })
}

// NewSlack returns a notifier for the incoming webhook at webhookURL
// ("https://hooks.slack.com/services/T…/B…/…"). It fails if the URL is
// not an absolute http(s) URL or a template does not parse; errors never
// quote the URL.
func NewSlack(webhookURL string, opts ...SlackOption) (*Slack, error) {
	u, secrets, err := chatURL("slack", webhookURL)
	if err != nil {
		return nil, err
	}
	s := &Slack{url: u.String(), secrets: secrets}
	for _, o := range opts {
		if o != nil {
			o.apply(&s.cfg)
		}
	}
	if s.tmpl, err = s.cfg.template(); err != nil {
		return nil, err
	}
	return s, nil
}

// Notify posts n. Slack answers 200 "ok"; failures come as 4xx with a
// short text (invalid_payload, no_text, channel_not_found, no_service…),
// returned as a permanent [*ChatError], or as 429 (with Retry-After) and
// 5xx, returned as a retryable one.
func (s *Slack) Notify(ctx context.Context, n *alerting.Notification) error {
	title, body, err := s.tmpl.Render(n)
	if err != nil {
		return err
	}
	_, err = postJSON(ctx, s.cfg.hc, s.url, s.message(n, title, body), nil)
	var he *HTTPError
	if err == nil || !errors.As(err, &he) {
		return err
	}
	ce := &ChatError{Vendor: "slack", Message: chatRedact(chatCut(he.Body, 256), s.secrets), Err: he}
	if alerting.IsPermanent(err) {
		return alerting.Permanent(ce)
	}
	return ce
}

type slackMessage struct {
	Text        string            `json:"text"`
	Blocks      []slackBlock      `json:"blocks,omitempty"`
	Attachments []slackAttachment `json:"attachments,omitempty"`
}

type slackBlock struct {
	Type string    `json:"type"`
	Text slackText `json:"text"`
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slackAttachment struct {
	Color    string   `json:"color"`
	Fallback string   `json:"fallback"`
	Title    string   `json:"title"`
	Text     string   `json:"text"`
	MrkdwnIn []string `json:"mrkdwn_in"`
}

// message builds the payload. Text is the notification's fallback (and
// the whole message for clients without blocks).
func (s *Slack) message(n *alerting.Notification, title, body string) *slackMessage {
	text, at := slackEscape(title), s.mentions(n)
	section := chatCut(slackEscape(body), slackSectionMax)
	if s.cfg.attachments {
		m := &slackMessage{Text: text, Attachments: []slackAttachment{{
			Color: slackColor(n), Fallback: text, Title: text, Text: section, MrkdwnIn: []string{"text"},
		}}}
		if at != "" {
			m.Text += " " + at // shown above the attachment
		}
		return m
	}
	if at != "" {
		text += " " + at
		section = chatCut(slackEscape(body), slackSectionMax-len(at)-1) + "\n" + at
	}
	m := &slackMessage{Text: text}
	if title != "" {
		m.Blocks = append(m.Blocks, slackBlock{Type: "header", Text: slackText{Type: "plain_text", Text: chatCut(title, slackHeaderMax)}})
	}
	if section != "" {
		m.Blocks = append(m.Blocks, slackBlock{Type: "section", Text: slackText{Type: "mrkdwn", Text: section}})
	}
	return m
}

// mentions renders the configured mentions for a firing notification.
func (s *Slack) mentions(n *alerting.Notification) string {
	if !chatFiring(n) || len(s.cfg.mentions) == 0 {
		return ""
	}
	tags := make([]string, len(s.cfg.mentions))
	for i, id := range s.cfg.mentions {
		switch {
		case id == "here" || id == "channel" || id == "everyone" || strings.HasPrefix(id, "subteam^"):
			tags[i] = "<!" + id + ">"
		default:
			tags[i] = "<@" + id + ">"
		}
	}
	return strings.Join(tags, " ")
}

// slackEscape escapes the three characters Slack's mrkdwn reserves
// (https://api.slack.com/reference/surfaces/formatting#escaping).
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

func slackColor(n *alerting.Notification) string {
	if n.Status == alerting.StatusResolved {
		return "#2EB67D"
	}
	switch chatSeverity(n) {
	case alerting.Critical:
		return "#E01E5A"
	case alerting.High:
		return "#F2952F"
	case alerting.Low:
		return "#36C5F0"
	}
	return "#ECB22E"
}
