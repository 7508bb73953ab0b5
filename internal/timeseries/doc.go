// Package timeseries is o2kit's in-process window store: it keeps the
// newest samples of every metric series in memory and computes window
// functions, trends and anomaly scores over them, for alert rules and
// dashboards that run inside the service.
//
// [New] returns an empty [Store]; a producer (typically the metrics
// registry, once per export tick) calls [Store.Append], and any number of
// readers call [Store.Select] or [Store.Eval] at the same time. Nothing
// runs in the background and there is nothing to close: call
// [Store.DropIdle] now and then to forget series that stopped reporting.
//
//	st, _ := timeseries.New(timeseries.WithCapacity(240))
//	_ = st.Append("http_requests_total", labels, now.UnixMilli(), count)
//	rates := st.Eval(timeseries.Rate, "http_requests_total", now.UnixMilli(), 5*time.Minute)
//
// # Model
//
// A series is a metric name plus a [Labels] set sorted by name. A sample is
// a Unix timestamp in milliseconds and a float64 value. Each series keeps
// at most [WithCapacity] samples (default 720) in a ring that overwrites
// its oldest sample, and the store holds at most [WithMaxSeries] series
// (default 10000): a new series past the cap fails with [ErrSeriesLimit],
// or with [WithEvictOldest] replaces (approximately) the series that has
// been silent longest. Samples of a series must arrive in time order: an older one is
// refused with [ErrOutOfOrder], one at the newest timestamp replaces its
// value.
//
// # Memory
//
// A series' ring starts small and doubles up to its capacity, so its
// samples take at most 16 bytes × capacity, about 11 KiB at the default
// 720, plus about 330 bytes for bookkeeping and three short labels
// (measured). At the default caps a full store takes about 120 MiB; 2,000
// series of 240 samples take about 8.4 MiB.
//
// # Concurrency
//
// Appending takes a read lock on the series index and a per-series lock,
// so appends to different series and concurrent reads do not wait for each
// other, and appending to an existing series does not allocate. Only a new
// series, [Store.DropIdle] and eviction take the index's write lock.
// Queries keep each metric's series sorted between changes, so a query in
// steady state sorts nothing; [Store.Select] copies the selected samples
// out, so callers can keep and modify the result, and [Store.Eval] runs
// its window function with no store lock held.
//
// # Windows
//
// A window of length d ending at t holds the samples with t-d < T <= t,
// like a Prometheus range selector ([Window] cuts one out of a sorted
// slice). A [WindowFunc] reduces a window to one value: [Sum], [Avg],
// [Min], [Max], [Count], [Last], [StdDev], [Quantile] (linear
// interpolation, Hyndman–Fan definition 7), [Increase], [Rate], [IRate]
// and [Resets], [Slope] and [Forecast] (least-squares line, see
// [LinearFit]) and [AnomalyScore]. [Store.Eval] applies one to a window of
// every selected series. When a window has no usable sample a WindowFunc
// reports ok = false rather than a made-up value. The tests check each
// function that has a PromQL counterpart against Prometheus' own engine on
// the same samples.
//
// # Counters
//
// In a counter any drop in value is a reset: the counter restarted from
// zero, so the whole post-reset value counts as growth, as in Prometheus.
// Unlike Prometheus, [Increase] does not extrapolate: it reports exactly
// the growth observed between the window's first and last sample, which is
// an integer for an integer counter and never more than the true growth.
// Prometheus' increase() scales that figure by window length over covered
// span (300/285 for a 5-minute window sampled every 15 s). [Rate] divides
// the observed growth by the covered span and so matches rate() whenever
// the samples reach both edges of the window.
//
// # Non-finite values
//
// NaN and ±Inf samples are stored as given and returned by Select, but
// every window function, fit, smoother and detector skips them, as if the
// sample were missing (Prometheus would propagate a NaN into the result).
// From finite samples no window function returns NaN; sums of values near
// the float64 limit may overflow to ±Inf.
//
// # Trends and anomalies
//
// [LinearFit] gives slope per second, intercept and R²; [Holt] is Holt's
// double exponential smoothing with a forecast some steps ahead. A
// [Detector] judges a value against the samples before it, the value
// itself excluded: [ZScore] (rolling mean and sample standard deviation),
// [EWMA] (exponentially weighted mean and variance, which follows drift)
// and [MAD] (modified z-score from the median absolute deviation, which a
// spike in the history does not inflate). A history without spread does
// not divide by zero: an equal value scores 0 and a different one ±Inf,
// and no score is ever NaN. [Scan] runs a detector along a whole series.
//
// On Gaussian noise with a 60-sample history and default settings the
// tests measure false-positive rates of about 0.4% for ZScore, 0.2% for
// MAD and 1% for EWMA, whose short memory makes its variance estimate
// noisier; raise its threshold or lower its alpha where that matters.
package timeseries
