package metrics

import (
	"os"
	"runtime"
	"runtime/metrics"
	"sync"
)

// runtimeSamples are the runtime/metrics names read at each collection,
// with the gauge each feeds.
var runtimeSamples = []struct{ key, name, help string }{
	{"/memory/classes/heap/objects:bytes", "go_memory_heap_objects_bytes", "Memory occupied by live and not yet swept heap objects."},
	{"/memory/classes/total:bytes", "go_memory_total_bytes", "All memory mapped by the Go runtime."},
	{"/gc/cycles/total:gc-cycles", "go_gc_cycles_total", "Completed GC cycles."},
	{"/cpu/classes/total:cpu-seconds", "go_cpu_seconds_total", "CPU time available to the process's Go code, as the runtime estimates it."},
	{"/cpu/classes/user:cpu-seconds", "go_cpu_user_seconds_total", "CPU time spent running user Go code."},
	{"/cpu/classes/gc/total:cpu-seconds", "go_cpu_gc_seconds_total", "CPU time spent on garbage collection."},
	{"/sched/gomaxprocs:threads", "go_gomaxprocs", "The current GOMAXPROCS."},
}

const gcPausesKey = "/sched/pauses/total/gc:seconds"

// RegisterRuntime adds the process's runtime and system metrics, read
// at each collection: goroutines (runtime.NumGoroutine), heap and total
// memory, GC cycles, CPU seconds (total, user code and GC), GOMAXPROCS,
// go_gc_pause_seconds{q} with the 0.5, 0.9, 0.99 and 1 quantiles of the
// stop-the-world GC pauses since the process started (bucket upper bounds
// of the runtime's pause histogram), and process_open_fds where
// /proc/self/fd exists. Calling it twice is harmless.
func (r *Registry) RegisterRuntime() error {
	rt := &runtimeReader{fdDir: "/proc/self/fd"}
	var err error
	for _, s := range runtimeSamples {
		g, err := r.Gauge(Desc{Name: s.name, Help: s.help})
		if err != nil {
			return err
		}
		rt.gauges = append(rt.gauges, g)
		rt.samples = append(rt.samples, metrics.Sample{Name: s.key})
	}
	// runtime/metrics' /sched/goroutines counts the runtime's own
	// goroutines too; go_goroutines is runtime.NumGoroutine, as
	// client_golang reports it.
	if rt.goroutines, err = r.Gauge(Desc{Name: "go_goroutines", Help: "Goroutines that currently exist."}); err != nil {
		return err
	}
	pauses, err := r.GaugeVec(Desc{Name: "go_gc_pause_seconds", Help: "Stop-the-world GC pause quantiles since the process started.", Labels: []string{"q"}})
	if err != nil {
		return err
	}
	rt.pauses = pauses
	rt.samples = append(rt.samples, metrics.Sample{Name: gcPausesKey})
	if _, err := os.Stat(rt.fdDir); err == nil {
		if rt.fds, err = r.Gauge(Desc{Name: "process_open_fds", Help: "Open file descriptors."}); err != nil {
			return err
		}
	}
	r.mu.Lock()
	already := r.runtime
	r.runtime = true
	r.mu.Unlock()
	if !already {
		r.onCollect(rt.read)
	}
	return nil
}

// runtimeReader copies runtime/metrics into gauges.
type runtimeReader struct {
	mu         sync.Mutex
	samples    []metrics.Sample
	gauges     []*Gauge
	goroutines *Gauge
	pauses     *GaugeVec
	fds        *Gauge
	fdDir      string
}

func (rt *runtimeReader) read() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	metrics.Read(rt.samples)
	for i, g := range rt.gauges {
		g.Set(sampleValue(rt.samples[i].Value))
	}
	rt.goroutines.Set(float64(runtime.NumGoroutine()))
	if h := rt.samples[len(rt.gauges)].Value; h.Kind() == metrics.KindFloat64Histogram {
		hist := h.Float64Histogram()
		for _, q := range []struct {
			label string
			q     float64
		}{{"0.5", 0.5}, {"0.9", 0.9}, {"0.99", 0.99}, {"1", 1}} {
			rt.pauses.With(q.label).Set(histQuantile(hist, q.q))
		}
	}
	if rt.fds != nil {
		if ents, err := os.ReadDir(rt.fdDir); err == nil {
			rt.fds.Set(float64(len(ents)))
		}
	}
}

func sampleValue(v metrics.Value) float64 {
	switch v.Kind() {
	case metrics.KindUint64:
		return float64(v.Uint64())
	case metrics.KindFloat64:
		return v.Float64()
	}
	return 0
}

// histQuantile returns the upper bound of the bucket holding the q-th
// share of a runtime histogram's counts (0 when it is empty).
func histQuantile(h *metrics.Float64Histogram, q float64) float64 {
	var total uint64
	for _, c := range h.Counts {
		total += c
	}
	if total == 0 {
		return 0
	}
	rank := uint64(q * float64(total))
	var cum uint64
	for i, c := range h.Counts {
		cum += c
		if cum >= rank && c > 0 {
			b := h.Buckets[i+1]
			if b > 1e300 {
				b = h.Buckets[i]
			}
			return b
		}
	}
	return h.Buckets[len(h.Buckets)-1]
}
