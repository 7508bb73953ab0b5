package bench

import (
	"testing"
)

// BenchmarkMetrics compares the recording hot paths of o2kit's metrics
// registry with prometheus/client_golang's, in the same run: a counter
// increment, a counter vector lookup of an existing series then an
// increment, and a histogram observation (default buckets), each from one
// goroutine and from b.RunParallel (every goroutine on the same series,
// the contended case). Nothing is exported while they run: the registry has
// no client and no timer, so only the caller's cost is measured.
//
// Run with benchstat -col /impl to put the two side by side.
func BenchmarkMetrics(b *testing.B) {
	o2 := newO2Metrics(b)
	pr := newPromMetrics()
	for _, c := range []struct {
		op       string
		o2, prom func()
	}{
		{"Counter.Inc", o2.counter.Inc, pr.counter.Inc},
		{"CounterVec.With.Inc", func() { o2.vec.With("GET", "200").Inc() }, func() { pr.vec.WithLabelValues("GET", "200").Inc() }},
		{"Histogram.Observe", func() { o2.hist.Observe(0.042) }, func() { pr.hist.Observe(0.042) }},
	} {
		b.Run("op="+c.op+"/impl=o2kit", func(b *testing.B) { loop(b, c.o2) })
		b.Run("op="+c.op+"/impl=client_golang", func(b *testing.B) { loop(b, c.prom) })
		b.Run("op="+c.op+"-parallel/impl=o2kit", func(b *testing.B) { parallel(b, c.o2) })
		b.Run("op="+c.op+"-parallel/impl=client_golang", func(b *testing.B) { parallel(b, c.prom) })
	}
}

func loop(b *testing.B, f func()) {
	b.ReportAllocs()
	for b.Loop() {
		f()
	}
}

func parallel(b *testing.B, f func()) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			f()
		}
	})
}

// TestMetricsBenchPathsAgree checks that both sides of each pair count
// the same thing, so the benchmark compares like with like.
func TestMetricsBenchPathsAgree(t *testing.T) {
	o2 := newO2Metrics(t)
	pr := newPromMetrics()
	for range 3 {
		o2.counter.Inc()
		pr.counter.Inc()
		o2.vec.With("GET", "200").Inc()
		pr.vec.WithLabelValues("GET", "200").Inc()
		o2.hist.Observe(0.042)
		pr.hist.Observe(0.042)
	}
	if got := o2.vec.With("GET", "200").Value(); got != 3 {
		t.Fatalf("o2kit vector counted %v", got)
	}
	if o2.hist.Count() != 3 || o2.counter.Value() != 3 {
		t.Fatal("o2kit instruments did not count")
	}
}
