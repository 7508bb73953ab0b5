package alerting

import (
	"strings"
	"sync"

	"github.com/o2kit/o2kit/internal/timeseries"
	"github.com/o2kit/o2kit/metrics"
)

// Snapshotter gives figures by name, as behavior.Tracker.Snapshot does
// (cart abandonment, funnel conversion per step...).
type Snapshotter interface {
	Snapshot() map[string]float64
}

// snapshotSource samples a Snapshotter whenever rules read it.
type snapshotSource struct {
	prefix string
	snap   Snapshotter

	mu    sync.Mutex // guards last and the appends to store
	last  int64      // time of the newest sample taken
	store *timeseries.Store
}

// snapshotKeep is how many samples per figure a SnapshotSource keeps: an
// hour at the default 30 s interval.
const snapshotKeep = 120

// SnapshotSource makes a [Source] of figures such as a behavior tracker's,
// so rules can watch funnel conversion or cart abandonment. Each figure is
// a gauge named prefix followed by its name with every character other
// than letters, digits and "_" turned into "_":
// funnel.checkout.pay.conversion with prefix "shop_" reads as
// shop_funnel_checkout_pay_conversion. The figures are sampled when a rule
// reads the source, at most once per evaluation time, and the last 120
// samples are kept, so range functions such as avg_over_time work.
func SnapshotSource(prefix string, s Snapshotter) Source {
	st, _ := timeseries.New(timeseries.WithCapacity(snapshotKeep), timeseries.WithEvictOldest())
	return &snapshotSource{prefix: prefix, snap: s, store: st, last: -1 << 63}
}

// Select samples the figures at to if no sample that new exists yet, then
// selects from what was kept.
func (s *snapshotSource) Select(name string, from, to int64, ms ...metrics.Matcher) []metrics.Series {
	s.mu.Lock()
	if to > s.last {
		s.last = to
		for k, v := range s.snap.Snapshot() {
			_ = s.store.Append(s.prefix+metricName(k), nil, to, v) // out-of-order or capped samples are left out
		}
	}
	s.mu.Unlock()
	return s.store.Select(name, from, to, ms...)
}

// metricName maps a figure's name to a metric name.
func metricName(k string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, k)
}
