package timeseries

import (
	"fmt"
	"testing"
	"time"
)

// benchLabels returns n distinct label sets shaped like an HTTP metric.
func benchLabels(n int) []Labels {
	out := make([]Labels, n)
	for i := range out {
		out[i] = Labels{{"code", "200"}, {"method", "GET"}, {"route", fmt.Sprintf("/api/v1/item/%d", i)}}
	}
	return out
}

// BenchmarkAppend appends to 1000 existing series in turn, as an export
// tick does once the series exist; the ring has wrapped.
func BenchmarkAppend(b *testing.B) {
	st, _ := New()
	ls := benchLabels(1000)
	for i, l := range ls {
		for t := range int64(DefaultCapacity) {
			_ = st.Append("http_requests_total", l, t, float64(i))
		}
	}
	appendInTurn(b, st, ls, DefaultCapacity)
}

// BenchmarkAppendUnsorted appends with labels in declaration order, not
// sorted, as a registry with label names ("route", "method", "code") does.
func BenchmarkAppendUnsorted(b *testing.B) {
	st, _ := New()
	ls := benchLabels(1000)
	for _, l := range ls {
		l[0], l[2] = l[2], l[0]
	}
	appendInTurn(b, st, ls, 0)
}

// appendInTurn appends one sample to each series of ls in turn, the
// timestamp going up by one after each round, starting at t.
func appendInTurn(b *testing.B, st *Store, ls []Labels, t int64) {
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		_ = st.Append("http_requests_total", ls[i], t, 1)
		if i++; i == len(ls) {
			i, t = 0, t+1
		}
	}
}

// BenchmarkAppendParallel appends from all procs at once, each to its own
// series, to show the read-locked fast path does not serialise.
func BenchmarkAppendParallel(b *testing.B) {
	st, _ := New()
	ls := benchLabels(1000)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var t int64
		for pb.Next() {
			t++
			_ = st.Append("http_requests_total", ls[t%int64(len(ls))], t, 1)
		}
	})
}

// BenchmarkSelect copies a 5-minute window (20 samples at 15 s) out of
// one of 1000 full series, matched by label.
func BenchmarkSelect(b *testing.B) {
	st := filledStore(b, 1000)
	m := Equal("route", "/api/v1/item/500")
	end := int64(DefaultCapacity-1) * 15_000
	b.ReportAllocs()
	for b.Loop() {
		_ = st.Select("http_requests_total", end-300_000+1, end, m)
	}
}

// BenchmarkEvalRate computes a 5-minute rate over all 1000 series.
func BenchmarkEvalRate(b *testing.B) {
	st := filledStore(b, 1000)
	end := int64(DefaultCapacity-1) * 15_000
	b.ReportAllocs()
	for b.Loop() {
		_ = st.Eval(Rate, "http_requests_total", end, 5*time.Minute)
	}
}

func filledStore(b *testing.B, n int) *Store {
	st, _ := New()
	for i, l := range benchLabels(n) {
		for t := range int64(DefaultCapacity) {
			_ = st.Append("http_requests_total", l, t*15_000, float64(i)*float64(t))
		}
	}
	return st
}

// BenchmarkWindowFuncs reduces one 5-minute window of 20 samples.
func BenchmarkWindowFuncs(b *testing.B) {
	s := noise(1, 20, 100, 5)
	for name, f := range map[string]WindowFunc{
		"avg": Avg, "rate": Rate, "p99": Quantile(0.99), "slope": Slope,
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = f(s)
			}
		})
	}
}

// BenchmarkDetect judges one value against 60 samples of history.
func BenchmarkDetect(b *testing.B) {
	hist := noise(2, 60, 100, 5)
	for name, d := range detectors {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = d.Detect(hist, 130)
			}
		})
	}
}

// BenchmarkAppendEvict creates a new series in a full store of 10,000 with
// eviction on: the linear scan for the oldest series that
// [WithEvictOldest] documents.
func BenchmarkAppendEvict(b *testing.B) {
	const n = DefaultMaxSeries
	st, _ := New(WithEvictOldest(), WithCapacity(4))
	// The store always holds the n label sets appended last from a cycle
	// through 2n, so the next one in the cycle is always new.
	pool := benchLabels(2 * n)
	for i, l := range pool[:n] {
		_ = st.Append("m", l, int64(i), 1)
	}
	t, i := int64(n), n
	b.ReportAllocs()
	for b.Loop() {
		_ = st.Append("m", pool[i], t, 1)
		t++
		if i++; i == len(pool) {
			i = 0
		}
	}
}

// BenchmarkDropIdle scans 10,000 series of which none is idle, the common
// case when the registry calls it on every tick.
func BenchmarkDropIdle(b *testing.B) {
	st, _ := New(WithCapacity(4))
	for _, l := range benchLabels(DefaultMaxSeries) {
		_ = st.Append("m", l, 100, 1)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = st.DropIdle(50)
	}
}
