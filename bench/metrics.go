package bench

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/o2kit/o2kit/metrics"
)

// O2Metrics are the o2kit instruments the metrics benchmarks drive.
type O2Metrics struct {
	counter *metrics.Counter
	vec     *metrics.CounterVec
	hist    *metrics.Histogram
}

// newO2Metrics registers them in a registry without client or timer,
// closed with tb.
func newO2Metrics(tb testing.TB) O2Metrics {
	reg, err := metrics.NewRegistry(nil, metrics.WithInterval(-1))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = reg.Close() })
	m := O2Metrics{
		counter: metrics.Must(reg.Counter(metrics.Desc{Name: "bench_counter_total"})),
		vec:     metrics.Must(reg.CounterVec(metrics.Desc{Name: "bench_requests_total", Labels: []string{"method", "code"}})),
		hist:    metrics.Must(reg.Histogram(metrics.Desc{Name: "bench_latency", Unit: "seconds"})),
	}
	m.vec.With("GET", "200")
	return m
}

// PromMetrics are the client_golang instruments of the same shape.
type PromMetrics struct {
	counter prometheus.Counter
	vec     *prometheus.CounterVec
	hist    prometheus.Histogram
}

func newPromMetrics() PromMetrics {
	m := PromMetrics{
		counter: prometheus.NewCounter(prometheus.CounterOpts{Name: "bench_counter_total"}),
		vec:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bench_requests_total"}, []string{"method", "code"}),
		hist:    prometheus.NewHistogram(prometheus.HistogramOpts{Name: "bench_latency_seconds", Buckets: prometheus.DefBuckets}),
	}
	m.vec.WithLabelValues("GET", "200")
	return m
}
