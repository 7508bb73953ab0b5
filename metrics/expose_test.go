package metrics

import (
	"bytes"
	"math"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExpositionParsesAsPrometheus reads the exposition back with
// Prometheus' own text parser.
func TestExpositionParsesAsPrometheus(t *testing.T) {
	r := newReg(t)
	shopMetrics(t, r)
	Must(r.GaugeVec(Desc{Name: "odd", Labels: []string{"v"}})).With("q\"\\\n").Set(math.Inf(-1))
	Must(r.Summary(Desc{Name: "idle_summary", Help: "Never observed."}))
	require.NoError(t, r.RegisterRuntime())
	Must(r.HTTPMetrics())
	Must(r.ActiveUsers())
	Must(r.Shop(0))
	require.NoError(t, r.Flush(t.Context())) // the presets fill their gauges
	var buf bytes.Buffer
	r.WriteText(&buf)
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(&buf)
	require.NoError(t, err)
	require.Contains(t, fams, "checkout_duration_seconds")
	h := fams["checkout_duration_seconds"].GetMetric()[0].GetHistogram()
	assert.Equal(t, uint64(3), h.GetSampleCount())
	assert.InDelta(t, 3.9, h.GetSampleSum(), 1e-9)
	assert.Len(t, h.GetBucket(), 3)
	s := fams["basket_value"].GetMetric()[0].GetSummary()
	assert.Equal(t, 20.0, s.GetQuantile()[0].GetValue())
	odd := fams["odd"].GetMetric()[0]
	assert.Equal(t, "q\"\\\n", odd.GetLabel()[0].GetValue())
	assert.True(t, math.IsInf(odd.GetGauge().GetValue(), -1))
	assert.Equal(t, 2, len(fams["orders_total"].GetMetric()))
	idle := fams["idle_summary"].GetMetric()[0].GetSummary()
	assert.True(t, math.IsNaN(idle.GetQuantile()[0].GetValue()), "an empty window reads NaN")
	for _, name := range []string{"go_goroutines", "go_gc_pause_seconds", "http_server_requests_in_flight", "active_users", "shop_conversion_ratio"} {
		assert.Contains(t, fams, name)
	}
}
