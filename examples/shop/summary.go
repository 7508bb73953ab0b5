package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/logging"
	"github.com/o2kit/o2kit/metrics"
)

// summarize prints what the simulation did and what landed in
// OpenObserve, read back through each package's read side. since bounds
// the searches.
func summarize(ctx context.Context, out io.Writer, obs *observability, sim *simulation, since time.Time) error {
	until := time.Now().Add(time.Second)
	fmt.Fprintf(out, "simulated %d visitors: %d requests, status %s\n", sim.visitors, sim.requests, statusLine(sim.statuses))
	fmt.Fprintf(out, "  (on purpose: 402 for the declined test card, 503 for the warehouse that is down)\n")
	printStreams(out, obs.client.Stats())
	steps := []func(context.Context, io.Writer, *observability, time.Time, time.Time) error{
		printLogs, printFunnel, printMetrics, printTraces, printAlerts,
	}
	for _, step := range steps {
		if err := step(ctx, out, obs, since, until); err != nil {
			return err
		}
	}
	printProcessors(out, obs.client.Stats())
	return nil
}

func statusLine(statuses map[int]int) string {
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(statuses)) {
		parts = append(parts, fmt.Sprintf("%d×%d", code, statuses[code]))
	}
	return strings.Join(parts, " ")
}

// printStreams prints the records the client sent, per stream; metrics
// samples are counted under "metrics:" and spans under "traces:".
func printStreams(out io.Writer, st o2kit.Stats) {
	fmt.Fprintf(out, "client sent %d record(s) in %d request(s); dropped %d, failed %d\n",
		st.Sent, st.Requests, st.Dropped, st.Failed+st.PartialFailures)
	for _, name := range st.StreamNames() {
		fmt.Fprintf(out, "  %-18s %d\n", name, st.Streams[name].Sent)
	}
}

// printLogs searches the declined payments and counts the logs by level.
func printLogs(ctx context.Context, out io.Writer, obs *observability, since, until time.Time) error {
	declined, err := logging.Search(ctx, obs.client, logging.Query{Level: "warn", Text: "declined", Start: since, End: until})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "log search level=WARN text~declined: %d line(s)\n", len(declined))
	confirmations, err := logging.Search(ctx, obs.client, logging.Query{Text: "confirmation sent", Start: since, End: until})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "log search text~%q: %d line(s)", "confirmation sent", len(confirmations))
	if len(confirmations) > 0 {
		fmt.Fprintf(out, ", e.g. %q", confirmations[0].Message) // the address masked
	}
	fmt.Fprintln(out)
	buckets, err := logging.Stats(ctx, obs.client, logging.StatsQuery{Interval: "1 hour", Start: since, End: until})
	if err != nil {
		return err
	}
	byLevel := map[string]int64{}
	for _, b := range buckets {
		byLevel[b.Level] += b.Count
	}
	var parts []string
	for _, level := range slices.Sorted(maps.Keys(byLevel)) {
		parts = append(parts, fmt.Sprintf("%s %d", level, byLevel[level]))
	}
	fmt.Fprintf(out, "log stats by level: %s\n", strings.Join(parts, ", "))
	return nil
}

// printFunnel prints the checkout funnel computed by SQL on the server,
// beside the tracker's in-process count.
func printFunnel(ctx context.Context, out io.Writer, obs *observability, since, until time.Time) error {
	server, err := obs.tracker.FunnelReport(ctx, checkoutFunnel, since, until)
	if err != nil {
		return err
	}
	local, _ := obs.tracker.Funnel(checkoutFunnel.Name)
	fmt.Fprintf(out, "funnel %s (server; in-process):\n", server.Name)
	for i, s := range server.Steps {
		fmt.Fprintf(out, "  %-16s %3d sessions; %3d  %3.0f%%\n", s.Name, s.Sessions, local.Steps[i].Sessions, 100*s.Conversion)
	}
	return nil
}

// printMetrics asks OpenObserve's PromQL API for the requests by status.
func printMetrics(ctx context.Context, out io.Writer, obs *observability, _, _ time.Time) error {
	res, err := metrics.Query(ctx, obs.client, "sum by (code) (http_server_requests_total)", time.Time{})
	if err != nil {
		return err
	}
	byCode := map[string]float64{}
	for _, s := range res.Series {
		if len(s.Samples) > 0 {
			byCode[s.Metric["code"]] = s.Samples[len(s.Samples)-1].V
		}
	}
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(byCode)) {
		parts = append(parts, fmt.Sprintf("%s×%.0f", code, byCode[code]))
	}
	fmt.Fprintf(out, "promql sum by (code) (http_server_requests_total): %s\n", strings.Join(parts, " "))
	return nil
}

// printTraces counts the traces and spans stored.
func printTraces(ctx context.Context, out io.Writer, obs *observability, since, until time.Time) error {
	table := o2kit.StreamName(obs.client.Streams().Traces)
	type counts struct {
		Traces int64 `json:"traces"`
		Spans  int64 `json:"spans"`
		Errors int64 `json:"errors"`
	}
	rows, _, err := o2kit.SearchAs[counts](ctx, obs.client, o2kit.SearchRequest{
		SQL: "SELECT COUNT(DISTINCT trace_id) AS traces, COUNT(*) AS spans, " +
			"SUM(CASE WHEN span_status = 'ERROR' THEN 1 ELSE 0 END) AS errors FROM " + table,
		Start: since, End: until, Type: "traces",
	})
	if err != nil {
		return err
	}
	if len(rows) == 1 {
		fmt.Fprintf(out, "traces: %d traces, %d spans, %d with an error status\n", rows[0].Traces, rows[0].Spans, rows[0].Errors)
	}
	return nil
}

// printProcessors prints the pipeline processors' counters.
func printProcessors(out io.Writer, st o2kit.Stats) {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(st.Processors)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, st.Processors[k]))
	}
	fmt.Fprintf(out, "processors: %s\n", strings.Join(parts, " "))
}
