package metrics

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNamesValidated(t *testing.T) {
	r := newReg(t)
	for _, d := range []Desc{
		{Name: ""}, {Name: "1abc"}, {Name: "a-b"}, {Name: "Orders_total"},
		{Name: "ok", Labels: []string{"__x"}}, {Name: "ok", Labels: []string{"le"}},
		{Name: "ok", Labels: []string{"value"}}, {Name: "ok", Labels: []string{"a", "a"}},
		{Name: "ok", Labels: []string{"Status"}}, {Name: "ok", Labels: []string{"a:b"}},
	} {
		_, err := r.GaugeVec(d)
		assert.ErrorIs(t, err, ErrInvalidName, "%+v", d)
	}
	_, err := r.Gauge(Desc{Name: "x", Labels: []string{"a"}})
	assert.Error(t, err, "a metric with labels must be a vector")
	_, err = r.Gauge(Desc{Name: "ns:ok_metric"})
	assert.NoError(t, err, "colons are allowed in metric names")
}

func TestUnitSuffix(t *testing.T) {
	r := newReg(t)
	for _, c := range []struct{ name, unit, want string }{
		{"order_duration", "seconds", "order_duration_seconds"},
		{"order_duration_seconds", "seconds", "order_duration_seconds"},
		{"payload_bytes_total", "bytes", "payload_bytes_total"},
	} {
		assert.Equal(t, c.want, Desc{Name: c.name, Unit: c.unit}.fullName())
	}
	Must(r.Counter(Desc{Name: "sent", Unit: "bytes"}))
	assert.Equal(t, "sent_bytes", r.Cardinality(1)[0].Name)
}

func TestReRegistration(t *testing.T) {
	r := newReg(t)
	d := Desc{Name: "orders_total", Help: "Orders.", Labels: []string{"status"}}
	a := Must(r.CounterVec(d))
	b := Must(r.CounterVec(d))
	a.With("paid").Inc()
	assert.Equal(t, 1.0, b.With("paid").Value(), "the same definition returns the same metric")

	_, err := r.GaugeVec(d)
	assert.ErrorIs(t, err, ErrConflict, "another type")
	_, err = r.CounterVec(Desc{Name: "orders_total", Help: "Orders.", Labels: []string{"status", "x"}})
	assert.ErrorIs(t, err, ErrConflict, "another label set")
	_, err = r.CounterVec(Desc{Name: "orders_total", Help: "Other.", Labels: []string{"status"}})
	assert.ErrorIs(t, err, ErrConflict, "another help text")

	Must(r.Histogram(Desc{Name: "lat"}, 1, 2))
	_, err = r.Histogram(Desc{Name: "lat"}, 1, 3)
	assert.ErrorIs(t, err, ErrConflict, "other buckets")
	_, err = r.Counter(Desc{Name: "lat_count"})
	assert.ErrorIs(t, err, ErrConflict, "collides with the histogram's _count")
	Must(r.Counter(Desc{Name: "req_sum"}))
	_, err = r.Summary(Desc{Name: "req"})
	assert.ErrorIs(t, err, ErrConflict, "the summary's _sum is taken")
	assert.Panics(t, func() { Must(r.Gauge(Desc{Name: "lat"})) })
}

func TestWithWrongArity(t *testing.T) {
	r := newReg(t)
	cv := Must(r.CounterVec(Desc{Name: "c_total", Labels: []string{"a", "b"}}))
	cv.With("x").Inc()
	cv.With("x", "y", "z").Inc()
	cv.With("x", "\xff").Inc()
	assert.Equal(t, uint64(3), r.Stats().Rejected)
	assert.Equal(t, 0, r.Stats().Series, "rejected calls make no series")
}

func TestSeriesLimitOverflow(t *testing.T) {
	r := newReg(t, WithSeriesLimit(3))
	cv := Must(r.CounterVec(Desc{Name: "hits_total", Labels: []string{"user"}}))
	for i := range 10 {
		cv.With(fmt.Sprint("u", i)).Inc()
	}
	assert.Equal(t, 7.0, cv.With(OverflowValue).Value(), "seven label sets went to the overflow series")
	assert.Equal(t, 1.0, cv.With("u0").Value())
	st := r.Stats()
	assert.Equal(t, 4, st.Series, "three series and the overflow")
	assert.Equal(t, uint64(8), st.Overflowed)
	var buf bytes.Buffer
	r.WriteText(&buf)
	assert.Contains(t, buf.String(), `hits_total{user="__overflow__"} 7`)

	early := Must(r.CounterVec(Desc{Name: "early_total", Labels: []string{"a", "b"}}))
	early.With(OverflowValue, OverflowValue).Inc()
	for i := range 4 {
		early.With(fmt.Sprint(i), "x").Inc()
	}
	for _, c := range r.Cardinality(0) {
		if c.Name == "early_total" {
			assert.Equal(t, 4, c.Series, "three series and the overflow")
		}
	}
	buf.Reset()
	r.WriteText(&buf)
	assert.Contains(t, buf.String(), `early_total{a="__overflow__",b="__overflow__"} 2`+"\n")
	assert.Equal(t, 1, strings.Count(buf.String(), `early_total{a="__overflow__",b="__overflow__"} `),
		"a label set equal to the overflow series' is that series, not a second one")
}

func TestTableGrowsAndFindsEverySeries(t *testing.T) {
	r := newReg(t, WithSeriesLimit(-1))
	cv := Must(r.CounterVec(Desc{Name: "c_total", Labels: []string{"k", "v"}}))
	for i := range 5000 {
		cv.With(fmt.Sprint(i), "x").Add(float64(i))
	}
	for i := range 5000 {
		require.Equal(t, float64(i), cv.With(fmt.Sprint(i), "x").Value())
	}
	assert.Equal(t, 5000, r.Stats().Series)
	assert.Equal(t, 1.0, cv.With("1", "x").Value())
	assert.Equal(t, 0.0, cv.With("1x", "").Value(), "values are separated in the hash and the compare")
}

func TestIdleExpiry(t *testing.T) {
	now := pinned()
	r := newReg(t, WithClock(func() time.Time { return now }), WithIdleExpiry(time.Minute))
	cv := Must(r.CounterVec(Desc{Name: "c_total", Labels: []string{"k"}}))
	g := Must(r.Gauge(Desc{Name: "plain"}))
	busy, idle := cv.With("busy"), cv.With("idle")
	busy.Inc()
	idle.Inc()
	require.NoError(t, r.Flush(t.Context()))
	for range 3 {
		now = now.Add(30 * time.Second)
		busy.Inc()
		require.NoError(t, r.Flush(t.Context()))
	}
	st := r.Stats()
	assert.Equal(t, uint64(1), st.Expired)
	assert.Equal(t, 2, st.Series, "the busy series and the gauge without labels remain")
	assert.Equal(t, 0.0, cv.With("idle").Value(), "an expired label set starts again")
	idle.Inc()
	assert.Equal(t, 0.0, cv.With("idle").Value(), "an old handle no longer reaches the registry")
	_ = g
}

func TestCardinalityReport(t *testing.T) {
	r := newReg(t)
	a := Must(r.CounterVec(Desc{Name: "a_total", Labels: []string{"route", "code"}}))
	b := Must(r.GaugeVec(Desc{Name: "b", Labels: []string{"k"}}))
	Must(r.Gauge(Desc{Name: "c"}))
	for i := range 6 {
		a.With(fmt.Sprint("/r", i%3), fmt.Sprint(200+i%2)).Inc()
	}
	b.With("x").Set(1)
	got := r.Cardinality(2)
	require.Len(t, got, 2)
	assert.Equal(t, Cardinality{Name: "a_total", Series: 6, Labels: []LabelCardinality{{"route", 3}, {"code", 2}}}, got[0])
	assert.Equal(t, "b", got[1].Name)
	assert.Len(t, r.Cardinality(0), 3)
}

func TestExposition(t *testing.T) {
	r := newReg(t)
	shopMetrics(t, r)
	Must(r.GaugeVec(Desc{Name: "weird", Help: "a \\ and\nnewline", Labels: []string{"v"}})).With("q\"\\\n").Set(1)
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	assert.Equal(t, ExpositionContentType, rec.Header().Get("Content-Type"))
	golden(t, "testdata/exposition.golden.txt", rec.Body.Bytes())
}

func TestConcurrentGrowthCollectionAndExpiry(t *testing.T) {
	now := pinned()
	var mu sync.Mutex
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
	r := newReg(t, WithClock(clock), WithIdleExpiry(3*time.Second), WithSeriesLimit(500))
	cv := Must(r.CounterVec(Desc{Name: "c_total", Labels: []string{"k"}}))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				cv.With(fmt.Sprint(w, "-", i%700)).Inc()
			}
		})
	}
	wg.Go(func() {
		for range 50 {
			require.NoError(t, r.Flush(t.Context()))
			var buf bytes.Buffer
			r.WriteText(&buf)
		}
	})
	wg.Wait()
	st := r.Stats()
	assert.LessOrEqual(t, st.Series, 501, "the limit holds while series come and go")
	assert.Positive(t, st.Overflowed+st.Expired)
}
