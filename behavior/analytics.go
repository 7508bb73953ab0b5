package behavior

// observe feeds an event to the in-process funnels and activity counts.
func (t *Tracker) observe(e *event) {
	t.active.add(e.actor, e.now)
	for _, fs := range t.byStep[e.name] {
		fs.add(e.session, e.name, e.at, e.now)
	}
}

// Funnel returns the in-process report of the funnel named name, given to
// [WithFunnels].
func (t *Tracker) Funnel(name string) (FunnelReport, bool) {
	for _, fs := range t.funnels {
		if fs.f.Name == name {
			return fs.report(t.cfg.now()), true
		}
	}
	return FunnelReport{}, false
}

// Funnels returns the in-process reports of every funnel given to
// [WithFunnels], in their order.
func (t *Tracker) Funnels() []FunnelReport {
	out := make([]FunnelReport, len(t.funnels))
	for i, fs := range t.funnels {
		out[i] = fs.report(t.cfg.now())
	}
	return out
}

// ActiveUsers estimates the distinct users (by user id, else anonymous id,
// else session id) who had an event in the last [WithActiveUsersWindow].
// A visitor who logs in during the window may count twice, once under
// each id. Bot events are not counted.
func (t *Tracker) ActiveUsers() uint64 { return t.active.estimate(t.cfg.now()) }

// CartAbandonmentRate returns the share of sessions with a cart_add that
// did not purchase within [WithConversionWindow] of it, counted since the
// tracker started; carts still inside the window count as abandoned, so
// read it over a period well beyond the window. 0 when there were no carts.
func (t *Tracker) CartAbandonmentRate() float64 {
	r := t.carts.report(t.cfg.now())
	if r.Steps[0].Sessions == 0 {
		return 0
	}
	return 1 - r.Conversion()
}

// SearchToPurchaseRate returns the share of sessions with a search that
// purchased within [WithConversionWindow] of it, counted since the tracker
// started. 0 when there were no searches.
func (t *Tracker) SearchToPurchaseRate() float64 {
	return t.searches.report(t.cfg.now()).Conversion()
}

// Snapshot returns the tracker's figures as plain name-value pairs, so a
// metrics or alerting package can read them through an interface of its
// own, such as interface{ Snapshot() map[string]float64 }, without
// importing this package. The names are:
//
//	active_users                                 ActiveUsers
//	cart_abandonment_rate                        CartAbandonmentRate
//	search_to_purchase_rate                      SearchToPurchaseRate
//	funnel.<funnel>.<step>.sessions              StepReport.Sessions
//	funnel.<funnel>.<step>.conversion            StepReport.Conversion
//	funnel.<funnel>.<step>.from_previous         StepReport.FromPrevious
//	funnel.<funnel>.in_progress                  FunnelReport.InProgress
//	funnel.<funnel>.evicted                      FunnelReport.Evicted
//
// Funnel and step names appear as given, so a consumer that splits the
// names at dots should keep dots out of them. The funnel figures are those
// of [Tracker.Funnel]: in-process runs, not the server's sessions (see
// [Funnel]). Each call returns a new map, which the caller owns.
func (t *Tracker) Snapshot() map[string]float64 {
	m := map[string]float64{
		"active_users":            float64(t.ActiveUsers()),
		"cart_abandonment_rate":   t.CartAbandonmentRate(),
		"search_to_purchase_rate": t.SearchToPurchaseRate(),
	}
	for _, r := range t.Funnels() {
		p := "funnel." + r.Name + "."
		for _, s := range r.Steps {
			m[p+s.Name+".sessions"] = float64(s.Sessions)
			m[p+s.Name+".conversion"] = s.Conversion
			m[p+s.Name+".from_previous"] = s.FromPrevious
		}
		m[p+"in_progress"] = float64(r.InProgress)
		m[p+"evicted"] = float64(r.Evicted)
	}
	return m
}
