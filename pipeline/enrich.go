package pipeline

import (
	"context"
	"log/slog"
	"os"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/wire"
)

// Field names of the static fields.
const (
	FieldHost        = "host"
	FieldService     = "service"
	FieldVersion     = "version"
	FieldEnvironment = "environment"
	FieldRegion      = "region"
)

// Enricher adds static fields to every record. Create it with [Enrich].
type Enricher struct {
	attrs []slog.Attr
	keys  []string // the keys of attrs
	lens  uint64   // wire.KeyLengths of keys and ""
}

var (
	_ o2kit.Processor     = (*Enricher)(nil)
	_ o2kit.StaticFielder = (*Enricher)(nil)
)

// Enrich returns a processor that appends attrs to every record that does
// not already have a top-level field with the same key, as OpenObserve
// stores keys ("Service" is "service"): a record's own value wins.
// Attributes with an empty key are ignored.
//
// To spare copying the record's attributes, the new record holds them as
// an inline group (a group with an empty key, which slog and the client
// flatten into its parent), followed by the static fields. The processors
// of this package look into inline groups; a custom processor that runs
// after Enrich should too.
func Enrich(attrs ...slog.Attr) *Enricher {
	e := &Enricher{}
	for _, a := range attrs {
		if a.Key != "" {
			e.attrs = append(e.attrs, a)
			e.keys = append(e.keys, a.Key)
		}
	}
	e.lens = wire.KeyLengths(e.keys...) | wire.KeyLengths("") // an empty key may be an inline group, to look into
	return e
}

// Process returns r with the missing static fields appended.
func (e *Enricher) Process(_ context.Context, r o2kit.Record) (o2kit.Record, error) {
	if len(e.attrs) > 64 {
		r.Attrs = appendMissing(r.Attrs, e.attrs)
		return r, nil
	}
	r.Attrs = withMissing(r.Attrs, e.attrs, wire.Present(e.keys, e.lens, r.Attrs))
	return r, nil
}

// StaticAttrs returns the static fields, for the client to encode them
// once (see [o2kit.StaticFielder]) when Enrich is the last processor. ok
// is false when a value may change between records: one of kind Any or
// LogValuer, in groups too.
func (e *Enricher) StaticAttrs() (attrs []slog.Attr, ok bool) {
	for _, a := range e.attrs {
		if !constant(a.Value, 0) {
			return nil, false
		}
	}
	return e.attrs, true
}

// constant reports whether v always encodes the same.
func constant(v slog.Value, depth int) bool {
	switch v.Kind() {
	case slog.KindAny, slog.KindLogValuer:
		return false
	case slog.KindGroup:
		if depth >= maxInline {
			return false
		}
		for _, a := range v.Group() {
			if !constant(a.Value, depth+1) {
				return false
			}
		}
	}
	return true
}

// Host returns the host field: the name the kernel reports (os.Hostname),
// or "unknown" when it reports none.
func Host() slog.Attr {
	h, err := os.Hostname()
	if err != nil || h == "" {
		h = "unknown"
	}
	return slog.String(FieldHost, h)
}

// Service returns the service field.
func Service(name string) slog.Attr { return slog.String(FieldService, name) }

// Version returns the version field, such as a release tag.
func Version(v string) slog.Attr { return slog.String(FieldVersion, v) }

// Environment returns the environment field, such as "production".
func Environment(env string) slog.Attr { return slog.String(FieldEnvironment, env) }

// Region returns the region field, such as "eu-west-1".
func Region(r string) slog.Attr { return slog.String(FieldRegion, r) }
