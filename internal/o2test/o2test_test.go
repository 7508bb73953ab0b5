package o2test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/o2kit/o2kit"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestNewStoresWithThePinnedClock(t *testing.T) {
	e := New(t)
	require.NoError(t, e.Client.Emit(t.Context(), o2kit.Record{Stream: "s", Attrs: []slog.Attr{slog.Int("n", 1)}}))
	recs := e.Records(t, "s")
	require.Len(t, recs, 1)
	assert.Equal(t, Epoch.UnixMicro(), recs[0]["_timestamp"])
	assert.NotContains(t, recs[0], "o2kit_id", "no ids, so records are stable")
}

func TestExample(t *testing.T) {
	dev, c := Example()
	defer dev.Close()
	defer c.Shutdown(context.Background())
	require.NoError(t, c.Health(t.Context()))
}

func TestInMemory(t *testing.T) {
	hc := InMemory(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	resp, err := hc.Get("http://nowhere/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusTeapot, resp.StatusCode)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://nowhere/", nil)
	require.NoError(t, err)
	_, err = hc.Do(req)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestNewWithClock(t *testing.T) {
	at := Epoch.Add(48 * time.Hour)
	e := NewWithClock(t, func() time.Time { return at })
	require.NoError(t, e.Client.Emit(t.Context(), o2kit.Record{Stream: "s", Attrs: []slog.Attr{slog.Int("n", 1)}}))
	recs := e.Records(t, "s")
	require.Len(t, recs, 1)
	assert.Equal(t, at.UnixMicro(), recs[0]["_timestamp"], "the client stamps with the given clock, inside the server's window")
}

func TestErrors(t *testing.T) {
	var errs Errors
	assert.Empty(t, errs.All())
	first, second := errors.New("first"), errors.New("second")
	errs.Handle(first)
	errs.Handle(second)
	got := errs.All()
	assert.Equal(t, []error{first, second}, got)
	got[0] = nil
	assert.Equal(t, first, errs.All()[0], "All returns a copy")
}

func TestBubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := Bubble(t)
		start := time.Now()
		time.Sleep(time.Hour)
		require.NoError(t, env.Client.Emit(t.Context(), o2kit.Record{Stream: "app", Attrs: []slog.Attr{slog.String("k", "v")}}))
		recs := env.Records(t, "app")
		require.Len(t, recs, 1)
		assert.EqualValues(t, start.Add(time.Hour).UnixMicro(), recs[0]["_timestamp"], "both ends read the bubble's clock")
	})
}
