package logging

import (
	"context"
	"log/slog"
	"slices"
	"sync"

	"github.com/o2kit/o2kit"
)

var _ slog.Handler = (*Handler)(nil)

// Handler is an [slog.Handler] that writes each record to an OpenObserve
// stream through the shared client, in the e-commerce log schema (see the
// package documentation), and optionally fans it out to a console and other
// handlers. It is safe for concurrent use. Handle never blocks (unless the
// client was made with o2kit.Block): it hands the record to the client,
// which queues it for its encoder goroutine (see o2kit.Client.EmitSlog)
// and returns.
type Handler struct {
	c      *core
	frames []frame      // frames[0] holds top-level attrs; one more per WithGroup
	side   slog.Handler // the console and other handlers, derived alike; nil without
}

// frame is one open group: its name and the attrs added inside it.
type frame struct {
	name  string
	attrs []slog.Attr
}

// core is what a Handler and all handlers derived from it share.
type core struct {
	client  *o2kit.Client
	cfg     config
	stream  string
	sampler *sampler
	side    *async
	sources sourceCache
	scratch sync.Pool // *scratch
}

// New returns a logger whose handler is [NewHandler](client, opts...).
// With [WithConsole] or [WithHandlers], close that handler when done (see
// the package documentation's Lifecycle).
func New(client *o2kit.Client, opts ...Option) *slog.Logger {
	return slog.New(NewHandler(client, opts...))
}

// NewHandler returns a handler that writes to client's
// Streams().ApplicationLogs (or the [WithStream] stream). With
// [WithConsole] or [WithHandlers] it starts one background goroutine,
// stopped by [Handler.Close]. With a nil client Handle returns
// [ErrNoClient] and records reach only the console and other handlers.
func NewHandler(client *o2kit.Client, opts ...Option) *Handler {
	cfg := newConfig(opts)
	c := &core{client: client, cfg: cfg, stream: cfg.stream}
	if c.stream == "" && client != nil {
		c.stream = client.Streams().ApplicationLogs
	}
	c.sampler = newSampler(cfg.sampling)
	c.scratch.New = func() any { return new(scratch) }
	h := &Handler{c: c, frames: []frame{{}}}
	if side := sideHandlers(cfg); side != nil {
		c.side = newAsync(cfg.queue)
		h.side = side
	}
	return h
}

// Enabled reports whether level is at least the [WithLevel] level. The
// console and other handlers see only records enabled here, and apply
// their own level on top.
func (h *Handler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= h.c.cfg.level.Level()
}

// Handle counts the record's level ([WithLevelCounter]), samples it
// ([WithSampling]), writes it to OpenObserve and queues it for the console
// and other handlers. It returns the client's error when the record was
// dropped (o2kit.ErrOverflow, o2kit.ErrClosed...); slog.Logger ignores it.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	c := h.c
	if c.cfg.counter != nil {
		c.cfg.counter.CountLevel(r.Level)
	}
	if c.sampler != nil && r.Level < slog.LevelWarn && !c.sampler.keep(r) {
		return nil
	}
	err := h.ship(ctx, &r)
	if h.side != nil {
		c.side.enqueue(ctx, h.side, r)
	}
	return err
}

// WithAttrs returns a handler that adds attrs to every record, inside the
// groups opened so far. LogValuers are resolved and empty keys dropped
// once, here.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	h2 := h.clone()
	last := &h2.frames[len(h2.frames)-1]
	last.attrs = appendResolved(slices.Clip(last.attrs), attrs)
	if h.side != nil {
		h2.side = h.side.WithAttrs(attrs)
	}
	return h2
}

// WithGroup returns a handler that puts the record's attributes, and those
// added later, in group name; OpenObserve flattens it to name_key.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := h.clone()
	h2.frames = append(h2.frames, frame{name: name})
	if h.side != nil {
		h2.side = h.side.WithGroup(name)
	}
	return h2
}

// clone copies the frames, so that the derived handler's changes to its
// innermost frame never reach h; the attrs slices are clipped, so appends
// copy them too.
func (h *Handler) clone() *Handler {
	return &Handler{c: h.c, frames: slices.Clone(h.frames), side: h.side}
}

// Close stops the background goroutine of [WithConsole] and
// [WithHandlers] after it has written what is queued, or when ctx ends. It
// is safe to call more than once; the handler and those derived from it go
// on writing to OpenObserve, but no longer to the console.
func (h *Handler) Close(ctx context.Context) error {
	if h.c.side == nil {
		return nil
	}
	return h.c.side.close(ctx)
}

// Dropped returns how many records the console and other handlers missed:
// dropped because the queue was full or closed, or that failed there.
func (h *Handler) Dropped() int64 {
	if h.c.side == nil {
		return 0
	}
	return h.c.side.dropped.Load()
}
