package logging

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type emptyGroup struct{}

func (emptyGroup) LogValue() slog.Value { return slog.GroupValue() }

// Groups follow slog's rules and flatten as OpenObserve flattens them.
func TestGroupEdgeCases(t *testing.T) {
	d := newDev(t)
	l := New(d.client, WithClock(pinned))
	l.Info("inline", slog.Group("", slog.Int("a", 1)), slog.Group("g", slog.Group("", slog.Int("b", 2))))
	l.Info("empty", slog.Group("g", slog.Attr{}), slog.Group("h"), "lv", emptyGroup{}, slog.Any("", 5))
	l.WithGroup("a").WithGroup("b").With("x", 1).WithGroup("c").Info("nested", "y", 2)
	l.WithGroup("a").WithGroup("b").Info("open groups, no attrs")
	l.WithGroup("").With().Info("empty group name", "k", 1)
	l.WithGroup("G-1").Info("keys", "Mixed Key", 1)
	want := []map[string]any{
		{"message": "inline", "a": int64(1), "g_b": int64(2)},
		{"message": "empty"},
		{"message": "nested", "a_b_x": int64(1), "a_b_c_y": int64(2)},
		{"message": "open groups, no attrs"},
		{"message": "empty group name", "k": int64(1)},
		{"message": "keys", "g_1_mixed_key": int64(1)},
	}
	recs := d.records(t, "application-logs")
	require.Len(t, recs, len(want))
	for i, r := range recs {
		delete(r, "_timestamp")
		delete(r, "level")
		assert.Equal(t, want[i], r)
	}
}

// Sampling judges a burst by the records' own times, so a test pins them;
// WARN and ERROR pass whatever the count.
func TestHandlerSamplingByRecordTime(t *testing.T) {
	d := newDev(t)
	h := NewHandler(d.client, WithClock(pinned), WithLevel(slog.LevelDebug),
		WithSampling(Sampling{First: 1, Thereafter: 2, Tick: time.Minute}))
	ctx := context.Background()
	at := func(d time.Duration, l slog.Level, msg string) {
		require.NoError(t, h.Handle(ctx, slog.NewRecord(epoch.Add(d), l, msg, 0)))
	}
	for i := range 5 {
		at(time.Duration(i)*time.Second, slog.LevelDebug, "poll") // 1st, 3rd and 5th kept
		at(time.Duration(i)*time.Second, slog.LevelError, "poll")
	}
	at(time.Minute, slog.LevelDebug, "poll") // a new tick
	byLevel := map[any]int{}
	for _, r := range d.records(t, "application-logs") {
		byLevel[r["level"]]++
	}
	assert.Equal(t, map[any]int{"DEBUG": 4, "ERROR": 5}, byLevel)
}

// A nil client is an error from every entry point, never a panic; the
// console still gets the records.
func TestNilClientEverywhere(t *testing.T) {
	var console bytes.Buffer
	h := NewHandler(nil, WithConsole(&console))
	err := h.Handle(context.Background(), slog.NewRecord(epoch, slog.LevelInfo, "no client", 0))
	assert.ErrorIs(t, err, ErrNoClient)
	require.NoError(t, h.Close(context.Background()))
	assert.Contains(t, console.String(), "no client")
	_, err = Search(context.Background(), nil, Query{})
	assert.ErrorIs(t, err, ErrNoClient)
	_, err = Stats(context.Background(), nil, StatsQuery{})
	assert.ErrorIs(t, err, ErrNoClient)
	for _, target := range []string{"/api/logs", "/api/logs/search", "/api/logs/stats"} {
		w := httptest.NewRecorder()
		NewAPI(nil).ServeHTTP(w, httptest.NewRequest(http.MethodPost, target, nil))
		assert.Equal(t, http.StatusServiceUnavailable, w.Code, target)
	}
}

// An empty or reversed time range, and a stats range of too many
// buckets, are the caller's mistakes: 400 naming the field.
func TestQueryRanges(t *testing.T) {
	d := newDev(t)
	h := NewAPI(d.client, WithAPIStream("web-logs"))
	at := func(t time.Time) string { return t.Format(time.RFC3339) }
	for target, field := range map[string]string{
		"/api/logs/search?start=" + at(epoch) + "&end=" + at(epoch.Add(-time.Hour)):                    "start",
		"/api/logs/stats?start=" + at(epoch) + "&end=" + at(epoch):                                     "start",
		"/api/logs/stats?interval=1+second&start=" + at(epoch.Add(-3*time.Hour)) + "&end=" + at(epoch): "interval",
	} {
		code, out := call(t, h, "GET", target, "")
		assert.Equal(t, http.StatusBadRequest, code, target)
		assert.Equal(t, field, out["field"], target)
	}
	New(d.client, WithClock(pinned)).Info("x")
	require.NoError(t, d.client.Flush(context.Background()))
	_, err := Stats(context.Background(), d.client, StatsQuery{Interval: "1 second", Start: epoch.Add(-time.Duration(MaxBuckets) * time.Second), End: epoch})
	assert.NoError(t, err, "exactly MaxBuckets is allowed")

	code, _ := call(t, h, "POST", "/api/logs", `[{"message": "to the API stream", "timestamp": null}]`)
	require.Equal(t, http.StatusAccepted, code)
	assert.Len(t, d.records(t, "web-logs"), 1, "WithAPIStream writes there; a null timestamp is now")
}

func TestMiddlewareNilLoggerIsDefault(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	defer slog.SetDefault(old)
	serve(Middleware(nil)(http.NotFoundHandler()), "GET", "/x", "")
	assert.Contains(t, buf.String(), "status=404")
}

// Deriving a handler never changes the one it came from, however the
// derivations interleave, and concurrent derivations do not race.
func TestDerivingLeavesTheParentAlone(t *testing.T) {
	d := newDev(t)
	l := New(d.client, WithClock(pinned))
	_ = l.With("a", 1)
	l.Info("parent")
	g := l.WithGroup("g")
	_ = g.With("b", 2)
	_ = g.WithGroup("h").With("x", 0)
	g.Info("group parent", "c", 3)
	ga := g.With("d", 4)
	_ = ga.With("e", 5)
	ga.Info("sibling")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() { _ = ga.With("n", i).WithGroup("k").With("m", i) })
	}
	wg.Wait()
	want := []map[string]any{
		{"message": "parent"},
		{"message": "group parent", "g_c": int64(3)},
		{"message": "sibling", "g_d": int64(4)},
	}
	recs := d.records(t, "application-logs")
	require.Len(t, recs, len(want))
	for i, r := range recs {
		delete(r, "_timestamp")
		delete(r, "level")
		assert.Equal(t, want[i], r)
	}
}
