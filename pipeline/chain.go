package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"slices"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/norm"
)

// Chain runs processors in order as one: each sees the record the one
// before it returned, and the first error (or [o2kit.ErrDrop]) ends the
// run. A Chain is safe for concurrent use when its processors are; do not
// modify it once it is in use.
type Chain []o2kit.Processor

var (
	_ o2kit.Processor      = Chain(nil)
	_ o2kit.StatsReporter  = Chain(nil)
	_ o2kit.StaticSplitter = Chain(nil)
)

// Process runs the processors of c in order.
func (c Chain) Process(ctx context.Context, r o2kit.Record) (o2kit.Record, error) {
	for _, p := range c {
		if p == nil {
			continue
		}
		var err error
		if r, err = p.Process(ctx, r); err != nil {
			return r, err
		}
	}
	return r, nil
}

// SplitStatic returns the chain without its last processors that are
// [o2kit.StaticFielder]s, such as [Enrich], and their fields, so that the
// client encodes them once (see [o2kit.StaticFielder]); ok is false when
// the last processor is not one. rest is nil when nothing is left.
func (c Chain) SplitStatic() (rest o2kit.Processor, static []slog.Attr, ok bool) {
	n := len(c)
	var parts [][]slog.Attr // last first
	for ; n > 0; n-- {
		if c[n-1] == nil {
			continue
		}
		f, isStatic := c[n-1].(o2kit.StaticFielder)
		if !isStatic {
			break
		}
		attrs, constant := f.StaticAttrs()
		if !constant {
			break
		}
		parts = append(parts, attrs)
	}
	if len(parts) == 0 {
		return c, nil, false
	}
	for i := len(parts) - 1; i >= 0; i-- {
		// A key an earlier processor adds is always present for a later one.
		earlier := len(static)
		for _, a := range parts[i] {
			if !slices.ContainsFunc(static[:earlier], func(b slog.Attr) bool { return b.Key == a.Key }) {
				static = append(static, a)
			}
		}
	}
	if n == 0 {
		return nil, static, true
	}
	return c[:n:n], static, true
}

// ProcessorStats sums the counters of the processors in c that keep
// counters, by key.
func (c Chain) ProcessorStats() map[string]int64 {
	out := map[string]int64{}
	for _, p := range c {
		addStats(out, p)
	}
	return out
}

// addStats adds the counters of p, when it keeps some, to out.
func addStats(out map[string]int64, p o2kit.Processor) {
	if r, ok := p.(o2kit.StatsReporter); ok {
		for k, v := range r.ProcessorStats() {
			out[k] += v
		}
	}
}

// Default returns the chain most services want: [MaskPII] with opts, then
// [Enrich] with the [Host] and, when service is not empty, the [Service]
// fields. Masking runs first, so the static fields are not scanned.
func Default(service string, opts ...Option) Chain {
	static := []slog.Attr{Host()}
	if service != "" {
		static = append(static, Service(service))
	}
	return Chain{MaskPII(opts...), Enrich(static...)}
}

// Func adapts a function to an [o2kit.Processor], for custom code. The
// function receives the record by value and must not write into its Attrs:
// it returns a record with a new slice when it changes attributes.
func Func(f func(ctx context.Context, r o2kit.Record) (o2kit.Record, error)) o2kit.ProcessorFunc {
	return o2kit.ProcessorFunc(f)
}

// Selected runs a processor only for the records of some streams. Create it
// with [ForStreams] or [ExceptStreams].
type Selected struct {
	p       o2kit.Processor
	names   map[string]bool // raw and normalised stream names
	include bool
	normal  streamNames
}

// ForStreams returns p restricted to the records of the named streams;
// records of other streams pass unchanged. Names match as given or
// normalised ("Orders-V2" selects the stream stored as orders_v2).
func ForStreams(p o2kit.Processor, streams ...string) *Selected {
	return newSelected(p, streams, true)
}

// ExceptStreams returns p applied to every stream but the named ones.
func ExceptStreams(p o2kit.Processor, streams ...string) *Selected {
	return newSelected(p, streams, false)
}

func newSelected(p o2kit.Processor, streams []string, include bool) *Selected {
	s := &Selected{p: p, names: make(map[string]bool, 2*len(streams)), include: include}
	for _, n := range streams {
		s.names[n] = true
		s.names[norm.StreamName(n)] = true
	}
	return s
}

// Process runs the processor when the record's stream is selected.
func (s *Selected) Process(ctx context.Context, r o2kit.Record) (o2kit.Record, error) {
	if s.p == nil || s.match(r.Stream) != s.include {
		return r, nil
	}
	return s.p.Process(ctx, r)
}

func (s *Selected) match(stream string) bool {
	if s.names[stream] {
		return true
	}
	return s.names[s.normal.of(stream)]
}

// ProcessorStats returns the counters of the selected processor, if it
// keeps any.
func (s *Selected) ProcessorStats() map[string]int64 {
	out := map[string]int64{}
	addStats(out, s.p)
	return out
}

// Errors of the constructors.
var (
	errNilFunc   = errors.New("pipeline: nil function")
	errNilClient = errors.New("pipeline: nil client")
	errEmptyKey  = errors.New("pipeline: empty field name")
)
