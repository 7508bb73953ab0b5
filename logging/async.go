package logging

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"

	slogmulti "github.com/samber/slog-multi"
)

// sideHandlers joins the console and the other handlers into one, fanned
// out with slog-multi, or returns nil when there are none.
func sideHandlers(cfg config) slog.Handler {
	hs := cfg.handlers
	if cfg.console != nil {
		console := slog.NewTextHandler(cfg.console, &slog.HandlerOptions{AddSource: cfg.source, Level: slog.LevelDebug})
		hs = append([]slog.Handler{console}, hs...)
	}
	if len(hs) == 0 {
		return nil
	}
	return slogmulti.Fanout(hs...)
}

// item is one record queued for the side handlers.
type item struct {
	ctx context.Context
	h   slog.Handler
	r   slog.Record
}

// async runs the side handlers on one goroutine behind a bounded queue.
// Producers never block: a full queue drops the record and counts it.
type async struct {
	queue   chan item
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
	closed  atomic.Bool
	dropped atomic.Int64
}

func newAsync(size int) *async {
	a := &async{queue: make(chan item, size), stop: make(chan struct{}), done: make(chan struct{})}
	go a.run()
	return a
}

func (a *async) enqueue(ctx context.Context, h slog.Handler, r slog.Record) {
	if a.closed.Load() {
		a.dropped.Add(1)
		return
	}
	select {
	case a.queue <- item{ctx: ctx, h: h, r: r.Clone()}:
	default:
		a.dropped.Add(1)
	}
}

// run writes queued records until stop, then what is left in the queue.
func (a *async) run() {
	defer close(a.done)
	for {
		select {
		case it := <-a.queue:
			a.handle(it)
		case <-a.stop:
			for {
				select {
				case it := <-a.queue:
					a.handle(it)
				default:
					return
				}
			}
		}
	}
}

// handle passes one record on; an error or a panic there counts as a drop.
func (a *async) handle(it item) {
	defer func() {
		if recover() != nil {
			a.dropped.Add(1)
		}
	}()
	if !it.h.Enabled(it.ctx, it.r.Level) {
		return
	}
	if it.h.Handle(it.ctx, it.r) != nil {
		a.dropped.Add(1)
	}
}

func (a *async) close(ctx context.Context) error {
	a.once.Do(func() {
		a.closed.Store(true)
		close(a.stop)
	})
	select {
	case <-a.done:
		a.discard()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// discard counts as dropped what a producer queued after run had
// returned: it had seen the queue open an instant before close.
func (a *async) discard() {
	for {
		select {
		case <-a.queue:
			a.dropped.Add(1)
		default:
			return
		}
	}
}
