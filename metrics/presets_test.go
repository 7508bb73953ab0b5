package metrics

import (
	"bytes"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// levelCounter is the interface the logging package declares.
type levelCounter interface{ CountLevel(level slog.Level) }

var _ levelCounter = (*LogLevels)(nil)

func TestLogLevels(t *testing.T) {
	r := newReg(t)
	l := Must(r.LogLevels())
	for _, lv := range []slog.Level{slog.LevelInfo, slog.LevelInfo, slog.LevelError, slog.LevelWarn + 1, slog.LevelDebug} {
		l.CountLevel(lv)
	}
	vec := Must(r.CounterVec(Desc{Name: "log_records_total", Help: "Log records written, by level.", Labels: []string{"level"}}))
	assert.Equal(t, 2.0, vec.With("INFO").Value())
	assert.Equal(t, 1.0, vec.With("ERROR").Value())
	assert.Equal(t, 1.0, vec.With("WARN+1").Value())
	assert.Zero(t, testing.AllocsPerRun(100, func() { l.CountLevel(slog.LevelWarn) }))
	again := Must(r.LogLevels())
	again.CountLevel(slog.LevelInfo)
	assert.Equal(t, 3.0, vec.With("INFO").Value(), "a second LogLevels shares the counters")
}

func TestRuntimeMetrics(t *testing.T) {
	now := pinned()
	r := newReg(t, WithClock(func() time.Time { return now }))
	require.NoError(t, r.RegisterRuntime())
	require.NoError(t, r.RegisterRuntime(), "twice is harmless")
	last := func(name string, ms ...Matcher) float64 {
		t.Helper()
		pts := r.Window().Eval(Last, name, now.UnixMilli(), time.Second, ms...)
		require.Len(t, pts, 1, name)
		return pts[0].V
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { <-stop })
	}
	defer wg.Wait()
	defer close(stop)
	var files []*os.File
	for range 5 {
		f, err := os.Open(os.DevNull)
		require.NoError(t, err)
		files = append(files, f)
	}
	defer func() {
		for _, f := range files {
			_ = f.Close()
		}
	}()
	runtime.GC()
	// Goroutines and files of earlier tests may still be going away, so
	// the gauges are checked against the truth read around the collection.
	g0, fd0 := runtime.NumGoroutine(), openFDs(t)
	require.NoError(t, r.Flush(t.Context()))
	g1, fd1 := runtime.NumGoroutine(), openFDs(t)

	assert.GreaterOrEqual(t, last("go_goroutines"), float64(min(g0, g1)))
	assert.LessOrEqual(t, last("go_goroutines"), float64(max(g0, g1)))
	assert.Greater(t, last("go_goroutines"), 10.0, "the ten blocked goroutines and this one")
	if runtime.GOOS == "linux" {
		assert.GreaterOrEqual(t, last("process_open_fds"), float64(min(fd0, fd1)))
		assert.LessOrEqual(t, last("process_open_fds"), float64(max(fd0, fd1)))
		assert.Greater(t, last("process_open_fds"), 5.0, "the five files and the standard ones")
	}
	assert.GreaterOrEqual(t, last("go_gc_cycles_total"), 1.0, "runtime.GC ran a cycle")
	assert.Positive(t, last("go_gc_pause_seconds", Equal("q", "1")), "it paused the world")
	assert.Positive(t, last("go_cpu_seconds_total"))
	assert.Positive(t, last("go_memory_total_bytes"))
	assert.Positive(t, last("go_memory_heap_objects_bytes"))
	assert.Equal(t, float64(runtime.GOMAXPROCS(0)), last("go_gomaxprocs"))
	var buf bytes.Buffer
	r.WriteText(&buf)
	assert.Contains(t, buf.String(), "# TYPE go_gc_pause_seconds gauge")
}

func TestHTTPMiddleware(t *testing.T) {
	r := newReg(t)
	m := Must(r.HTTPMetrics())
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("POST /pay", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	h := m.Middleware(mux)
	for _, req := range []*http.Request{
		httptest.NewRequest("GET", "/orders/1", nil), httptest.NewRequest("GET", "/orders/2", nil),
		httptest.NewRequest("POST", "/pay", nil), httptest.NewRequest("GET", "/nope", nil),
		httptest.NewRequest("BREW", "/orders/3", nil),
	} {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	req := Must(r.CounterVec(Desc{Name: "http_server_requests_total", Help: "HTTP requests served.", Labels: []string{"method", "route", "code"}}))
	assert.Equal(t, 2.0, req.With("GET", "GET /orders/{id}", "200").Value(), "one series per route, not per path")
	assert.Equal(t, 1.0, req.With("POST", "POST /pay", "502").Value())
	assert.Equal(t, 1.0, req.With("GET", "unmatched", "404").Value())
	assert.Equal(t, 1.0, req.With("OTHER", "unmatched", "405").Value(), "invented methods are folded")
	errs := Must(r.CounterVec(Desc{Name: "http_server_errors_total", Help: "HTTP requests answered with a 5xx status.", Labels: []string{"method", "route"}}))
	assert.Equal(t, 1.0, errs.With("POST", "POST /pay").Value())
	assert.Equal(t, 0.0, m.inflight.Value())
	assert.Equal(t, uint64(2), m.duration.With("GET", "GET /orders/{id}").Count())
}

func TestActiveUsers(t *testing.T) {
	now := pinned()
	r := newReg(t, WithClock(func() time.Time { return now }))
	a := Must(r.ActiveUsers(6*time.Minute, time.Hour))
	for i := range 3000 {
		a.Seen(fmt.Sprint("u-", i%1000))
	}
	assert.InDelta(t, 1000, float64(a.Count(0)), 30, "distinct, not total")
	now = now.Add(3 * time.Minute)
	for i := range 200 {
		a.Seen(fmt.Sprint("v-", i))
	}
	assert.InDelta(t, 1200, float64(a.Count(0)), 40)
	now = now.Add(4 * time.Minute)
	assert.InDelta(t, 200, float64(a.Count(0)), 10, "the first users slid out of 6m")
	assert.InDelta(t, 1200, float64(a.Count(1)), 40, "but are still in the hour")
	var buf bytes.Buffer
	r.WriteText(&buf)
	assert.Contains(t, buf.String(), `active_users{window="6m"}`)
	assert.Zero(t, a.Count(2), "no third window")
	assert.Zero(t, a.Count(-1))
	for _, bad := range []time.Duration{0, -time.Minute, time.Millisecond} {
		_, err := r.ActiveUsers(bad)
		assert.ErrorContains(t, err, "want at least 1s", bad)
	}
	assert.Equal(t, "24h", durationLabel(24*time.Hour))
	assert.Equal(t, "1m30s", durationLabel(90*time.Second))
}

func TestShopRatios(t *testing.T) {
	now := pinned()
	r := newReg(t, WithClock(func() time.Time { return now }))
	s := Must(r.Shop(time.Hour))
	tick := func() {
		require.NoError(t, r.Flush(t.Context()))
		now = now.Add(time.Minute)
	}
	tick()
	for range 10 {
		s.Visit()
	}
	s.Convert()
	s.Convert()
	for i := range 4 {
		s.Payment("stripe", i != 0)
		s.Payment("alipay", i == 0)
	}
	s.OrderProcessed("shipped", 2*time.Second)
	s.OrderProcessed("shipped", 3*time.Second)
	s.Stock("shoes", 100)
	s.Sold("shoes", 20)
	tick()
	tick() // the ratios see the two collections before this one
	assert.InDelta(t, 0.2, s.conversionRatio.Value(), 1e-9)
	assert.InDelta(t, 0.75, s.paymentRatio.With("stripe").Value(), 1e-9)
	assert.InDelta(t, 0.25, s.paymentRatio.With("alipay").Value(), 1e-9)
	assert.InDelta(t, 2.0/120, s.throughput.Value(), 1e-9, "two orders in the two minutes since registration")
	assert.InDelta(t, 0.2, s.turnover.With("shoes").Value(), 1e-9)
	assert.Equal(t, uint64(2), s.orderTime.With("shipped").Count())

	r2 := newReg(t)
	s2 := Must(r2.Shop(0))
	require.NoError(t, r2.Flush(t.Context()))
	assert.True(t, math.IsNaN(s2.conversionRatio.Value()), "no traffic, no ratio")
}

// openFDs counts the process's open files as process_open_fds does, the
// descriptor reading /proc/self/fd included.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	return len(ents)
}

// TestHTTPMiddlewareInFlightAndPanics: the gauge counts the requests being
// served, and a handler that panics is a 500 and an error.
func TestHTTPMiddlewareInFlightAndPanics(t *testing.T) {
	r := newReg(t)
	m := Must(r.HTTPMetrics(0.5, 1))
	entered, release := make(chan struct{}), make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /slow", func(http.ResponseWriter, *http.Request) {
		entered <- struct{}{}
		<-release
	})
	mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })
	h := m.Middleware(mux)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/slow", nil)) })
	}
	for range 3 {
		<-entered
	}
	assert.Equal(t, 3.0, m.inflight.Value(), "three requests being served")
	close(release)
	wg.Wait()
	assert.Zero(t, m.inflight.Value())
	assert.Equal(t, uint64(3), m.duration.With("GET", "GET /slow").Count())

	assert.PanicsWithValue(t, http.ErrAbortHandler, func() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/boom", nil))
	}, "the panic goes on to net/http")
	assert.Equal(t, 1.0, m.requests.With("GET", "GET /boom", "500").Value())
	assert.Equal(t, 1.0, m.errors.With("GET", "GET /boom").Value())
	assert.Zero(t, m.inflight.Value())
}
