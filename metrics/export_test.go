package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"math"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// shopMetrics registers one metric of each kind and records known values.
func shopMetrics(t *testing.T, r *Registry) {
	t.Helper()
	orders := Must(r.CounterVec(Desc{Name: "orders_total", Help: "Orders placed.", Labels: []string{"status"}}))
	orders.With("paid").Add(3)
	orders.With("failed").Inc()
	Must(r.Gauge(Desc{Name: "cart_items", Help: "Items in open carts."})).Set(7)
	h := Must(r.Histogram(Desc{Name: "checkout_duration", Unit: "seconds", Help: "Checkout time."}, 0.5, 1))
	for _, v := range []float64{0.2, 0.7, 3} {
		h.Observe(v)
	}
	s := Must(r.Summary(Desc{Name: "basket_value", Help: "Basket value in EUR."}, 0.5))
	for _, v := range []float64{10, 20, 30} {
		s.Observe(v)
	}
}

func TestExportGolden(t *testing.T) {
	c, srv, seen := devClient(t)
	r, err := NewRegistry(c, WithInterval(-1), WithClock(pinned))
	require.NoError(t, err)
	shopMetrics(t, r)
	require.NoError(t, r.Flush(t.Context()))
	require.NoError(t, c.Flush(t.Context()))
	st := r.Stats()
	assert.Equal(t, uint64(1), st.Exports)
	assert.Equal(t, uint64(11), st.Samples)
	require.NoError(t, r.Shutdown(t.Context()))

	bs := seen.all()
	require.Len(t, bs, 1, "one request carries every sample")
	var pretty bytes.Buffer
	require.NoError(t, json.Indent(&pretty, bs[0], "", "  "))
	golden(t, "testdata/export.golden.json", pretty.Bytes())

	recs := srv.RecordsOf("default", "metrics", "checkout_duration_seconds_bucket")
	require.Len(t, recs, 3)
	assert.Equal(t, "0.5", recs[0]["le"])
	assert.Equal(t, 1.0, recs[0]["value"])
	assert.Equal(t, "+Inf", recs[2]["le"])
	assert.Equal(t, 3.0, recs[2]["value"])
	paid := srv.RecordsOf("default", "metrics", "orders_total")
	require.Len(t, paid, 2)
	assert.Equal(t, pinned().UnixMicro(), paid[0]["_timestamp"])
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

func TestExportNonFinite(t *testing.T) {
	c, srv, _ := devClient(t)
	r, err := NewRegistry(c, WithInterval(-1), WithClock(pinned))
	require.NoError(t, err)
	defer r.Close()
	Must(r.Gauge(Desc{Name: "nan_gauge"})).Set(math.NaN())
	Must(r.Gauge(Desc{Name: "inf_gauge"})).Set(math.Inf(-1))
	Must(r.Gauge(Desc{Name: "ok_gauge"})).Set(1)
	require.NoError(t, r.Flush(t.Context()))
	require.NoError(t, c.Flush(t.Context()))
	assert.Empty(t, srv.RecordsOf("default", "metrics", "nan_gauge"), "NaN is left out")
	inf := srv.RecordsOf("default", "metrics", "inf_gauge")
	require.Len(t, inf, 1)
	assert.Equal(t, -math.MaxFloat64, inf[0]["value"], "infinities are clamped")
	assert.Len(t, srv.RecordsOf("default", "metrics", "ok_gauge"), 1, "the NaN did not fail the request")
	assert.Equal(t, uint64(1), r.Stats().Dropped)
}

func TestExportEveryInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, srv := bubbleClient(t)
		r, err := NewRegistry(c)
		require.NoError(t, err)
		g := Must(r.Gauge(Desc{Name: "queue_depth"}))
		g.Set(1)
		time.Sleep(15*time.Second - time.Nanosecond)
		synctest.Wait()
		assert.Zero(t, r.Stats().Exports, "nothing before the first interval")
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		g.Set(2)
		time.Sleep(15 * time.Second)
		synctest.Wait()
		assert.Equal(t, uint64(2), r.Stats().Exports)
		require.NoError(t, r.Shutdown(t.Context()))
		require.NoError(t, r.Shutdown(t.Context()), "Shutdown is idempotent")
		assert.ErrorIs(t, r.Flush(t.Context()), ErrClosed)
		require.NoError(t, c.Flush(t.Context()))
		recs := srv.RecordsOf("default", "metrics", "queue_depth")
		var vals []any
		for _, rec := range recs {
			vals = append(vals, rec["value"])
		}
		assert.Equal(t, []any{1.0, 2.0, 2.0}, vals, "two ticks and the last collection at Shutdown")
	})
}

func TestFlushHonoursContext(t *testing.T) {
	r, err := NewRegistry(nil)
	require.NoError(t, err)
	defer r.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, r.Flush(ctx), context.Canceled)
}

func TestExportReportsDroppedSamples(t *testing.T) {
	c, _, _ := devClient(t)
	var got []error
	r, err := NewRegistry(c, WithInterval(-1), WithErrorHandler(o2kit.ErrorHandlerFunc(func(err error) { got = append(got, err) })))
	require.NoError(t, err)
	Must(r.Gauge(Desc{Name: "g"})).Set(1)
	require.NoError(t, c.Shutdown(t.Context()))
	err = r.Flush(t.Context())
	assert.ErrorIs(t, err, o2kit.ErrClosed)
	assert.Equal(t, uint64(1), r.Stats().Dropped)
	assert.ErrorIs(t, r.Close(), o2kit.ErrClosed, "the last collection fails the same way")
}

func TestTimerFailuresGoToTheErrorHandler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := bubbleClient(t)
		got := make(chan error, 4)
		r, err := NewRegistry(c, WithErrorHandler(o2kit.ErrorHandlerFunc(func(err error) { got <- err })))
		require.NoError(t, err)
		Must(r.Gauge(Desc{Name: "g"})).Set(1)
		require.NoError(t, c.Shutdown(t.Context()))
		time.Sleep(15 * time.Second)
		synctest.Wait()
		require.Len(t, got, 1)
		assert.ErrorIs(t, <-got, o2kit.ErrClosed)
		assert.ErrorIs(t, r.Shutdown(t.Context()), o2kit.ErrClosed)
	})
}

func TestConstLabels(t *testing.T) {
	c, srv, _ := devClient(t)
	r, err := NewRegistry(c, WithInterval(-1), WithClock(pinned), WithConstLabels(map[string]string{"service": "checkout", "instance": "pod-1"}))
	require.NoError(t, err)
	defer r.Close()
	Must(r.CounterVec(Desc{Name: "orders_total", Labels: []string{"status"}})).With("paid").Inc()
	_, err = r.GaugeVec(Desc{Name: "g", Labels: []string{"instance"}})
	assert.ErrorIs(t, err, ErrConflict, "a metric may not reuse a constant label")
	require.NoError(t, r.Flush(t.Context()))
	require.NoError(t, c.Flush(t.Context()))
	recs := srv.RecordsOf("default", "metrics", "orders_total")
	require.Len(t, recs, 1)
	assert.Equal(t, "checkout", recs[0]["service"])
	assert.Equal(t, "pod-1", recs[0]["instance"])
	assert.Equal(t, "paid", recs[0]["status"])

	_, err = NewRegistry(nil, WithConstLabels(map[string]string{"Bad": "x"}))
	assert.ErrorIs(t, err, ErrInvalidName)
}
