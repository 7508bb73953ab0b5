package metrics

import (
	"errors"
	"math"
	"time"
)

// Shop holds the e-commerce presets: conversion, order processing,
// payments by provider and inventory turnover. The ratios are computed at
// each collection over the window store, so they reflect the last Window
// of traffic, not the life of the process; they read NaN (and are left
// out of the export) until two collections have seen traffic.
type Shop struct {
	r      *Registry
	window time.Duration
	since  time.Time // when the presets were registered

	visits, conversions *Counter
	conversionRatio     *Gauge

	orderTime  *HistogramVec
	orders     *CounterVec
	throughput *Gauge

	payments     *CounterVec
	paymentRatio *GaugeVec

	sold     *CounterVec
	stock    *GaugeVec
	turnover *GaugeVec
}

// Shop registers the e-commerce presets, with ratios over the given
// window (default one hour):
//
//   - shop_visits_total, shop_conversions_total and shop_conversion_ratio;
//   - shop_order_processing_duration_seconds{status},
//     shop_orders_processed_total{status} and shop_orders_per_second
//     (over the window, or since registration when that is shorter);
//   - shop_payments_total{provider,outcome} and
//     shop_payment_success_ratio{provider};
//   - shop_inventory_sold_units_total{category},
//     shop_inventory_units{category} and shop_inventory_turnover{category}
//     (units sold in the window over the average stock in it).
func (r *Registry) Shop(window time.Duration) (*Shop, error) {
	if window <= 0 {
		window = time.Hour
	}
	s := &Shop{r: r, window: window, since: r.cfg.now()}
	var errs []error
	keep := func(err error) { errs = append(errs, err) }
	counter := func(d Desc) (c *Counter) { c, err := r.Counter(d); keep(err); return c }
	counterVec := func(d Desc) (v *CounterVec) { v, err := r.CounterVec(d); keep(err); return v }
	gauge := func(d Desc) (g *Gauge) { g, err := r.Gauge(d); keep(err); return g }
	gaugeVec := func(d Desc) (v *GaugeVec) { v, err := r.GaugeVec(d); keep(err); return v }

	s.visits = counter(Desc{Name: "shop_visits_total", Help: "Sessions that could convert."})
	s.conversions = counter(Desc{Name: "shop_conversions_total", Help: "Sessions that placed an order."})
	s.conversionRatio = gauge(Desc{Name: "shop_conversion_ratio", Help: "Conversions per visit over the window."})
	orderTime, err := r.HistogramVec(Desc{Name: "shop_order_processing_duration", Unit: "seconds",
		Help: "Time from order placed to processed.", Labels: []string{"status"}}, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
	s.orderTime = orderTime
	keep(err)
	s.orders = counterVec(Desc{Name: "shop_orders_processed_total", Help: "Orders processed.", Labels: []string{"status"}})
	s.throughput = gauge(Desc{Name: "shop_orders_per_second", Help: "Orders processed per second over the window."})
	s.payments = counterVec(Desc{Name: "shop_payments_total", Help: "Payment attempts.", Labels: []string{"provider", "outcome"}})
	s.paymentRatio = gaugeVec(Desc{Name: "shop_payment_success_ratio", Help: "Successful payments per attempt over the window.", Labels: []string{"provider"}})
	s.sold = counterVec(Desc{Name: "shop_inventory_sold_units_total", Help: "Units sold.", Labels: []string{"category"}})
	s.stock = gaugeVec(Desc{Name: "shop_inventory_units", Help: "Units in stock.", Labels: []string{"category"}})
	s.turnover = gaugeVec(Desc{Name: "shop_inventory_turnover", Help: "Units sold in the window per unit of average stock.", Labels: []string{"category"}})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	r.onCollect(s.update)
	return s, nil
}

// Visit counts a session that could convert.
func (s *Shop) Visit() { s.visits.Inc() }

// Convert counts a session that placed an order.
func (s *Shop) Convert() { s.conversions.Inc() }

// OrderProcessed counts an order that finished processing with status
// (such as "shipped" or "cancelled") after d.
func (s *Shop) OrderProcessed(status string, d time.Duration) {
	s.orders.With(status).Inc()
	s.orderTime.With(status).Observe(d.Seconds())
}

// Payment counts a payment attempt with a provider, successful or not.
func (s *Shop) Payment(provider string, ok bool) {
	outcome := "failure"
	if ok {
		outcome = "success"
	}
	s.payments.With(provider, outcome).Inc()
}

// Sold counts units of a category sold.
func (s *Shop) Sold(category string, units float64) { s.sold.With(category).Add(units) }

// Stock sets the units of a category in stock.
func (s *Shop) Stock(category string, units float64) { s.stock.With(category).Set(units) }

// update computes the ratios from the window store; it runs before each
// collection, when the store holds the collections before this one.
func (s *Shop) update() {
	now := s.r.cfg.now()
	end := now.UnixMilli()
	total := func(m map[string]float64) float64 {
		if len(m) == 0 {
			return math.NaN()
		}
		var t float64
		for _, v := range m {
			t += v
		}
		return t
	}
	s.conversionRatio.Set(ratio(total(s.growth("shop_conversions_total", "", end)), total(s.growth("shop_visits_total", "", end))))
	elapsed := min(s.window, now.Sub(s.since)).Seconds()
	s.throughput.Set(ratio(total(s.growth("shop_orders_processed_total", "", end)), elapsed))
	ok := s.growth("shop_payments_total", "provider", end, Equal("outcome", "success"))
	for provider, all := range s.growth("shop_payments_total", "provider", end) {
		s.paymentRatio.With(provider).Set(ratio(ok[provider], all))
	}
	avgStock := map[string]float64{}
	for _, p := range s.r.store.Eval(Avg, "shop_inventory_units", end, s.window) {
		avgStock[p.Labels.Get("category")] += p.V
	}
	for cat, sold := range s.growth("shop_inventory_sold_units_total", "category", end) {
		s.turnover.With(cat).Set(ratio(sold, avgStock[cat]))
	}
}

// growth returns how much the counters called name grew in the window
// ending at end, added up by the value of label. A series born inside the
// window grew from zero, which Prometheus' increase() would not count.
func (s *Shop) growth(name, label string, end int64, ms ...Matcher) map[string]float64 {
	start := end - s.window.Milliseconds()
	out := map[string]float64{}
	for _, se := range s.r.store.Select(name, 0, end, ms...) {
		base := Sample{T: se.Samples[0].T - 1}
		in := se.Samples
		for len(in) > 0 && in[0].T <= start {
			base, in = in[0], in[1:]
		}
		if len(in) == 0 {
			continue
		}
		g, _ := Increase(append([]Sample{base}, in...))
		out[se.Labels.Get(label)] += g
	}
	return out
}

func ratio(a, b float64) float64 {
	if b == 0 || b != b || a != a {
		return math.NaN()
	}
	return a / b
}
