package alerting

import (
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/o2kit/o2kit"
)

// Option configures an [Engine].
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	sources        []Source
	files          []string
	groups         []Group
	route          Route
	receivers      []Receiver
	inhibit        []InhibitRule
	interval       time.Duration
	stateDir       string
	now            func() time.Time
	errs           o2kit.ErrorHandler
	externalLabels map[string]string
	slowRule       time.Duration
	lookback       time.Duration
	retry          retryPolicy
	stream         string
}

// Defaults of the options.
const (
	DefaultInterval = 30 * time.Second
	DefaultSlowRule = 5 * time.Second
	DefaultLookback = 5 * time.Minute
)

// WithMetrics adds a sample source PromQL conditions read: a
// *metrics.Registry (its window store), or any [Source]. Several sources
// are merged. Without one, PromQL rules see no series.
func WithMetrics(s Source) Option {
	return optionFunc(func(c *config) {
		if s != nil {
			c.sources = append(c.sources, s)
		}
	})
}

// WithRulesFile loads rule groups from a rule file in the Prometheus
// shape (see [LoadRules]) when the engine is made; an unreadable or
// invalid file fails NewEngine. It may be given more than once. Group
// names must be unique across all files and groups (Prometheus allows one
// name in two files): rule IDs and the API name rules by group.
func WithRulesFile(path string) Option {
	return optionFunc(func(c *config) { c.files = append(c.files, path) })
}

// WithGroups adds rule groups given as Go values.
func WithGroups(gs ...Group) Option {
	return optionFunc(func(c *config) { c.groups = append(c.groups, gs...) })
}

// WithRoute sets the root of the routing tree. Its Receiver is the
// default receiver; NewEngine rejects a tree naming unknown receivers or
// holding invalid matchers. Without it, alerts go to the receiver given
// first to WithReceivers, grouped by alertname.
func WithRoute(r Route) Option {
	return optionFunc(func(c *config) { c.route = r })
}

// WithReceivers adds named receivers. Names must be unique and non-empty.
func WithReceivers(rs ...Receiver) Option {
	return optionFunc(func(c *config) { c.receivers = append(c.receivers, rs...) })
}

// WithInhibitRules adds inhibition rules.
func WithInhibitRules(rs ...InhibitRule) Option {
	return optionFunc(func(c *config) { c.inhibit = append(c.inhibit, rs...) })
}

// WithInterval sets how often a group without its own interval is
// evaluated. Default 30 s; zero means the default, and NewEngine rejects a
// negative value.
func WithInterval(d time.Duration) Option {
	return optionFunc(func(c *config) { c.interval = d })
}

// WithStateDir keeps the engine's state in a file in dir: pending and
// firing alerts, silences, acknowledgements, what was notified, and the
// rules changed through the API. It is written after every change and read
// by NewEngine, so a restart neither notifies again nor forgets a firing
// alert. Notifications sent since the last evaluation are saved with the
// next one or at Shutdown, so only a crash can repeat those. Default:
// none, state lives in memory only. The directory is created if missing.
func WithStateDir(dir string) Option {
	return optionFunc(func(c *config) { c.stateDir = dir })
}

// WithClock sets the clock of evaluations and acknowledgements. Default
// time.Now. Notification timing (group_wait, repeats, escalation, retries)
// and silences follow the time package.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) { c.now = now })
}

// WithErrorHandler sets where background failures go: rule evaluation
// errors, slow rules, failed notifications, state file errors. Default:
// the log package, on stderr; nil means the default.
func WithErrorHandler(h o2kit.ErrorHandler) Option {
	return optionFunc(func(c *config) { c.errs = h })
}

// WithExternalLabels sets the labels templates read as $externalLabels.
func WithExternalLabels(ls map[string]string) Option {
	return optionFunc(func(c *config) { c.externalLabels = ls })
}

// WithSlowRule sets the evaluation time above which a rule is reported as
// slow to the error handler. Default 5 s; zero means the default,
// negative turns the report off.
func WithSlowRule(d time.Duration) Option {
	return optionFunc(func(c *config) { c.slowRule = d })
}

// WithLookback sets how far back PromQL looks for a series' latest
// sample. Default 5 minutes, Prometheus' lookback delta; zero means the
// default, and NewEngine rejects a negative value.
func WithLookback(d time.Duration) Option {
	return optionFunc(func(c *config) { c.lookback = d })
}

// WithRetry sets the backoff of failed notifications: the first wait, the
// longest wait, and the time after which a notification is given up.
// Defaults 1 s, 1 minute and 10 minutes; zero keeps a default.
func WithRetry(initial, max, giveUp time.Duration) Option {
	return optionFunc(func(c *config) { c.retry = retryPolicy{Initial: initial, Max: max, MaxElapsed: giveUp} })
}

func newConfig(client *o2kit.Client, opts []Option) (*config, error) {
	c := &config{stream: client.Streams().Alerts}
	for _, o := range opts {
		if o != nil {
			o.apply(c)
		}
	}
	if c.interval == 0 {
		c.interval = DefaultInterval
	}
	if c.lookback == 0 {
		c.lookback = DefaultLookback
	}
	if c.slowRule == 0 {
		c.slowRule = DefaultSlowRule
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.errs == nil {
		c.errs = o2kit.ErrorHandlerFunc(func(err error) { log.Print(err) })
	}
	return c, c.validate()
}

func (c *config) validate() error {
	var errs []error
	if c.interval < 0 {
		errs = append(errs, fmt.Errorf("alerting: interval %v is negative", c.interval))
	}
	if c.lookback < 0 {
		errs = append(errs, fmt.Errorf("alerting: lookback %v is negative", c.lookback))
	}
	if c.retry.Initial < 0 || c.retry.Max < 0 || c.retry.MaxElapsed < 0 {
		errs = append(errs, errors.New("alerting: retry durations must not be negative"))
	}
	seen := map[string]bool{}
	for _, r := range c.receivers {
		switch {
		case r.Name == "":
			errs = append(errs, errors.New("alerting: a receiver has no name"))
		case seen[r.Name]:
			errs = append(errs, fmt.Errorf("alerting: receiver %q given twice", r.Name))
		}
		seen[r.Name] = true
	}
	if c.route.Receiver == "" && len(c.receivers) > 0 {
		c.route.Receiver = c.receivers[0].Name
	}
	return errors.Join(errs...)
}

func (c *config) receiverMap() map[string]Receiver {
	m := make(map[string]Receiver, len(c.receivers))
	for _, r := range c.receivers {
		m[r.Name] = r
	}
	return m
}
