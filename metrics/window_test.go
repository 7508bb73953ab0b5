package metrics

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCollectionFeedsTheWindowStore(t *testing.T) {
	now := pinned()
	r := newReg(t, WithClock(func() time.Time { return now }))
	cv := Must(r.CounterVec(Desc{Name: "orders_total", Labels: []string{"status"}}))
	h := Must(r.Histogram(Desc{Name: "lat"}, 1))
	for i := range 10 {
		cv.With("paid").Add(2)
		if i == 5 {
			cv.With("failed").Inc()
		}
		h.Observe(0.5)
		require.NoError(t, r.Flush(t.Context()))
		now = now.Add(15 * time.Second)
	}
	end := now.Add(-15 * time.Second).UnixMilli()
	got := r.Window().Select("orders_total", 0, end, Equal("status", "paid"))
	require.Len(t, got, 1)
	assert.Len(t, got[0].Samples, 10)
	assert.Equal(t, Sample{T: pinned().UnixMilli(), V: 2}, got[0].Samples[0])

	pts := r.Window().Eval(Increase, "orders_total", end, 5*time.Minute, Equal("status", "paid"))
	require.Len(t, pts, 1)
	assert.Equal(t, 18.0, pts[0].V, "from 2 to 20 over the window")
	rate := r.Window().Eval(Rate, "orders_total", end, 5*time.Minute, Equal("status", "paid"))
	assert.InDelta(t, 18.0/135, rate[0].V, 1e-12)

	buckets := r.Window().Select("lat_bucket", 0, end, Equal("le", "+Inf"))
	require.Len(t, buckets, 1, "histogram buckets are series with their le label")
	assert.Equal(t, 10.0, buckets[0].Samples[9].V)
}
