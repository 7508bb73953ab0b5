package logging

import (
	"context"
	"log/slog"
	"runtime"
	"sync"

	"go.opentelemetry.io/otel/trace"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/wire"
)

// Field names of the log schema, besides the o2kit.Field* context ids.
const (
	FieldLevel   = "level"
	FieldService = "service"
	FieldMessage = "message"
)

// scratch is the pooled space a record is assembled in, so that Handle
// allocates nothing.
type scratch struct {
	traceID  trace.TraceID // the last span seen, and its ids in hex
	spanID   trace.SpanID
	traceHex string
	spanHex  string
	top      []slog.Attr
	levels   [][]slog.Attr // levels[0] holds the record's own attrs
}

// maxScratch bounds the attrs a pooled scratch may keep.
const maxScratch = 256

// ship assembles the record's attributes and emits it.
func (h *Handler) ship(ctx context.Context, r *slog.Record) error {
	c := h.c
	if c.client == nil {
		return ErrNoClient
	}
	t := r.Time
	if c.cfg.now != nil {
		t = c.cfg.now()
	}
	if len(h.frames) == 1 {
		// No group open: the client encodes the record's attrs straight
		// from r, after the schema's fields and the handler's attrs.
		var buf [maxHead]slog.Attr
		head := h.appendHead(buf[:0], ctx, r)
		return c.client.EmitSlog(ctx, c.stream, t, head, h.frames[0].attrs, r)
	}
	s := c.scratch.Get().(*scratch)
	top := h.appendHead(s.top[:0], ctx, r)
	top = h.appendFrames(top, s, r)
	// Through EmitSlog as well, so the records of both kinds keep their
	// order in the stream.
	err := c.client.EmitSlog(ctx, c.stream, t, top, nil, nil)
	s.top = top
	if cap(top) <= maxScratch {
		c.scratch.Put(s)
	}
	return err
}

// maxHead is the most attrs appendHead appends: the schema's three, the
// context's six ids and the source's three.
const maxHead = 12

// appendHead appends the schema's fields, the ids in ctx and the source.
func (h *Handler) appendHead(dst []slog.Attr, ctx context.Context, r *slog.Record) []slog.Attr {
	c := h.c
	dst = append(dst, slog.String(FieldLevel, levelName(r.Level)))
	if c.cfg.service != "" {
		dst = append(dst, slog.String(FieldService, c.cfg.service))
	}
	dst = append(dst, slog.String(FieldMessage, r.Message))
	if ctx != context.Background() {
		// What slog.Logger passes for Info, Error and the other calls
		// without a context holds no ids: spare the lookups.
		s := c.scratch.Get().(*scratch)
		dst = s.appendContext(dst, ctx)
		c.scratch.Put(s)
	}
	if c.cfg.source && r.PC != 0 {
		dst = append(dst, c.sources.attrs(r.PC)...)
	}
	return dst
}

// appendContext appends the ids in ctx, as o2kit.AppendContextAttrs does,
// but keeps the hex strings of the last span it saw, so the records of one
// span cost no allocation for their ids. The strings are ordinary
// immutable ones: a processor may keep them.
func (s *scratch) appendContext(dst []slog.Attr, ctx context.Context) []slog.Attr {
	for _, f := range [...]struct {
		key string
		get func(context.Context) string
	}{
		{o2kit.FieldUserID, o2kit.UserFromContext}, {o2kit.FieldSessionID, o2kit.SessionFromContext},
		{o2kit.FieldRequestID, o2kit.RequestFromContext}, {o2kit.FieldTenantID, o2kit.TenantFromContext},
	} {
		if v := f.get(ctx); v != "" {
			dst = append(dst, slog.String(f.key, v))
		}
	}
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return dst
	}
	if tid := sc.TraceID(); tid != s.traceID || s.traceHex == "" {
		s.traceID, s.traceHex = tid, tid.String()
	}
	if sid := sc.SpanID(); sid != s.spanID || s.spanHex == "" {
		s.spanID, s.spanHex = sid, sid.String()
	}
	return append(dst, slog.String(o2kit.FieldTraceID, s.traceHex), slog.String(o2kit.FieldSpanID, s.spanHex))
}

// appendFrames appends the record's attrs nested in the open groups: each
// group holds the attrs added at its level, then the next group, the
// innermost the record's own attrs. Groups left empty are left out.
func (h *Handler) appendFrames(top []slog.Attr, s *scratch, r *slog.Record) []slog.Attr {
	top = append(top, h.frames[0].attrs...)
	if len(h.frames) == 1 {
		// No group open: the record's attrs go straight to the top level.
		r.Attrs(func(a slog.Attr) bool {
			top = wire.AppendSlogAttr(top, a)
			return true
		})
		return top
	}
	if len(s.levels) < len(h.frames) {
		s.levels = append(s.levels, make([][]slog.Attr, len(h.frames)-len(s.levels))...)
	}
	rec := s.levels[0][:0]
	r.Attrs(func(a slog.Attr) bool {
		rec = wire.AppendSlogAttr(rec, a)
		return true
	})
	s.levels[0] = rec
	inner := rec // what the group being built holds after its own attrs
	var g [1]slog.Attr
	for i := len(h.frames) - 1; i >= 1; i-- {
		f := h.frames[i]
		content := append(append(s.levels[i][:0], f.attrs...), inner...)
		s.levels[i] = content
		inner = nil
		if len(content) > 0 {
			g[0] = slog.Attr{Key: f.name, Value: slog.GroupValue(content...)}
			inner = g[:]
		}
	}
	return append(top, inner...)
}

// levelName maps a level to the four names of the schema: below INFO is
// DEBUG, below WARN is INFO, below ERROR is WARN, the rest ERROR.
func levelName(l slog.Level) string {
	switch {
	case l < slog.LevelInfo:
		return "DEBUG"
	case l < slog.LevelWarn:
		return "INFO"
	case l < slog.LevelError:
		return "WARN"
	}
	return "ERROR"
}

// appendResolved appends attrs with LogValuers resolved (a panicking
// LogValuer becomes its error text, as slog does), empty keys and empty
// groups dropped.
func appendResolved(dst, attrs []slog.Attr) []slog.Attr {
	for _, a := range attrs {
		a.Value = a.Value.Resolve()
		if a.Value.Kind() == slog.KindGroup {
			g := appendResolved(nil, a.Value.Group())
			if len(g) == 0 {
				continue
			}
			a.Value = slog.GroupValue(g...)
		}
		dst = wire.AppendSlogAttr(dst, a)
	}
	return dst
}

// sourceCache keeps the source attrs of each call site, so WithSource
// costs a map lookup after a site's first record.
type sourceCache struct {
	mu sync.RWMutex
	m  map[uintptr][]slog.Attr // guarded by mu
}

func (c *sourceCache) attrs(pc uintptr) []slog.Attr {
	c.mu.RLock()
	a, ok := c.m[pc]
	c.mu.RUnlock()
	if ok {
		return a
	}
	f, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	a = []slog.Attr{slog.String("source_file", f.File), slog.Int("source_line", f.Line), slog.String("source_function", f.Function)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[uintptr][]slog.Attr{}
	}
	if len(c.m) < 1<<16 {
		c.m[pc] = a
	}
	return a
}
