// Package timeseries is o2kit's in-process window store: it keeps the
// newest samples of every metric series in memory and computes window
// functions, trends and anomaly scores over them, for alert rules and
// dashboards that run inside the service.
//
// [New] returns an empty [Store]; a producer (typically the metrics
// registry, once per export tick) calls [Store.Append], and any number of
// readers call [Store.Select] or [Store.Eval] at the same time. Nothing
// runs in the background: call [Store.DropIdle] now and then to forget
// series that stopped reporting.
//
// # Model
//
// A series is a metric name plus a [Labels] set sorted by name. A sample is
// a Unix timestamp in milliseconds and a float64 value. Each series keeps
// at most [WithCapacity] samples (default 720) in a ring that overwrites
// its oldest sample, and the store holds at most [WithMaxSeries] series
// (default 10000): a new series past the cap fails with [ErrSeriesLimit],
// or with [WithEvictOldest] replaces the series that has been silent
// longest. Memory is therefore bounded by about 16 bytes × capacity × cap
// plus labels. Samples of a series must arrive in time order: an older one
// is refused with [ErrOutOfOrder], one at the newest timestamp replaces
// its value.
//
// Appending takes a read lock on the series index and a per-series lock,
// so appends to different series and concurrent reads do not wait for each
// other; only a new series, [Store.DropIdle] and eviction take the index's
// write lock. [Store.Select] copies the selected samples out, so callers
// can keep and modify the result.
//
// # Windows
//
// A window of length d ending at t holds the samples with t-d < T <= t,
// like a Prometheus range selector ([Window] cuts one out of a sorted
// slice). A [WindowFunc] reduces a window to one value: [Sum], [Avg],
// [Min], [Max], [Count], [Last], [StdDev], [Quantile] (linear
// interpolation, Hyndman–Fan definition 7), [Increase], [Rate], [IRate]
// and [Resets] (a drop in a counter is a reset; no extrapolation to the
// window's edges, so Increase reports exactly the growth observed between
// the window's first and last sample), [Slope] and [Forecast]
// (least-squares line, see [LinearFit]) and [AnomalyScore].
// [Store.Eval] applies one to a window of every selected series. When a
// window has no usable sample a WindowFunc reports ok = false rather than
// a made-up value.
//
// # Non-finite values
//
// NaN and ±Inf samples are stored as given and returned by Select, but
// every window function, fit, smoother and detector skips them, as if the
// sample were missing. From finite samples no window function returns NaN;
// sums of values near the float64 limit may overflow to ±Inf.
//
// # Trends and anomalies
//
// [LinearFit] gives slope per second, intercept and R²; [Holt] is Holt's
// double exponential smoothing with a forecast some steps ahead. A
// [Detector] judges a value against the samples before it: [ZScore]
// (rolling mean and standard deviation), [EWMA] (exponentially weighted
// mean and variance) and [MAD] (modified z-score from the median absolute
// deviation). A history without spread does not divide by zero: an equal
// value scores 0 and a different one ±Inf. [Scan] runs a detector along a
// whole series.
package timeseries
