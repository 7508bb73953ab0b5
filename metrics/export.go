package metrics

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/o2kit/o2kit"
)

// run is the export loop: the one goroutine that collects on the timer
// and on Flush requests, until Shutdown.
func (r *Registry) run() {
	defer close(r.loopDone)
	t := time.NewTicker(r.cfg.interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if err := r.tick(); err != nil {
				r.cfg.errs.Handle(err)
			}
		case reply := <-r.flushReq:
			reply <- r.tick()
		case <-r.stop:
			return
		}
	}
}

// Flush collects every metric now and hands the samples to the client
// (its own Flush sends them). It waits for the export loop, bounded by
// ctx. After Shutdown it returns [ErrClosed].
func (r *Registry) Flush(ctx context.Context) error {
	if r.closed.Load() {
		return ErrClosed
	}
	if r.cfg.interval < 0 {
		return r.tick()
	}
	reply := make(chan error, 1)
	select {
	case r.flushReq <- reply:
	case <-r.stop:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Shutdown stops the export loop, waits for it, and makes a last
// collection so the final values reach the client. Call it before the
// client's Shutdown. It is idempotent; instruments keep working afterwards
// but nothing more is exported.
func (r *Registry) Shutdown(ctx context.Context) error {
	r.once.Do(func() {
		r.closed.Store(true)
		close(r.stop)
		select {
		case <-r.loopDone:
			r.finalErr = r.tick()
		case <-ctx.Done():
			r.finalErr = ctx.Err()
		}
	})
	return r.finalErr
}

// Close is Shutdown without a deadline, for use with defer and io.Closer.
func (r *Registry) Close() error { return r.Shutdown(context.Background()) }

// tick is one collection: gather, record into the window store, export,
// expire idle series.
func (r *Registry) tick() error {
	r.collectMu.Lock()
	defer r.collectMu.Unlock()
	now := r.cfg.now()
	pts := r.gather()
	r.record(now, pts)
	err := r.export(now, pts)
	if idle := r.cfg.idleExpiry; idle > 0 {
		for _, f := range *r.order.Load() {
			if !f.pinned {
				r.stats.expired.Add(uint64(f.c.expire(now.UnixNano(), int64(idle))))
			}
		}
	}
	return err
}

// gather collects the samples of every metric, in name order, into r.w;
// r.collectMu is held. The points are valid until the next gather.
func (r *Registry) gather() []point {
	r.mu.Lock()
	hooks := r.hooks
	r.mu.Unlock()
	for _, h := range hooks {
		h()
	}
	r.w.pts = r.w.pts[:0]
	for _, f := range *r.order.Load() {
		r.w.fam = f
		f.c.collect(&r.w)
	}
	return r.w.pts
}

// export hands every point to the client as a metrics record.
func (r *Registry) export(now time.Time, pts []point) error {
	if r.client == nil {
		return nil
	}
	stream := r.client.Streams().Metrics
	var dropped uint64
	var first error
	for i := range pts {
		v, ok := wireValue(pts[i].value)
		if !ok {
			dropped++
			continue
		}
		r.attrs = appendAttrs(r.attrs[:0], &pts[i], v, r.cfg.constLabels)
		err := r.client.EmitAs(context.Background(), o2kit.Metrics, o2kit.Record{Stream: stream, Time: now, Attrs: r.attrs})
		if err != nil {
			dropped++
			first = cmp.Or(first, err)
		}
	}
	r.stats.exports.Add(1)
	r.stats.samples.Add(uint64(len(pts)) - dropped)
	r.stats.dropped.Add(dropped)
	if first != nil {
		return fmt.Errorf("metrics: export: client dropped samples (%d left out of %d): %w", dropped, len(pts), first)
	}
	return nil
}

// wireValue is v as OpenObserve takes it: NaN cannot be stored, so it is
// left out (ok false); infinities become ±MaxFloat64, as the server would
// clamp them.
func wireValue(v float64) (float64, bool) {
	switch {
	case math.IsNaN(v):
		return 0, false
	case math.IsInf(v, 1):
		return math.MaxFloat64, true
	case math.IsInf(v, -1):
		return -math.MaxFloat64, true
	}
	return v, true
}

// appendAttrs writes p as the attributes of one metrics record:
// __name__, __type__, the constant labels, the labels, le or quantile,
// then value.
func appendAttrs(dst []slog.Attr, p *point, v float64, consts []Label) []slog.Attr {
	dst = append(dst, slog.String("__name__", p.name), slog.String("__type__", p.fam.kind.String()))
	for _, l := range consts {
		dst = append(dst, slog.String(l.Name, l.Value))
	}
	for i, l := range p.fam.desc.Labels {
		dst = append(dst, slog.String(l, p.values[i]))
	}
	if p.extra != "" {
		dst = append(dst, slog.String(p.extra, p.extraValue))
	}
	return append(dst, slog.Float64("value", v))
}
