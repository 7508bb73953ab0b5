package metrics

import (
	"fmt"
	"hash/maphash"
	"sync"
	"time"

	"github.com/axiomhq/hyperloglog"
)

// subWindows is how many HyperLogLog sketches each active-user window
// slides through.
const subWindows = 6

// ActiveUsers counts distinct users per sliding window (active_users
// {window="5m"} and so on), in bounded memory: each window keeps six
// HyperLogLog sketches (precision 14, about 0.8% standard error, at most
// 16 KiB each) whatever the number of users. Seen is safe for concurrent
// use.
type ActiveUsers struct {
	now   func() time.Time
	seed  maphash.Seed
	gauge *GaugeVec

	mu      sync.Mutex // guards windows
	windows []*userWindow
}

type userWindow struct {
	label    string
	span     time.Duration // one sketch's share of the window
	sketches [subWindows]*hyperloglog.Sketch
	head     int
	start    time.Time
}

// ActiveUsers registers active_users{window} for the given windows
// (default 5 minutes, 1 hour and 24 hours), each at least a second. The
// gauges are refreshed at each collection.
func (r *Registry) ActiveUsers(windows ...time.Duration) (*ActiveUsers, error) {
	if len(windows) == 0 {
		windows = []time.Duration{5 * time.Minute, time.Hour, 24 * time.Hour}
	}
	for _, w := range windows {
		if w < time.Second {
			return nil, fmt.Errorf("metrics: active users window %s: want at least 1s", w)
		}
	}
	g, err := r.GaugeVec(Desc{Name: "active_users", Help: "Distinct users seen in the window (HyperLogLog estimate).", Labels: []string{"window"}})
	if err != nil {
		return nil, err
	}
	a := &ActiveUsers{now: r.cfg.now, seed: maphash.MakeSeed(), gauge: g}
	for _, w := range windows {
		uw := &userWindow{label: durationLabel(w), span: w / subWindows, start: a.now()}
		for i := range uw.sketches {
			uw.sketches[i] = hyperloglog.New14()
		}
		a.windows = append(a.windows, uw)
	}
	r.onCollect(a.update)
	return a, nil
}

// Seen records activity of the user with this id (any stable string).
func (a *ActiveUsers) Seen(userID string) {
	h := maphash.String(a.seed, userID)
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, w := range a.windows {
		w.slide(now)
		w.sketches[w.head].InsertHash(h)
	}
}

// Count returns the estimated number of distinct users in the window of
// index i (in the order given to [Registry.ActiveUsers]); 0 when there is
// no window i.
func (a *ActiveUsers) Count(i int) uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	if i < 0 || i >= len(a.windows) {
		return 0
	}
	w := a.windows[i]
	w.slide(a.now())
	return w.estimate()
}

func (a *ActiveUsers) update() {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	for _, w := range a.windows {
		w.slide(now)
		a.gauge.With(w.label).Set(float64(w.estimate()))
	}
}

// slide starts new sketches for the spans that passed.
func (w *userWindow) slide(now time.Time) {
	for i := 0; now.Sub(w.start) >= w.span; i++ {
		if i >= subWindows {
			w.start = now
			return
		}
		w.head = (w.head + 1) % subWindows
		w.sketches[w.head].Reset()
		w.start = w.start.Add(w.span)
	}
}

func (w *userWindow) estimate() uint64 {
	all := w.sketches[0].Clone()
	for _, s := range w.sketches[1:] {
		_ = all.Merge(s)
	}
	return all.Estimate()
}

// durationLabel writes d the way PromQL writes durations: 5m, 1h, 24h.
func durationLabel(d time.Duration) string {
	s := d.String()
	for _, suffix := range []string{"m0s", "h0m"} {
		for len(s) > len(suffix) && s[len(s)-len(suffix):] == suffix {
			s = s[:len(s)-len(suffix)+1]
		}
	}
	return s
}
