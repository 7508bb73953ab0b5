package logging

import (
	"io"
	"log/slog"
	"time"
)

// Option configures [New], [NewHandler], [NewBusiness] and [NewAudit].
// Options that do not concern a constructor are ignored by it.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config is what the options set; built once by a constructor and read-only
// afterwards.
type config struct {
	service  string
	stream   string
	level    slog.Leveler
	console  io.Writer
	handlers []slog.Handler
	source   bool
	sampling Sampling
	counter  LevelCounter
	now      func() time.Time
	queue    int
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if c.level == nil {
		c.level = slog.LevelInfo
	}
	if c.queue < 1 {
		c.queue = 1024
	}
	return c
}

// WithService sets the service field of every record, such as "checkout".
// Default "": the field is left out.
func WithService(name string) Option {
	return optionFunc(func(c *config) { c.service = name })
}

// WithStream sets the stream records are written to. Default: the client's
// Streams().ApplicationLogs for [New], BusinessEvents for [NewBusiness],
// Audit for [NewAudit]. "" keeps the default.
func WithStream(name string) Option {
	return optionFunc(func(c *config) { c.stream = name })
}

// WithLevel sets the least level handled. A *slog.LevelVar lets it change
// at run time. Default slog.LevelInfo; nil keeps the default.
func WithLevel(l slog.Leveler) Option {
	return optionFunc(func(c *config) { c.level = l })
}

// WithConsole also writes every handled record as text to w (os.Stderr in
// development). Writing happens on a background goroutine behind a bounded
// queue, so a slow or failing w never delays or breaks shipping to
// OpenObserve: when the queue is full the console line is dropped and
// counted (see [Handler.Dropped]). Queuing copies the record, which
// allocates for records of more than five attributes. The goroutine is
// stopped by [Handler.Close] (see the package documentation's Lifecycle).
// Default none; nil adds nothing.
func WithConsole(w io.Writer) Option {
	return optionFunc(func(c *config) { c.console = w })
}

// WithHandlers also sends every handled record to hs, fanned out with
// samber/slog-multi behind the same bounded background queue as
// [WithConsole]; a handler's error or panic is dropped and counted. Each
// handler still applies its own level. Default none.
func WithHandlers(hs ...slog.Handler) Option {
	return optionFunc(func(c *config) {
		for _, h := range hs {
			if h != nil {
				c.handlers = append(c.handlers, h)
			}
		}
	})
}

// WithQueueSize sets how many records the background queue of
// [WithConsole] and [WithHandlers] holds before it drops. Default 1024;
// values below 1 keep the default, values above 65536 are cut to it (the
// queue is allocated whole).
func WithQueueSize(n int) Option {
	return optionFunc(func(c *config) { c.queue = min(n, maxQueueSize) })
}

const maxQueueSize = 1 << 16

// WithSource adds the caller's source_file, source_line and
// source_function to every record. Default off.
func WithSource(on bool) Option {
	return optionFunc(func(c *config) { c.source = on })
}

// WithSampling rate-limits repeated DEBUG and INFO records (see
// [Sampling]); WARN and ERROR records are never sampled. Bursts are
// judged by the records' own times, not by [WithClock]. Default off.
func WithSampling(s Sampling) Option {
	return optionFunc(func(c *config) { c.sampling = s })
}

// WithLevelCounter reports the level of every record the handler is given,
// before sampling, to lc: a metrics counter of records by level makes
// "ERROR rate over 5 minutes" an alert rule. Default none.
func WithLevelCounter(lc LevelCounter) Option {
	return optionFunc(func(c *config) { c.counter = lc })
}

// WithClock stamps records with now() instead of the time slog took at the
// call. Default nil: the record's own time. Tests and examples pin it.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) { c.now = now })
}

// LevelCounter receives the level of every record a [Handler] handles. It
// is called on the logging goroutine, concurrently from many, and must be
// cheap and must not log.
type LevelCounter interface {
	CountLevel(level slog.Level)
}

// LevelCounterFunc adapts a function to [LevelCounter].
type LevelCounterFunc func(level slog.Level)

// CountLevel calls f.
func (f LevelCounterFunc) CountLevel(level slog.Level) { f(level) }
