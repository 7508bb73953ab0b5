package o2kit

import (
	"log/slog"
	"slices"

	"github.com/o2kit/o2kit/internal/wire"
)

// StaticFielder is implemented by a processor that only adds fields whose
// values never change, to the records that lack a top-level field of the
// same key as OpenObserve stores keys ("Service" is "service"; looking
// into inline groups, as pipeline.Enrich does): a record's own value wins. StaticAttrs returns those fields and true, or
// false when the processor does more than that for now.
//
// When such processors are the last of the processors given to
// [WithProcessors], so that no processor after them could see their
// fields, the client encodes their fields once, in [New], and appends the
// encoded bytes to every log record that lacks them, instead of calling
// Process: the stored records are the same, at a fraction of the cost.
// Values are resolved then, once. Metrics records still go through
// Process.
type StaticFielder interface {
	StaticAttrs() ([]slog.Attr, bool)
}

// StaticSplitter is implemented by a processor made of others, such as
// pipeline.Chain, whose last ones may be [StaticFielder]s. SplitStatic
// returns the processor that does the rest (nil when nothing is left) and
// the static fields of the last ones, in order; ok is false when the last
// one is not static.
type StaticSplitter interface {
	SplitStatic() (rest Processor, static []slog.Attr, ok bool)
}

// splitStatic splits ps into the processors to run and the static fields
// of its tail, encoded for the encoder; static is nil when the tail is not
// static, and head is then ps.
func splitStatic(ps []Processor, idKey string) (head []Processor, static *wire.Static) {
	var parts [][]slog.Attr // of the tail, last first
	head = ps
	for len(head) > 0 {
		last := head[len(head)-1]
		if last == nil {
			head = head[:len(head)-1]
			continue
		}
		if f, ok := last.(StaticFielder); ok {
			attrs, ok := f.StaticAttrs()
			if !ok {
				break
			}
			parts = append(parts, attrs)
			head = head[:len(head)-1]
			continue
		}
		if s, ok := last.(StaticSplitter); ok {
			if rest, attrs, ok := s.SplitStatic(); ok {
				parts = append(parts, attrs)
				head = append(head[:len(head)-1:len(head)-1], rest)
				if rest == nil {
					head = head[:len(head)-1]
				}
			}
		}
		break
	}
	if len(parts) == 0 {
		return ps, nil
	}
	slices.Reverse(parts)
	static = wire.NewStatic(idKey, mergeStatic(parts, idKey))
	if static == nil {
		return ps, nil
	}
	return head, static
}

// mergeStatic joins the fields of consecutive static processors. A field
// whose key an earlier processor adds is left out: the earlier one's is
// always present when the later one runs. It returns nil when a field's
// key is the id field's, which the processors would hide from the id
// lookup; those keep the processor path. Fields with an empty key are
// left to [wire.NewStatic], which leaves them out.
func mergeStatic(parts [][]slog.Attr, idKey string) []slog.Attr {
	var out []slog.Attr
	for _, part := range parts {
		n := len(out)
		for _, a := range part {
			if idKey != "" && a.Key == idKey {
				return nil
			}
			if !slices.ContainsFunc(out[:n], func(b slog.Attr) bool { return b.Key == a.Key }) {
				out = append(out, a)
			}
		}
	}
	return out
}
