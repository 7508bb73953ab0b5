package logging

import (
	"context"
	"log/slog"
	"testing"
	"testing/slogtest"

	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
)

// capture is a client processor that keeps the attributes the handler
// built, before encoding, and drops the record.
type capture struct{ recs []o2kit.Record }

func (c *capture) Process(_ context.Context, r o2kit.Record) (o2kit.Record, error) {
	r.Attrs = append([]slog.Attr(nil), r.Attrs...)
	c.recs = append(c.recs, r)
	return r, o2kit.ErrDrop
}

// TestSlogtest runs the standard library's handler conformance tests on
// the attributes the handler gives the client. Groups are kept as groups
// there (the encoder flattens them), so the result maps nest as slogtest
// expects; the schema's names map back to slog's: _timestamp to time
// (left out when the record had no time), level, message to msg.
func TestSlogtest(t *testing.T) {
	var cp *capture
	slogtest.Run(t, func(t *testing.T) slog.Handler {
		cp = &capture{}
		d := newDev(t, o2kit.WithProcessors(cp))
		return NewHandler(d.client, WithLevel(slog.LevelDebug))
	}, func(t *testing.T) map[string]any {
		require.Len(t, cp.recs, 1)
		r := cp.recs[0]
		m := attrMap(r.Attrs)
		m[slog.MessageKey] = m[FieldMessage]
		delete(m, FieldMessage)
		if !r.Time.IsZero() {
			m[slog.TimeKey] = r.Time
		}
		return m
	})
}

func attrMap(attrs []slog.Attr) map[string]any {
	m := map[string]any{}
	for _, a := range attrs {
		v := a.Value.Resolve()
		switch {
		case v.Kind() == slog.KindGroup && a.Key == "":
			for k, x := range attrMap(v.Group()) {
				m[k] = x
			}
		case v.Kind() == slog.KindGroup:
			m[a.Key] = attrMap(v.Group())
		default:
			m[a.Key] = v.Any()
		}
	}
	return m
}

// TestLevelNames checks the four level names of the schema.
func TestLevelNames(t *testing.T) {
	for l, want := range map[slog.Level]string{
		slog.LevelDebug - 4: "DEBUG", slog.LevelDebug: "DEBUG", slog.LevelInfo: "INFO", slog.LevelInfo + 2: "INFO",
		slog.LevelWarn: "WARN", slog.LevelError: "ERROR", slog.LevelError + 4: "ERROR",
	} {
		require.Equal(t, want, levelName(l), l.String())
	}
}
