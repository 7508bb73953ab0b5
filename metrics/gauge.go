package metrics

import (
	"math"
	"sync/atomic"
	"time"
)

// Gauge is a value that goes up and down, such as items in a queue. Its
// methods are safe for concurrent use, take no lock and allocate nothing.
//
// A gauge may hold NaN or an infinity. OpenObserve cannot store NaN, so
// the export leaves a NaN sample out; it clamps infinities to ±MaxFloat64
// as the server would. The /metrics exposition shows them as they are.
type Gauge struct {
	bits atomic.Uint64 // float64 bits
}

// Set sets the gauge to v.
func (g *Gauge) Set(v float64) { g.bits.Store(math.Float64bits(v)) }

// SetToCurrentTime sets the gauge to t in Unix seconds.
func (g *Gauge) SetToCurrentTime(t time.Time) { g.Set(float64(t.UnixNano()) / 1e9) }

// Add adds v, which may be negative.
func (g *Gauge) Add(v float64) { addFloat(&g.bits, v) }

// Sub subtracts v.
func (g *Gauge) Sub(v float64) { addFloat(&g.bits, -v) }

// Inc adds one.
func (g *Gauge) Inc() { addFloat(&g.bits, 1) }

// Dec subtracts one.
func (g *Gauge) Dec() { addFloat(&g.bits, -1) }

// Value returns the current value.
func (g *Gauge) Value() float64 { return math.Float64frombits(g.bits.Load()) }

func (g *Gauge) write(w *pointWriter) { w.add(w.fam.desc.Name, g.Value()) }

func (g *Gauge) fingerprint() uint64 { return g.bits.Load() }

// GaugeVec is a gauge per label set.
type GaugeVec struct{ v *vec[Gauge, *Gauge] }

// With returns the gauge of the given label values; see [CounterVec.With].
func (gv *GaugeVec) With(values ...string) *Gauge { return gv.v.with(values) }

// Gauge registers (or returns the already registered) gauge d, which has
// no labels.
func (r *Registry) Gauge(d Desc) (*Gauge, error) {
	gv, err := r.gaugeVec(d, false)
	if err != nil {
		return nil, err
	}
	return gv.With(), nil
}

// GaugeVec registers (or returns the already registered) gauge vector d.
func (r *Registry) GaugeVec(d Desc) (*GaugeVec, error) { return r.gaugeVec(d, true) }

func (r *Registry) gaugeVec(d Desc, labels bool) (*GaugeVec, error) {
	f, err := r.family(d, kindGauge, labels, nil, nil, func(f *family) collector {
		return newVec[Gauge](f, func() *Gauge { return new(Gauge) })
	})
	if err != nil {
		return nil, err
	}
	return &GaugeVec{v: f.c.(*vec[Gauge, *Gauge])}, nil
}
