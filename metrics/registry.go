package metrics

import (
	"errors"
	"fmt"
	"log"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/o2kit/o2kit"
)

// ErrClosed is returned by [Registry.Flush] after [Registry.Shutdown].
var ErrClosed = errors.New("metrics: registry is shut down")

// Registry holds metrics and exports them. Registration and recording are
// safe for concurrent use. Create it with [NewRegistry], end it with
// [Registry.Shutdown] before the client's own Shutdown. Besides the
// instruments it hands out the presets; a logging.LevelCounter for the
// logging package is obtained with [Registry.LogLevels]:
//
//	levels, err := reg.LogLevels()
//	logger := logging.New(client, logging.WithLevelCounter(levels))
type Registry struct {
	client *o2kit.Client
	cfg    config
	stats  stats

	mu      sync.Mutex         // guards fams, names and hooks
	fams    map[string]*family // by metric name
	names   map[string]*family // by every sample name a family writes
	hooks   []func()           // run before each collection
	runtime bool               // RegisterRuntime's hook is in hooks
	order   atomic.Pointer[[]*family]

	collectMu sync.Mutex // one collection at a time; guards w and attrs
	w         pointWriter
	attrs     []slog.Attr
	scratch   Labels

	store *Store
	in    ingested

	flushReq chan chan error
	stop     chan struct{}
	loopDone chan struct{} // closed when the export loop has returned
	closed   atomic.Bool
	once     sync.Once
	finalErr error
}

// NewRegistry returns a registry that sends its samples through client
// every interval ([WithInterval]) from one goroutine of its own. A nil
// client makes a registry that only serves in-process reads: the
// [Registry.Handler] exposition, the window store and the query handlers.
func NewRegistry(client *o2kit.Client, opts ...Option) (*Registry, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o.apply(&cfg)
	}
	if cfg.interval > 0 && cfg.interval < MinInterval {
		return nil, fmt.Errorf("metrics: interval %s is below the minimum %s", cfg.interval, MinInterval)
	}
	if cfg.summaryWindow < 0 {
		return nil, fmt.Errorf("metrics: summary window %s is negative", cfg.summaryWindow)
	}
	if cfg.window < 0 || cfg.windowSeries < 0 {
		return nil, fmt.Errorf("metrics: window size %d or series %d is negative", cfg.window, cfg.windowSeries)
	}
	for _, l := range cfg.constLabels {
		if err := validLabel(l.Name); err != nil {
			return nil, err
		}
	}
	store, err := newStore(cfg)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	if cfg.errs == nil {
		cfg.errs = o2kit.ErrorHandlerFunc(func(err error) { log.Print(err) })
	}
	r := &Registry{
		client: client, cfg: cfg, store: store,
		fams: map[string]*family{}, names: map[string]*family{},
		flushReq: make(chan chan error), stop: make(chan struct{}), loopDone: make(chan struct{}),
	}
	r.order.Store(new([]*family))
	if cfg.interval > 0 {
		go r.run()
	} else {
		close(r.loopDone)
	}
	return r, nil
}

// family registers a metric, or returns the one already registered under
// its name when the definition is the same.
func (r *Registry) family(d Desc, k kind, labels bool, buckets, quantiles []float64, mk func(*family) collector) (*family, error) {
	if !labels && len(d.Labels) > 0 {
		return nil, fmt.Errorf("metrics: %q has labels; register it as a vector", d.fullName())
	}
	if err := d.validate(); err != nil {
		return nil, err
	}
	for _, l := range r.cfg.constLabels {
		if slices.Contains(d.Labels, l.Name) {
			return nil, fmt.Errorf("%w: %q: label %q is a constant label of the registry", ErrConflict, d.fullName(), l.Name)
		}
	}
	d.Name, d.Labels = d.fullName(), slices.Clone(d.Labels)
	f := newFamily(d, k, &r.stats, r.cfg.seriesLimit)
	f.buckets, f.quantiles = buckets, quantiles
	for _, b := range buckets {
		f.les = append(f.les, formatFloat(b))
	}
	f.les = append(f.les, "+Inf")
	for _, q := range quantiles {
		f.qs = append(f.qs, formatFloat(q))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if old := r.fams[d.Name]; old != nil {
		if old.same(f) {
			return old, nil
		}
		return nil, fmt.Errorf("%w: %q is a %s with labels %v", ErrConflict, d.Name, old.kind, old.desc.Labels)
	}
	for _, n := range f.names() {
		if g := r.names[n]; g != nil {
			return nil, fmt.Errorf("%w: %s %q writes %q, as %s %q does", ErrConflict, k, d.Name, n, g.kind, g.desc.Name)
		}
	}
	f.c = mk(f)
	r.fams[d.Name] = f
	for _, n := range f.names() {
		r.names[n] = f
	}
	order := append(slices.Clone(*r.order.Load()), f)
	slices.SortFunc(order, func(a, b *family) int { return strings.Compare(a.desc.Name, b.desc.Name) })
	r.order.Store(&order)
	return f, nil
}

// onCollect adds a function run before each collection, such as the one
// that reads the runtime's metrics into gauges.
func (r *Registry) onCollect(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hooks = append(r.hooks, f)
}

// Must returns v, or panics when err is not nil. It suits registrations
// at start-up: metrics.Must(reg.Counter(d)).
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Stats are the registry's counters since it was created.
type Stats struct {
	Metrics    int    // registered metrics
	Series     int    // live series, overflow series included
	Exports    uint64 // collections that sent samples
	Samples    uint64 // samples handed to the client
	Dropped    uint64 // samples the client refused, or NaN ones left out
	Rejected   uint64 // recordings refused: bad values, label values of the wrong count or encoding
	Overflowed uint64 // recordings of new label sets past a series limit
	Expired    uint64 // series removed after going idle
	// WindowRejected counts the samples of collections that the window
	// store refused: older than their series' newest (the clock stepped
	// back) or new series past its cap ([WithWindowSeries]). They are
	// still exported; each collection with refusals reports them once to
	// the error handler ([WithErrorHandler]).
	WindowRejected uint64
}

// Stats returns the registry's counters.
func (r *Registry) Stats() Stats {
	s := Stats{
		Exports: r.stats.exports.Load(), Samples: r.stats.samples.Load(), Dropped: r.stats.dropped.Load(),
		Rejected: r.stats.rejected.Load(), Overflowed: r.stats.overflowed.Load(), Expired: r.stats.expired.Load(),
		WindowRejected: r.stats.windowRej.Load(),
	}
	for _, f := range *r.order.Load() {
		s.Metrics++
		s.Series += f.c.count()
	}
	return s
}
