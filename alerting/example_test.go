package alerting_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/o2kit/o2kit/alerting"
	"github.com/o2kit/o2kit/internal/o2test"
	"github.com/o2kit/o2kit/metrics"
)

// A rule over the metrics registry goes pending when the queue passes its
// threshold and fires once it has stayed there for its "for" duration.
func Example() {
	ctx := context.Background()
	srv, client := o2test.Example()
	defer srv.Close()
	defer client.Shutdown(ctx)

	now := o2test.Epoch
	clock := func() time.Time { return now }
	reg, err := metrics.NewRegistry(client, metrics.WithClock(clock))
	if err != nil {
		panic(err)
	}
	defer reg.Shutdown(ctx)
	depth := metrics.Must(reg.GaugeVec(metrics.Desc{Name: "queue_depth", Help: "Jobs waiting.", Labels: []string{"queue"}}))

	rules, err := alerting.ParseRules([]byte(`
groups:
  - name: shop
    rules:
      - alert: QueueBacklog
        expr: queue_depth > 100
        for: 2m
        severity: high
        annotations:
          summary: "{{ $labels.queue }} holds {{ $value }} jobs"
`), "alerts.yaml")
	if err != nil {
		panic(err)
	}
	engine, err := alerting.NewEngine(client, alerting.WithMetrics(reg), alerting.WithGroups(rules...), alerting.WithClock(clock))
	if err != nil {
		panic(err)
	}
	defer engine.Shutdown(ctx)

	for _, n := range []float64{40, 250, 260, 270} {
		depth.With("orders").Set(n)
		_ = reg.Flush(ctx) // a collection, as the registry's own loop makes
		_ = engine.Evaluate(ctx)
		for _, a := range engine.Alerts(alerting.AlertFilter{}) {
			fmt.Println(now.Format("15:04"), a.Name(), a.Severity(), a.State, "-", a.Annotations["summary"])
		}
		now = now.Add(time.Minute)
	}
	// Output:
	// 09:31 QueueBacklog high pending - orders holds 250 jobs
	// 09:32 QueueBacklog high pending - orders holds 260 jobs
	// 09:33 QueueBacklog high firing - orders holds 270 jobs
}

// The HTTP API acknowledges a firing alert, stopping its repeats and
// escalation until it resolves.
func ExampleEngine_Handler() {
	ctx := context.Background()
	srv, client := o2test.Example()
	defer srv.Close()
	defer client.Shutdown(ctx)
	engine, err := alerting.NewEngine(client, alerting.WithClock(o2test.Pinned),
		alerting.WithGroups(alerting.Group{Name: "shop", Rules: []alerting.Rule{{Name: "Always", Expr: "vector(1)"}}}))
	if err != nil {
		panic(err)
	}
	defer engine.Shutdown(ctx)
	_ = engine.Evaluate(ctx)

	mux := http.NewServeMux()
	mux.Handle("/api/alerts", engine.Handler())
	mux.Handle("/api/alerts/", engine.Handler())
	id := engine.Alerts(alerting.AlertFilter{})[0].ID

	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/api/alerts/"+id+"/ack", strings.NewReader(`{"by":"dana","comment":"rolling back"}`))
	req.Header.Set("Content-Type", "application/json")
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code)

	a := engine.Alerts(alerting.AlertFilter{States: []alerting.State{alerting.StateFiring}})[0]
	fmt.Println(a.Ack.By, a.Ack.Comment, a.Ack.At.Format(time.RFC3339))
	// Output:
	// 200
	// dana rolling back 2026-11-25T09:30:00Z
}
