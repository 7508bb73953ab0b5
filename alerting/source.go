package alerting

import "github.com/o2kit/o2kit/metrics"

// Source is a store of metric samples that PromQL rules read: the
// in-process window store of a [metrics.Registry], a [metrics.Store], or
// any store that can answer the same selection. Both *metrics.Registry and
// *metrics.Store implement it.
//
// Select returns the samples with from <= T <= to (Unix milliseconds, both
// ends included) of every series called name whose labels satisfy all
// matchers; name "" selects every metric name. Series without a sample in
// the range are left out. The caller owns the returned slices and may
// modify them. Select is called concurrently, from every rule group being
// evaluated, and must not block for long: a slow Source makes every rule
// that reads it slow.
type Source interface {
	Select(name string, from, to int64, ms ...metrics.Matcher) []metrics.Series
}

var (
	_ Source = (*metrics.Registry)(nil)
	_ Source = (*metrics.Store)(nil)
)
