package timeseries_test

import (
	"fmt"
	"time"

	"github.com/o2kit/o2kit/internal/timeseries"
)

// A store fed once per tick answers window queries: here a counter of
// orders, sampled every 15 s, with a restart at 45 s.
func Example() {
	st, err := timeseries.New(timeseries.WithCapacity(240))
	if err != nil {
		panic(err)
	}
	card, _ := timeseries.FromStrings("provider", "card")
	for i, v := range []float64{100, 130, 160, 12, 42} { // restart after 30 s
		_ = st.Append("orders_total", card, int64(i)*15_000, v)
	}
	end := int64(60_000)
	for _, p := range st.Eval(timeseries.Increase, "orders_total", end, time.Minute) {
		fmt.Printf("increase%v = %v\n", p.Labels, p.V)
	}
	for _, p := range st.Eval(timeseries.Rate, "orders_total", end, time.Minute) {
		fmt.Printf("rate%v = %.2f/s\n", p.Labels, p.V)
	}
	// Output:
	// increase{provider="card"} = 72
	// rate{provider="card"} = 1.60/s
}

// Window functions also work on plain sample slices.
func ExampleQuantile() {
	s := []timeseries.Sample{{T: 0, V: 120}, {T: 1000, V: 80}, {T: 2000, V: 300}, {T: 3000, V: 95}}
	p90, _ := timeseries.Quantile(0.9)(s)
	avg, _ := timeseries.Avg(s)
	fmt.Printf("p90 %.1f ms, avg %.2f ms\n", p90, avg)
	// Output: p90 246.0 ms, avg 148.75 ms
}

// A least-squares line through disk usage forecasts when it fills up.
func ExampleLinearFit() {
	var s []timeseries.Sample
	for m := range int64(10) {
		s = append(s, timeseries.Sample{T: m * 60_000, V: 50 + 0.5*float64(m)}) // +0.5 GiB a minute
	}
	fit, _ := timeseries.LinearFit(s)
	fmt.Printf("slope %.4f GiB/s, R² %.2f\n", fit.Slope, fit.R2)
	fmt.Printf("in an hour: %.1f GiB\n", fit.At(s[len(s)-1].T+time.Hour.Milliseconds()))
	// Output:
	// slope 0.0083 GiB/s, R² 1.00
	// in an hour: 84.5 GiB
}

// Scan runs a detector along a series: the jump at the end stands out
// from a minute of steady latencies.
func ExampleScan() {
	var s []timeseries.Sample
	for i := range int64(30) {
		s = append(s, timeseries.Sample{T: i * 2000, V: 100 + float64(i%3)})
	}
	s = append(s, timeseries.Sample{T: 60_000, V: 180})
	v := timeseries.Scan(timeseries.MAD{}, s, time.Minute)
	last := v[len(v)-1]
	fmt.Printf("score %.1f anomalous %v\n", last.Score, last.Anomalous)
	// Output: score 53.3 anomalous true
}

// Select picks series by name and label matchers and copies their samples
// out; the result is the caller's to keep.
func ExampleStore_Select() {
	st, _ := timeseries.New()
	for _, code := range []string{"200", "404", "500", "503"} {
		ls, _ := timeseries.FromStrings("code", code, "route", "/checkout")
		_ = st.Append("http_requests_total", ls, 1_000, 1)
		_ = st.Append("http_requests_total", ls, 2_000, 2)
	}
	server, _ := timeseries.Regexp("code", "5..")
	for _, s := range st.Select("http_requests_total", 0, 2_000, server) {
		fmt.Println(s.Labels, s.Samples)
	}
	fmt.Println(st.Len(), "series")
	// Output:
	// {code="500", route="/checkout"} [{1000 1} {2000 2}]
	// {code="503", route="/checkout"} [{1000 1} {2000 2}]
	// 4 series
}

// Holt's smoothing tracks a level and a trend one value at a time and
// forecasts some steps ahead.
func ExampleHolt() {
	h, _ := timeseries.NewHolt(0.5, 0.3)
	for _, v := range []float64{10, 12, 14, 15, 18, 20} { // queue depth per tick
		h.Update(v)
	}
	f, _ := h.Forecast(3)
	fmt.Printf("level %.2f trend %.2f/tick, in 3 ticks %.1f\n", h.Level(), h.Trend(), f)
	// Output: level 19.81 trend 2.00/tick, in 3 ticks 25.8
}

// An alert rule in the process: score each series' newest sample against
// its last minute and fire above the detector's threshold.
func ExampleAnomalyScore() {
	st, _ := timeseries.New()
	for _, provider := range []string{"card", "wallet"} {
		ls, _ := timeseries.FromStrings("provider", provider)
		for i := range int64(12) {
			ms := 80 + float64(i%3) // steady payment latency
			if provider == "wallet" && i == 11 {
				ms = 400 // the newest sample jumps
			}
			_ = st.Append("payment_latency_ms", ls, i*5_000, ms)
		}
	}
	score := timeseries.AnomalyScore(timeseries.MAD{})
	for _, p := range st.Eval(score, "payment_latency_ms", 55_000, time.Minute) {
		fmt.Printf("%v score %.1f firing %v\n", p.Labels, p.V, p.V > timeseries.DefaultMADThreshold)
	}
	// Output:
	// {provider="card"} score 0.7 firing false
	// {provider="wallet"} score 215.2 firing true
}
