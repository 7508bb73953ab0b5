package behavior

import (
	"errors"
	"fmt"
	"time"
)

// Option configures a [Tracker]. Options are applied in the order given,
// after the defaults, and [NewTracker] validates the result.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// IPMode says what becomes of a visitor's IP address before an event
// leaves the process.
type IPMode uint8

// The IP modes.
const (
	// IPAnonymized zeroes the last octet of an IPv4 address and keeps the
	// first 48 bits of an IPv6 address. It is the default.
	IPAnonymized IPMode = iota
	// IPRaw sends the address as it is.
	IPRaw
	// IPNone leaves the address out.
	IPNone
)

// BotMode says what becomes of events from clients whose user agent looks
// like a bot's.
type BotMode uint8

// The bot modes.
const (
	// BotFlag records the events with bot=true and leaves them out of the
	// in-process funnels and counts. It is the default.
	BotFlag BotMode = iota
	// BotSkip drops the events.
	BotSkip
	// BotAllow records them like any other.
	BotAllow
)

type config struct {
	now              func() time.Time
	ipMode           IPMode
	bots             BotMode
	allowEmails      bool
	doNotTrack       bool
	consent          Consent
	funnels          []Funnel
	maxSessions      int
	conversionWindow time.Duration
	activeWindow     time.Duration
}

func defaults() config {
	return config{
		now:              time.Now,
		maxSessions:      100_000,
		conversionWindow: time.Hour,
		activeWindow:     5 * time.Minute,
	}
}

// WithClock sets the clock events are stamped with and funnels and
// activity windows run on. Default time.Now; nil keeps the default.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) {
		if now != nil {
			c.now = now
		}
	})
}

// WithIPMode sets what becomes of a visitor's IP address, and of property
// and trait values that are an IP address and nothing else (under
// [IPNone] those become [RedactedIP]). Default [IPAnonymized]; an unknown
// mode makes NewTracker fail.
func WithIPMode(m IPMode) Option { return optionFunc(func(c *config) { c.ipMode = m }) }

// WithBots sets what becomes of events from bots, told by their user agent
// (see [IsBot]). Default [BotFlag]; an unknown mode makes NewTracker fail.
func WithBots(m BotMode) Option { return optionFunc(func(c *config) { c.bots = m }) }

// WithEmails lets e-mail addresses leave the process. By default every
// key and string of an event after its name and id (groups, LogValuers
// and values of kind Any included) is scanned and each address in it is
// replaced with [RedactedEmail], and an event name holding one is refused.
func WithEmails(allow bool) Option { return optionFunc(func(c *config) { c.allowEmails = allow }) }

// WithDoNotTrack makes the tracker drop events of visitors whose browser
// sends "DNT: 1" or "Sec-GPC: 1" (as seen by [Sessions]). Default false:
// the signals are not honoured.
func WithDoNotTrack(honour bool) Option { return optionFunc(func(c *config) { c.doNotTrack = honour }) }

// WithConsent sets the consent check asked before each event. Default: no
// check, every event is allowed (opt-outs by context still apply, see
// [WithoutTracking]). A nil c, or a nil ConsentFunc, means no check.
func WithConsent(c Consent) Option {
	return optionFunc(func(cfg *config) {
		if f, ok := c.(ConsentFunc); ok && f == nil {
			c = nil
		}
		cfg.consent = c
	})
}

// WithFunnels sets the funnels tracked in-process. Default none. A funnel
// with no steps, an empty or repeated step, or a Window below zero makes
// NewTracker fail; a zero Window means one hour.
func WithFunnels(f ...Funnel) Option {
	return optionFunc(func(c *config) { c.funnels = append(c.funnels, f...) })
}

// WithMaxSessions caps the sessions each in-process funnel (and each
// conversion rate) keeps progress for; past the cap the oldest is evicted.
// Default 100,000. Values below 1 make NewTracker fail.
func WithMaxSessions(n int) Option { return optionFunc(func(c *config) { c.maxSessions = n }) }

// WithConversionWindow sets how long after a cart_add a purchase counts
// for the cart abandonment rate, and after a search for the
// search-to-purchase rate. Default one hour; values below 1ns make
// NewTracker fail.
func WithConversionWindow(d time.Duration) Option {
	return optionFunc(func(c *config) { c.conversionWindow = d })
}

// WithActiveUsersWindow sets the sliding window of [Tracker.ActiveUsers].
// Default five minutes; values below one second make NewTracker fail.
func WithActiveUsersWindow(d time.Duration) Option {
	return optionFunc(func(c *config) { c.activeWindow = d })
}

func buildConfig(opts []Option) (config, error) {
	cfg := defaults()
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	return cfg, cfg.validate()
}

func (c *config) validate() error {
	var errs []error
	if c.ipMode > IPNone {
		errs = append(errs, fmt.Errorf("behavior: unknown IP mode %d", c.ipMode))
	}
	if c.bots > BotAllow {
		errs = append(errs, fmt.Errorf("behavior: unknown bot mode %d", c.bots))
	}
	if c.maxSessions < 1 {
		errs = append(errs, fmt.Errorf("behavior: max sessions %d: must be at least 1", c.maxSessions))
	}
	if c.conversionWindow <= 0 {
		errs = append(errs, fmt.Errorf("behavior: conversion window %v: must be positive", c.conversionWindow))
	}
	if c.activeWindow < time.Second {
		errs = append(errs, fmt.Errorf("behavior: active users window %v: must be at least 1s", c.activeWindow))
	}
	seen := map[string]bool{}
	for i := range c.funnels {
		f := &c.funnels[i]
		if err := f.validate(); err != nil {
			errs = append(errs, err)
		}
		if seen[f.Name] {
			errs = append(errs, fmt.Errorf("behavior: funnel %q given twice", f.Name))
		}
		seen[f.Name] = true
	}
	return errors.Join(errs...)
}
