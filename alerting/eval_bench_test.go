package alerting

import (
	"fmt"
	"testing"
	"time"

	"github.com/o2kit/o2kit/metrics"
)

// benchServices is how many services the benchmark's series and rules
// are spread over.
const benchServices = 100

// benchRegistry fills a registry's window store with 10,000 series, 41
// samples each, every 15 s for the 10 minutes up to evalT0: per service,
// 25 temperature gauges, 25 request counters (5 instances by 5 codes), 25
// latency histogram buckets (5 instances by 5 bounds) and 25 queue depth
// gauges.
func benchRegistry(b *testing.B) *metrics.Registry {
	reg, err := metrics.NewRegistry(nil, metrics.WithInterval(-1), metrics.WithWindowSeries(20_000), metrics.WithWindowSize(64))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = reg.Close() })
	st := reg.Window()
	add := func(name string, ls metrics.Labels, v func(i int) float64) {
		for i := range 41 {
			t := evalT0.Add(time.Duration(i-40) * 15 * time.Second).UnixMilli()
			if err := st.Append(name, ls, t, v(i)); err != nil {
				b.Fatal(err)
			}
		}
	}
	les := []string{"0.1", "0.25", "0.5", "1", "+Inf"}
	for s := range benchServices {
		svc := fmt.Sprintf("s%03d", s)
		for n := range 25 {
			inst := fmt.Sprintf("i%02d", n)
			ls := metrics.Labels{{Name: "instance", Value: inst}, {Name: "svc", Value: svc}}
			temp := float64(60 + (s+n)%30)
			add("node_temperature_celsius", ls, func(int) float64 { return temp })
			add("queue_depth", metrics.Labels{{Name: "queue", Value: inst}, {Name: "svc", Value: svc}}, func(i int) float64 { return float64(i * n) })
			code := []string{"200", "201", "404", "500", "503"}[n%5]
			cls := metrics.Labels{{Name: "code", Value: code}, {Name: "instance", Value: inst[:2] + fmt.Sprint(n/5)}, {Name: "svc", Value: svc}}
			add("http_requests_total", cls, func(i int) float64 { return float64(i * (n + s%7) * 15) })
			bls := metrics.Labels{{Name: "instance", Value: cls[1].Value}, {Name: "le", Value: les[n%5]}, {Name: "svc", Value: svc}}
			add("http_request_duration_seconds_bucket", bls, func(i int) float64 { return float64(i * (n%5 + 1) * 15) })
		}
	}
	return reg
}

// benchGroups returns 1,000 rules in 10 groups of 100: per service, a
// threshold on a gauge, a rate over counters, a sum by over a rate and a
// histogram_quantile, with a templated annotation, and their repeats
// with other thresholds.
func benchGroups() []Group {
	var groups []Group
	for g := range 10 {
		grp := Group{Name: fmt.Sprintf("g%d", g)}
		for r := range 100 {
			i := g*100 + r
			svc := fmt.Sprintf("s%03d", i/4%benchServices)
			var expr string
			switch i % 4 {
			case 0:
				expr = fmt.Sprintf(`node_temperature_celsius{svc=%q} > %d`, svc, 80+i/400)
			case 1:
				expr = fmt.Sprintf(`rate(http_requests_total{svc=%q,code=~"5.."}[5m]) > %d`, svc, 10+i/400)
			case 2:
				expr = fmt.Sprintf(`sum by (instance) (rate(http_requests_total{svc=%q}[5m])) > %d`, svc, 100+i/400)
			case 3:
				expr = fmt.Sprintf(`histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{svc=%q}[5m]))) > 0.%d`, svc, 5+i/400)
			}
			grp.Rules = append(grp.Rules, Rule{
				ID: fmt.Sprintf("r%d", i), Name: fmt.Sprintf("Rule%d", i%4), Expr: expr, For: time.Minute,
				Annotations: map[string]string{"summary": "{{ $labels.svc }} at {{ $value | humanize }}"},
			})
		}
		groups = append(groups, grp)
	}
	return groups
}

// BenchmarkEval1000Rules10000Series evaluates 1,000 rules over 10,000
// series at one timestamp: the cost of one evaluation round of every
// group, state updates included, in steady state.
func BenchmarkEval1000Rules10000Series(b *testing.B) {
	reg := benchRegistry(b)
	e := newEvaluator(evalConfig{Sources: []Source{reg}})
	b.Cleanup(func() { _ = e.close() })
	var groups []*groupEval
	for _, g := range benchGroups() {
		ge, err := e.compile(g)
		if err != nil {
			b.Fatal(err)
		}
		groups = append(groups, ge)
	}
	alerts := 0
	for _, g := range groups { // the first round creates the alerts
		res := g.eval(bg, evalT0)
		if len(res.Errors) > 0 {
			b.Fatal(res.Errors[0])
		}
		alerts += len(res.Alerts)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, cpuOK := benchCPU()
	for b.Loop() {
		for _, g := range groups {
			g.eval(bg, evalT0)
		}
	}
	if cpu1, ok := benchCPU(); ok && cpuOK {
		b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/rule")
	b.ReportMetric(float64(alerts), "alerts")
}
