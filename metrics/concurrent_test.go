package metrics

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// workers and rounds size the concurrent tests: every worker records
// rounds times on each instrument while collections run beside them.
const (
	workers = 8
	rounds  = 500
)

// hammer runs f(w) on workers goroutines while another collects,
// exposes and reports cardinality, so -race sees recording and reading
// overlap.
func hammer(t *testing.T, r *Registry, f func(w int)) {
	t.Helper()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { f(w) })
	}
	wg.Go(func() {
		for range 10 {
			assert.NoError(t, r.Flush(t.Context()))
			var buf bytes.Buffer
			r.WriteText(&buf)
			_ = r.Cardinality(3)
			_ = r.Stats()
		}
	})
	wg.Wait()
}

func TestEveryInstrumentConcurrent(t *testing.T) {
	r := newReg(t)
	c := Must(r.Counter(Desc{Name: "c_total"}))
	cv := Must(r.CounterVec(Desc{Name: "cv_total", Labels: []string{"k"}}))
	g := Must(r.Gauge(Desc{Name: "g"}))
	gv := Must(r.GaugeVec(Desc{Name: "gv", Labels: []string{"k"}}))
	h := Must(r.Histogram(Desc{Name: "h"}, 1, 2))
	hv := Must(r.HistogramVec(Desc{Name: "hv", Labels: []string{"k"}}, 1, 2))
	s := Must(r.Summary(Desc{Name: "s"}, 0.5))
	sv := Must(r.SummaryVec(Desc{Name: "sv", Labels: []string{"k"}}, 0.5))
	hammer(t, r, func(w int) {
		k := fmt.Sprint("w", w%2)
		for range rounds {
			c.Inc()
			c.Add(0.25)
			cv.With(k).Add(2)
			g.Add(1.5)
			g.Sub(0.5)
			gv.With(k).Inc()
			gv.With(k).Set(7)
			h.Observe(1.5)
			hv.With(k).Observe(0.5)
			s.Observe(3)
			_ = s.Quantile(0.5)
			sv.With(k).Observe(float64(w % 2))
		}
	})
	n := float64(workers * rounds)
	assert.Equal(t, 1.25*n, c.Value())
	assert.Equal(t, n, cv.With("w0").Value(), "half the workers, 2 per call")
	assert.Equal(t, n, cv.With("w1").Value())
	assert.Equal(t, n, g.Value(), "float adds of whole steps lose nothing")
	assert.Equal(t, 7.0, gv.With("w1").Value())
	assert.Equal(t, uint64(n), h.Count())
	assert.Equal(t, 1.5*n, h.Sum())
	assert.Equal(t, []uint64{0, uint64(n), 0}, []uint64{h.counts[0].Load(), h.counts[1].Load(), h.counts[2].Load()})
	assert.Equal(t, uint64(n/2), hv.With("w0").Count())
	assert.Equal(t, uint64(n), s.Count())
	assert.Equal(t, 3.0, s.Quantile(0.5))
	assert.Equal(t, 1.0, sv.With("w1").Quantile(0.5))
	assert.Zero(t, r.Stats().Rejected)
}

func TestPresetsConcurrent(t *testing.T) {
	r := newReg(t)
	l := Must(r.LogLevels())
	a := Must(r.ActiveUsers(time.Hour))
	m := Must(r.HTTPMetrics())
	shop := Must(r.Shop(time.Hour))
	require.NoError(t, r.RegisterRuntime())
	h := m.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	hammer(t, r, func(w int) {
		for i := range rounds {
			l.CountLevel(slog.LevelInfo)
			a.Seen(fmt.Sprint("u", i%50))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
			shop.Visit()
			shop.Payment("card", w%2 == 0)
		}
	})
	n := float64(workers * rounds)
	levels := Must(r.CounterVec(Desc{Name: "log_records_total", Help: "Log records written, by level.", Labels: []string{"level"}}))
	assert.Equal(t, n, levels.With("INFO").Value())
	assert.InDelta(t, 50, float64(a.Count(0)), 2)
	assert.Equal(t, n, m.requests.With("GET", "unmatched", "200").Value())
	assert.Zero(t, m.inflight.Value())
	assert.Equal(t, n, shop.visits.Value())
}
