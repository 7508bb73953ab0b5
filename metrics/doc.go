// Package metrics is o2kit's metrics registry: counters, gauges,
// histograms and summaries with labels, exported to OpenObserve through
// the shared client, kept in an in-memory window store for alert rules
// and dashboards in the process, and served to Prometheus scrapers.
//
// # Lifecycle
//
// [NewRegistry] takes the shared *o2kit.Client and starts one goroutine,
// the export loop: every 15 s ([WithInterval]) it collects every metric,
// appends the samples to the window store, hands them to the client as
// metrics records (POST /api/{org}/ingest/metrics/_json) and expires idle
// label sets. [Registry.Flush] collects now; [Registry.Shutdown] stops the
// loop after a last collection and must come before the client's own
// Shutdown, which sends what is left.
//
//	reg, err := metrics.NewRegistry(client)
//	orders := metrics.Must(reg.CounterVec(metrics.Desc{
//		Name: "orders_total", Help: "Orders placed.", Labels: []string{"status"}}))
//	orders.With("paid").Inc()
//	defer reg.Shutdown(ctx)
//
// # Instruments
//
// Registering is by [Desc]: a name following the Prometheus rules (and
// already in the lower case OpenObserve stores), help text, a unit
// appended as a suffix, and label names. Registering the same definition
// twice returns the same metric; the same name with another type, label
// set, help, unit or buckets is an [ErrConflict]. [Must] turns the error
// into a panic for start-up code.
//
// Counter.Inc and Add, Gauge.Set and Add, Histogram.Observe and With on
// an existing series take no lock and allocate nothing; vectors find
// their series in a lock-free hash table. Nothing panics on the hot path:
// a negative counter delta, a NaN observation or label values of the
// wrong count are counted in [Stats].Rejected and otherwise ignored. A
// gauge may hold NaN and infinities; the export leaves NaN out (the
// server cannot store it) and clamps infinities to ±MaxFloat64, as the
// server would. Summaries keep a bounded sample per fifth of their window
// ([WithSummaryWindow]).
//
// # Export shape
//
// Each sample is a record {"_timestamp", "__name__", "__type__", labels...,
// "value"}: histograms as name_bucket{le}, name_sum and name_count,
// summaries as name{quantile}, name_sum and name_count, all stamped with
// the collection time. [WithConstLabels] adds labels such as the instance
// to each, which replicas of one service need to keep their series apart.
// [Registry.Handler] serves the same samples in the Prometheus text format
// 0.0.4.
//
// # Cardinality
//
// Each metric keeps at most [WithSeriesLimit] series (default 2000); new
// label sets past it share one overflow series whose labels read
// [OverflowValue]. Label sets unchanged for [WithIdleExpiry] (default 10
// minutes) are removed. [Registry.Cardinality] lists the metrics and
// labels with the most series.
//
// # Window store, trends and anomalies
//
// [Registry.Window] returns the [Store] of the last samples of every
// series, appended at each collection. Its series cap ([WithWindowSeries])
// is sized by default from the series limit, with room for 16 metrics at
// their limit; past it new series are left out rather than evicting live
// ones, and samples the store refuses (past the cap, or older than their
// series' newest after the clock stepped back) are counted in
// [Stats].WindowRejected and reported to the error handler once per
// collection. [Store.Eval] applies a
// [WindowFunc] over a duration to the series selected by name and
// [Matcher]s ([Equal], [NotEqual], [Regexp], [NotRegexp]): [Sum], [Avg],
// [Min], [Max], [Count], [Last], [StdDev], [Rate], [IRate], [Increase] and
// [Resets] (counter resets handled), [Quantile], the trends [Slope],
// [Forecast] and [HoltForecast], and [AnomalyScore] with the [ZScore],
// [EWMA] and [MAD] detectors. [Store.Select] returns the samples
// themselves (Unix milliseconds, float64 values); it is what the alerting
// package reads, and [Window] cuts a window out of them.
//
// # Presets
//
// [Registry.LogLevels] is how the logging package's logging.LevelCounter
// is obtained: it registers log_records_total{level} and returns the
// [*LogLevels] that counts into it, which logging.WithLevelCounter takes,
// so an alert rule can watch the ERROR rate:
//
//	levels, err := reg.LogLevels()
//	logger := logging.New(client, logging.WithLevelCounter(levels))
//
// [Registry.RegisterRuntime] adds runtime/metrics and process metrics;
// [Registry.HTTPMetrics] is RED middleware; [Registry.ActiveUsers] counts
// distinct users per window in bounded memory; [Registry.Shop] has the
// e-commerce ratios (conversion, order throughput, payment success by
// provider, inventory turnover).
//
// # Read side
//
// [Query], [QueryRange] and [QuerySeries] ask OpenObserve's PromQL API
// through the shared client ([o2kit.Client.API]), so they use its
// endpoints, credentials, TLS, retries and failover; the server's error
// envelopes come back as a [*QueryError].
// [Registry.API] serves POST /api/metrics (samples from other services),
// GET /api/metrics/query and GET /api/metrics/series over the window
// store, or, given PromQL (query, match[]), over what OpenObserve holds,
// through the registry's client.
package metrics
