package logging

import (
	"context"
	"fmt"
	"github.com/o2kit/o2kit/internal/wire"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type panickingHandler struct{ slog.Handler }

func (panickingHandler) Handle(context.Context, slog.Record) error { panic("handler bug") }

// A panicking side handler costs its record there, never the caller or
// shipping.
func TestPanickingSideHandler(t *testing.T) {
	d := newDev(t)
	h := NewHandler(d.client, WithClock(pinned), WithHandlers(panickingHandler{slog.NewTextHandler(io.Discard, nil)}))
	require.NotPanics(t, func() { slog.New(h).Info("one"); slog.New(h).Info("two") })
	require.NoError(t, h.Close(context.Background()))
	assert.Equal(t, int64(2), h.Dropped())
	assert.Len(t, d.records(t, "application-logs"), 2)
}

// Unix times are read in s, ms, µs or ns by their size, as OpenObserve
// reads them.
func TestTimestampUnits(t *testing.T) {
	for in, want := range map[string]time.Time{
		"1795599000":                  epoch,
		"1795599000000":               epoch,
		"1795599000000000":            epoch,
		"1795599000000000000":         epoch,
		`"2026-11-25T10:30:00+01:00"`: epoch,
		"null":                        {},
	} {
		got, reason := parseTimestamp([]byte(in))
		require.Empty(t, reason, in)
		assert.True(t, want.Equal(got), "%s: %v", in, got)
	}
	for _, bad := range []string{"0", "-1", "1.5", `"yesterday"`, "true", "{}", "99999999999999999999"} {
		_, reason := parseTimestamp([]byte(bad))
		assert.NotEmpty(t, reason, bad)
	}
}

type panickyErr struct{ inner error }

func (panickyErr) Error() string   { panic("no text") }
func (e panickyErr) Unwrap() error { return e.inner }

// A wrapped error whose Error panics still leaves a chain, with a note.
func TestChainSurvivesPanickingError(t *testing.T) {
	err := fmt.Errorf("outer: %w", panickyErr{inner: fmt.Errorf("root")})
	assert.Contains(t, wire.Chain(err), "!PANIC in Error: no text")
	assert.Contains(t, wire.Chain(err), "*errors.errorString: root")
}

// A search the server fails (here: no such stream) is a 502 naming no
// field, not a 400.
func TestAPIServerFailureIs502(t *testing.T) {
	d := newDev(t)
	code, out := call(t, NewAPI(d.client, WithAPIStream("never-written")), "GET", "/api/logs/search", "")
	assert.Equal(t, http.StatusBadGateway, code)
	assert.NotContains(t, out, "field")
	assert.Contains(t, out["error"], "never_written")
}

// The middleware's writer unwraps, so http.ResponseController reaches
// the connection's deadlines.
func TestMiddlewareUnwraps(t *testing.T) {
	d := newDev(t)
	h := Middleware(New(d.client, WithClock(pinned)))(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, ok := w.(interface{ Unwrap() http.ResponseWriter })
		assert.True(t, ok)
	}))
	serve(h, "GET", "/", "")
}
