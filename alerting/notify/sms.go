package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/o2kit/o2kit/alerting"
)

// SMSProvider sends one text message to phone numbers: an SMS vendor's SDK
// wrapped in a few lines, or the generic [HTTPGateway]. Send makes one
// attempt; it returns an error wrapped with [alerting.Permanent] when
// retrying cannot help (a rejected number, bad credentials). It may be
// called concurrently and must not keep to after returning.
type SMSProvider interface {
	Send(ctx context.Context, to []string, text string) error
}

// SMSProviderFunc adapts a function to [SMSProvider].
type SMSProviderFunc func(ctx context.Context, to []string, text string) error

// Send calls f(ctx, to, text).
func (f SMSProviderFunc) Send(ctx context.Context, to []string, text string) error {
	return f(ctx, to, text)
}

// SMS sends a short text through an [SMSProvider]: the rendered title, then
// the first lines of the rendered body, cut to a maximum length on a
// character boundary. Create it with [NewSMS]; it is safe for concurrent
// use if its provider is.
type SMS struct {
	provider SMSProvider
	to       []string
	tmpl     *Template
	maxLen   int
	lines    int
}

var _ alerting.Notifier = (*SMS)(nil)

// SMSOption configures an [SMS].
type SMSOption interface{ apply(*smsConfig) }

type smsConfig struct {
	title, body   string
	maxLen, lines int
}

type smsOptionFunc func(*smsConfig)

func (f smsOptionFunc) apply(c *smsConfig) { f(c) }

// Default limits of an [SMS] text.
const (
	DefaultSMSMaxLength = 500 // characters (runes), not bytes
	DefaultSMSLines     = 5   // body lines after the title
)

// WithSMSTemplate sets the title and body templates (see [NewTemplate]).
// Default: [DefaultTitle] and [DefaultBody]. A template that does not parse
// is rejected by [NewSMS].
func WithSMSTemplate(title, body string) SMSOption {
	return smsOptionFunc(func(c *smsConfig) { c.title, c.body = title, body })
}

// WithSMSMaxLength sets the most characters (runes) of a text; a longer one
// is cut and ends in "…". Default [DefaultSMSMaxLength]. Values below 1
// are rejected by [NewSMS].
func WithSMSMaxLength(n int) SMSOption {
	return smsOptionFunc(func(c *smsConfig) { c.maxLen = n })
}

// WithSMSLines sets how many non-empty body lines follow the title.
// Default [DefaultSMSLines]; 0 sends the title alone. Values below zero
// are rejected by [NewSMS].
func WithSMSLines(n int) SMSOption {
	return smsOptionFunc(func(c *smsConfig) { c.lines = n })
}

// NewSMS returns an [SMS] sending through provider to the phone numbers
// in to. The slice is copied.
func NewSMS(provider SMSProvider, to []string, opts ...SMSOption) (*SMS, error) {
	c := smsConfig{maxLen: DefaultSMSMaxLength, lines: DefaultSMSLines}
	for _, o := range opts {
		o.apply(&c)
	}
	switch {
	case provider == nil:
		return nil, errors.New("notify: sms provider is nil")
	case len(to) == 0:
		return nil, errors.New("notify: sms needs at least one recipient")
	case slices.Contains(to, ""):
		return nil, errors.New("notify: sms recipient is empty")
	case c.maxLen < 1:
		return nil, fmt.Errorf("notify: sms max length %d is below 1", c.maxLen)
	case c.lines < 0:
		return nil, fmt.Errorf("notify: sms lines %d is negative", c.lines)
	}
	t, err := NewTemplate(c.title, c.body)
	if err != nil {
		return nil, err
	}
	return &SMS{provider: provider, to: slices.Clone(to), tmpl: t, maxLen: c.maxLen, lines: c.lines}, nil
}

// Notify renders n and sends it once through the provider, returning the
// provider's error.
func (s *SMS) Notify(ctx context.Context, n *alerting.Notification) error {
	title, body, err := s.tmpl.Render(n)
	if err != nil {
		return err
	}
	return s.provider.Send(ctx, slices.Clone(s.to), smsText(title, body, s.lines, s.maxLen))
}

// smsText joins title and the first lines non-empty lines of body and cuts
// the result to maxLen runes.
func smsText(title, body string, lines, maxLen int) string {
	parts := []string{strings.TrimSpace(title)}
	for line := range strings.Lines(body) {
		if len(parts) > lines {
			break
		}
		if line = strings.TrimSpace(line); line != "" {
			parts = append(parts, line)
		}
	}
	return cutRunes(strings.TrimSpace(strings.Join(parts, "\n")), maxLen)
}

// cutRunes returns s, made valid UTF-8, cut to at most maxLen runes on a
// rune boundary; a cut text ends in "…". maxLen must be at least 1.
func cutRunes(s string, maxLen int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= maxLen {
		return s
	}
	n := 0
	for i := range s {
		if n == maxLen-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
