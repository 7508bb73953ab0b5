package pipeline

import (
	"context"
	"log/slog"
	"os"

	"github.com/o2kit/o2kit"
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
}

var _ o2kit.Processor = (*Enricher)(nil)

// Enrich returns a processor that appends attrs to every record that does
// not already have a top-level field with the same key: a record's own
// value wins. Attributes with an empty key are ignored.
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
		}
	}
	return e
}

// Process returns r with the missing static fields appended.
func (e *Enricher) Process(_ context.Context, r o2kit.Record) (o2kit.Record, error) {
	r.Attrs = appendMissing(r.Attrs, e.attrs)
	return r, nil
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
