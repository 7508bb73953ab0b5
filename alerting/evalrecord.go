package alerting

import (
	"math"
	"slices"
	"sync"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"

	"github.com/o2kit/o2kit/metrics"
)

// evalOverlayPoints is how many samples the overlay keeps per recorded
// series: at a 15 s interval, 16 minutes, enough for the lookback and for
// range queries such as rate(x[5m]) over a recorded series.
const evalOverlayPoints = 64

// evalOverlay keeps the results of recording rules as series that later
// rules read at the times they were recorded. It is a [Source], merged
// with the configured ones; it is safe for concurrent use.
type evalOverlay struct {
	mu     sync.RWMutex
	series map[uint64]*evalOverlaySeries // by hash of name and labels; guarded by mu
}

type evalOverlaySeries struct {
	name    string
	labels  metrics.Labels
	samples []metrics.Sample // oldest first, at most evalOverlayPoints
}

func newEvalOverlay() *evalOverlay {
	return &evalOverlay{series: map[uint64]*evalOverlaySeries{}}
}

// add records v at t for the series lset (whose __name__ is the recorded
// name) under the key h. A sample not newer than the series' last is
// dropped, but one at the same time replaces it, so evaluating twice at
// one time is harmless.
func (o *evalOverlay) add(h uint64, lset labels.Labels, t int64, v float64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := o.series[h]
	if s == nil {
		s = &evalOverlaySeries{name: lset.Get(labels.MetricName), labels: evalToMetricsLabels(lset)}
		o.series[h] = s
	}
	if n := len(s.samples); n > 0 {
		switch last := s.samples[n-1].T; {
		case t < last:
			return
		case t == last:
			s.samples[n-1].V = v
			return
		}
	}
	if len(s.samples) == evalOverlayPoints {
		copy(s.samples, s.samples[1:])
		s.samples = s.samples[:evalOverlayPoints-1]
	}
	s.samples = append(s.samples, metrics.Sample{T: t, V: v})
}

// markStale ends the series h at t with Prometheus' staleness marker, so
// queries stop seeing it at once instead of for the lookback, as
// Prometheus does for a series a recording rule no longer returns.
func (o *evalOverlay) markStale(h uint64, t int64) {
	o.mu.RLock()
	s := o.series[h]
	o.mu.RUnlock()
	if s != nil {
		o.add(h, labels.EmptyLabels(), t, math.Float64frombits(value.StaleNaN))
	}
}

// prune forgets the series whose last sample is older than before.
func (o *evalOverlay) prune(before int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for h, s := range o.series {
		if n := len(s.samples); n == 0 || s.samples[n-1].T < before {
			delete(o.series, h)
		}
	}
}

// Select implements [Source].
func (o *evalOverlay) Select(name string, from, to int64, ms ...metrics.Matcher) []metrics.Series {
	o.mu.RLock()
	defer o.mu.RUnlock()
	var out []metrics.Series
	for _, s := range o.series {
		if (name != "" && s.name != name) || !evalMatchAll(s.labels, ms) {
			continue
		}
		var smp []metrics.Sample
		for _, x := range s.samples {
			if x.T >= from && x.T <= to {
				smp = append(smp, x)
			}
		}
		if len(smp) > 0 {
			out = append(out, metrics.Series{Name: s.name, Labels: slices.Clone(s.labels), Samples: smp})
		}
	}
	return out
}

func evalMatchAll(ls metrics.Labels, ms []metrics.Matcher) bool {
	for _, m := range ms {
		if !m.Matches(ls) {
			return false
		}
	}
	return true
}

// evalToMetricsLabels converts a Prometheus label set, without __name__.
func evalToMetricsLabels(lset labels.Labels) metrics.Labels {
	out := make(metrics.Labels, 0, lset.Len())
	lset.Range(func(l labels.Label) {
		if l.Name != labels.MetricName {
			out = append(out, metrics.Label{Name: l.Name, Value: l.Value})
		}
	})
	return out
}
