package metrics_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/o2kit/o2kit/internal/o2test"
	"github.com/o2kit/o2kit/metrics"
)

// Samples pushed by another service, then read back through the query
// endpoint, the way a dashboard in the process would.
func ExampleRegistry_API() {
	reg, err := metrics.NewRegistry(nil, metrics.WithClock(o2test.Pinned))
	if err != nil {
		log.Fatal(err)
	}
	defer reg.Close()
	api := reg.API() // mount it: mux.Handle("/api/metrics/", api)

	base := o2test.Epoch.Add(-2 * time.Minute).UnixMilli()
	body := fmt.Sprintf(`[
	  {"__name__":"mail_sent_total","__type__":"counter","queue":"mail","value":100,"_timestamp":%d},
	  {"__name__":"mail_sent_total","__type__":"counter","queue":"mail","value":160,"_timestamp":%d},
	  {"__name__":"mail_sent_total","__type__":"counter","queue":"mail","value":220,"_timestamp":%d}]`,
		base, base+60_000, base+120_000)
	for _, req := range []*http.Request{
		httptest.NewRequest(http.MethodPost, "/api/metrics", strings.NewReader(body)),
		httptest.NewRequest(http.MethodGet, `/api/metrics/query?name=mail_sent_total&fn=rate&window=5m&match=queue="mail"`, nil),
	} {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		fmt.Print(rec.Code, " ", rec.Body.String())
	}
	// Output:
	// 200 {"accepted":3,"rejected":0}
	// 200 {"fn":"rate","window":"5m0s","end":1795599000000,"result":[{"name":"mail_sent_total","labels":{"queue":"mail"},"value":1}]}
}

// RED metrics for an HTTP server, labelled by the mux's route pattern.
func ExampleRegistry_HTTPMetrics() {
	reg, err := metrics.NewRegistry(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer reg.Close()
	red := metrics.Must(reg.HTTPMetrics())
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, r.PathValue("id")) })
	handler := red.Middleware(mux)

	for _, path := range []string{"/orders/1", "/orders/2", "/nowhere"} {
		handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	for _, c := range reg.Cardinality(1) {
		fmt.Println(c.Name, c.Series, "series")
	}
	rec := httptest.NewRecorder()
	reg.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if strings.HasPrefix(line, "http_server_requests_total{") {
			fmt.Println(line)
		}
	}
	// Output:
	// http_server_request_duration_seconds 2 series
	// http_server_requests_total{method="GET",route="GET /orders/{id}",code="200"} 2
	// http_server_requests_total{method="GET",route="unmatched",code="404"} 1
}
