package metrics_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/o2kit/o2kit/internal/o2test"
	"github.com/o2kit/o2kit/logging"
	"github.com/o2kit/o2kit/metrics"
)

func printJSON(v any) {
	out, _ := json.Marshal(v)
	fmt.Println(string(out))
}

// A counter vector and a histogram, exported to OpenObserve: the records
// as the server stores them.
func Example() {
	dev, client := o2test.Example()
	defer dev.Close()
	ctx := context.Background()
	defer client.Shutdown(ctx)

	reg, err := metrics.NewRegistry(client, metrics.WithClock(o2test.Pinned))
	if err != nil {
		log.Fatal(err)
	}
	orders := metrics.Must(reg.CounterVec(metrics.Desc{Name: "orders_total", Help: "Orders placed.", Labels: []string{"status"}}))
	latency := metrics.Must(reg.Histogram(metrics.Desc{Name: "checkout_duration", Unit: "seconds"}, 0.25, 1))
	orders.With("paid").Add(2)
	latency.Observe(0.4)

	if err := reg.Shutdown(ctx); err != nil { // a last collection
		log.Fatal(err)
	}
	if err := client.Flush(ctx); err != nil {
		log.Fatal(err)
	}
	for _, stream := range []string{"orders_total", "checkout_duration_seconds_bucket", "checkout_duration_seconds_count"} {
		for _, rec := range dev.RecordsOf("default", "metrics", stream) {
			delete(rec, "__hash__")
			printJSON(rec)
		}
	}
	// Output:
	// {"__name__":"orders_total","_timestamp":1795599000000000,"status":"paid","value":2}
	// {"__name__":"checkout_duration_seconds_bucket","_timestamp":1795599000000000,"le":"0.25","value":0}
	// {"__name__":"checkout_duration_seconds_bucket","_timestamp":1795599000000000,"le":"1","value":1}
	// {"__name__":"checkout_duration_seconds_bucket","_timestamp":1795599000000000,"le":"+Inf","value":1}
	// {"__name__":"checkout_duration_seconds_count","_timestamp":1795599000000000,"value":1}
}

// The Prometheus text exposition, for teams that also scrape.
func ExampleRegistry_Handler() {
	reg, err := metrics.NewRegistry(nil) // no client: in-process reads only
	if err != nil {
		log.Fatal(err)
	}
	defer reg.Close()
	metrics.Must(reg.Gauge(metrics.Desc{Name: "cart_items", Help: "Items in open carts."})).Set(7)
	metrics.Must(reg.CounterVec(metrics.Desc{Name: "payments_total", Labels: []string{"provider"}})).With("stripe").Inc()

	rec := httptest.NewRecorder()
	reg.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	fmt.Print(rec.Body.String())
	// Output:
	// # HELP cart_items Items in open carts.
	// # TYPE cart_items gauge
	// cart_items 7
	// # TYPE payments_total counter
	// payments_total{provider="stripe"} 1
}

// Window functions over the samples the registry collected: a counter's
// rate and a gauge's trend, as alert rules in the process read them.
func ExampleRegistry_Window() {
	now := o2test.Epoch
	reg, err := metrics.NewRegistry(nil, metrics.WithInterval(-1), metrics.WithClock(func() time.Time { return now }))
	if err != nil {
		log.Fatal(err)
	}
	defer reg.Close()
	ctx := context.Background()
	orders := metrics.Must(reg.CounterVec(metrics.Desc{Name: "orders_total", Labels: []string{"status"}}))
	queue := metrics.Must(reg.Gauge(metrics.Desc{Name: "queue_depth"}))
	for i := range 5 {
		orders.With("paid").Add(30)  // 30 orders a minute
		queue.Set(float64(10 + 6*i)) // 6 more jobs a minute
		_ = reg.Flush(ctx)           // what the export loop does each interval
		now = now.Add(time.Minute)
	}
	end := now.Add(-time.Minute).UnixMilli()
	w := reg.Window()
	for _, p := range w.Eval(metrics.Rate, "orders_total", end, 5*time.Minute, metrics.Equal("status", "paid")) {
		fmt.Printf("%s%s rate: %.2f/s\n", p.Name, p.Labels, p.V)
	}
	for _, p := range w.Eval(metrics.Forecast(10*time.Minute), "queue_depth", end, 5*time.Minute) {
		fmt.Printf("queue_depth in 10m: %.0f\n", p.V)
	}
	// Output:
	// orders_total{status="paid"} rate: 0.50/s
	// queue_depth in 10m: 94
}

// A PromQL range query to OpenObserve, over samples the registry exported,
// sent by the same client with its endpoint and credentials.
func ExampleQueryRange() {
	dev, client := o2test.Example()
	defer dev.Close()
	ctx := context.Background()
	defer client.Shutdown(ctx)

	now := o2test.Epoch.Add(-2 * time.Minute)
	reg, err := metrics.NewRegistry(client, metrics.WithInterval(-1), metrics.WithClock(func() time.Time { return now }))
	if err != nil {
		log.Fatal(err)
	}
	defer reg.Close()
	orders := metrics.Must(reg.Counter(metrics.Desc{Name: "orders_total"}))
	for range 3 {
		orders.Add(10)
		_ = reg.Flush(ctx)
		now = now.Add(time.Minute)
	}
	_ = client.Flush(ctx)

	res, err := metrics.QueryRange(ctx, client, "orders_total", o2test.Epoch.Add(-2*time.Minute), o2test.Epoch, time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range res.Series[0].Samples {
		fmt.Println(time.UnixMilli(s.T).UTC().Format(time.TimeOnly), s.V)
	}
	// Output:
	// 09:28:00 10
	// 09:29:00 20
	// 09:30:00 30
}

// The logging package's level counter is the registry's LogLevels: every
// record the logger handles is counted in log_records_total{level}.
func ExampleRegistry_LogLevels() {
	dev, client := o2test.Example()
	defer dev.Close()
	defer client.Shutdown(context.Background())
	reg, err := metrics.NewRegistry(client)
	if err != nil {
		log.Fatal(err)
	}
	defer reg.Close()

	levels, err := reg.LogLevels()
	if err != nil {
		log.Fatal(err)
	}
	logger := logging.New(client, logging.WithLevelCounter(levels), logging.WithClock(o2test.Pinned))
	logger.Info("order placed")
	logger.Info("order paid")
	logger.Error("payment failed")

	reg.Handler().ServeHTTP(stdout{}, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	// Output:
	// # HELP log_records_total Log records written, by level.
	// # TYPE log_records_total counter
	// log_records_total{level="DEBUG"} 0
	// log_records_total{level="ERROR"} 1
	// log_records_total{level="INFO"} 2
	// log_records_total{level="WARN"} 0
}

// stdout is a ResponseWriter that prints the body.
type stdout struct{}

func (stdout) Header() http.Header         { return http.Header{} }
func (stdout) Write(b []byte) (int, error) { return os.Stdout.Write(b) }
func (stdout) WriteHeader(int)             {}
