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
	var buf bytes.Buffer
	r.WriteText(&buf)
	p := expfmt.NewTextParser(model.UTF8Validation)
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
}
