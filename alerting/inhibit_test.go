package alerting

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2test"
)

func TestInhibitRuleInhibits(t *testing.T) {
	spec := []InhibitRule{{
		Source: []string{`severity="critical"`},
		Target: []string{`severity=~"critical|warning"`},
		Equal:  []string{"service"},
	}}
	mk := func(id, sev, svc string) *dispatchAlert {
		ls := map[string]string{"severity": sev}
		if svc != "" {
			ls["service"] = svc
		}
		return &dispatchAlert{alert: Alert{ID: id, Labels: ls}}
	}
	src := mk("src", "critical", "cart")
	for name, tc := range map[string]struct {
		target *dispatchAlert
		firing []*dispatchAlert
		want   bool
	}{
		"same service":         {mk("t", "warning", "cart"), []*dispatchAlert{src}, true},
		"other service":        {mk("t", "warning", "pay"), []*dispatchAlert{src}, false},
		"no source firing":     {mk("t", "warning", "cart"), nil, false},
		"equal label absent":   {mk("t", "warning", ""), []*dispatchAlert{mk("s", "critical", "")}, true},
		"not a target":         {mk("t", "info", "cart"), []*dispatchAlert{src}, false},
		"never itself":         {src, []*dispatchAlert{src}, false},
		"both sides, no mutes": {mk("t", "critical", "cart"), []*dispatchAlert{src}, false},
	} {
		t.Run(name, func(t *testing.T) {
			rs, err := compileInhibitRules(spec)
			require.NoError(t, err)
			indexed := rs[0]
			scan := *indexed
			scan.sources = nil
			firing := map[string]*dispatchAlert{}
			for _, a := range tc.firing {
				firing[a.alert.ID] = a
				indexed.track(a, false)
			}
			assert.Equal(t, tc.want, indexed.inhibits(&tc.target.alert, firing), "indexed")
			assert.Equal(t, tc.want, scan.inhibits(&tc.target.alert, firing), "scan")
			for _, a := range tc.firing {
				indexed.track(a, true)
			}
			assert.Empty(t, indexed.sources, "resolved sources leave the index")
		})
	}
}

func TestCompileSuppressions(t *testing.T) {
	rs, err := compileSuppressions("r1", []Suppression{{Source: []string{`alertname="Down"`}, Equal: []string{"service"}}})
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.True(t, rs[0].targets(&Alert{RuleID: "r1"}))
	assert.False(t, rs[0].targets(&Alert{RuleID: "r2"}))
	_, err = compileSuppressions("r1", []Suppression{{}})
	assert.ErrorContains(t, err, `rule "r1": suppression 0`)
	_, err = compileSuppressions("r1", []Suppression{{Source: []string{`a=~"("`}}})
	assert.Error(t, err)
}

// inhibitScenario runs Down (critical) and two Slow (warning) alerts, one
// on Down's service, through a dispatcher built by cfg, and checks the
// Slow alert on Down's service is muted while Down fires.
func inhibitScenario(t *testing.T, cfg dispatchConfig) {
	rs, rec := dispatchReceivers("team")
	cfg.Route, cfg.Receivers = Route{Receiver: "team"}, rs
	d := runDispatcher(t, cfg)
	down := dispatchFiring("alertname", "Down", "severity", "critical", "service", "cart", "rule", "down")
	slowCart := dispatchFiring("alertname", "Slow", "severity", "warning", "service", "cart", "rule", "slow")
	slowPay := dispatchFiring("alertname", "Slow", "severity", "warning", "service", "pay", "rule", "slow")
	d.put([]Alert{down, slowCart, slowPay})
	dispatchAdvance(30 * time.Second)

	byGroup := func() map[string][]string {
		out := map[string][]string{}
		for _, s := range rec["team"].sent() {
			out[s.n.GroupLabels[LabelAlertName]] = dispatchAlertNames(s.n)
		}
		return out
	}
	assert.Equal(t, map[string][]string{"Down": {"Down/cart:firing"}, "Slow": {"Slow/pay:firing"}}, byGroup())
	sil, inh := d.muted(slowCart)
	assert.Empty(t, sil)
	assert.True(t, inh)
	_, inh = d.muted(slowPay)
	assert.False(t, inh)

	dispatchAdvance(30 * time.Second)
	d.put([]Alert{dispatchResolved(down), slowCart, slowPay})
	dispatchAdvance(4*time.Minute + 30*time.Second) // next tick, 5m30s
	assert.Equal(t, map[string][]string{
		"Down": {"Down/cart:resolved"},
		"Slow": {"Slow/cart:firing", "Slow/pay:firing"},
	}, byGroup())
	_, inh = d.muted(slowCart)
	assert.False(t, inh)
}

func TestDispatchInhibitRule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inhibitScenario(t, dispatchConfig{Inhibit: []InhibitRule{{
			Source: []string{`severity="critical"`},
			Target: []string{`severity="warning"`},
			Equal:  []string{"service"},
		}}})
	})
}

func TestDispatchRuleSuppression(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inhibitScenario(t, dispatchConfig{Rule: func(id string) (Rule, bool) {
			if id != "slow" {
				return Rule{ID: id}, true
			}
			return Rule{ID: id, Suppress: []Suppression{{Source: []string{`alertname="Down"`}, Equal: []string{"service"}}}}, true
		}})
	})
}

func TestDispatchReportsBadRuleOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rs, rec := dispatchReceivers("team")
		var errs o2test.Errors
		d := runDispatcher(t, dispatchConfig{
			Route: Route{Receiver: "team"}, Receivers: rs,
			Errors: errs.Handle,
			Rule: func(id string) (Rule, bool) {
				return Rule{ID: id, Receivers: []string{"nobody"}, Suppress: []Suppression{{Source: []string{"("}}},
					Escalation: []Tier{{After: -time.Minute}}}, true
			},
		})
		a := dispatchFiring("alertname", "A")
		d.put([]Alert{a})
		dispatchAdvance(time.Minute)
		d.put([]Alert{a})
		dispatchAdvance(time.Minute)
		require.Len(t, errs.All(), 1, "reported once, not at every evaluation")
		assert.ErrorContains(t, errs.All()[0], `receivers: unknown receiver "nobody"`)
		assert.ErrorContains(t, errs.All()[0], "suppression 0")
		assert.ErrorContains(t, errs.All()[0], "negative after")
		assert.Len(t, rec["team"].sent(), 1, "the route's receiver takes over")
	})
}

func TestDispatchInhibitSourceChangesLabels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rs, _ := dispatchReceivers("team")
		d := runDispatcher(t, dispatchConfig{Route: Route{Receiver: "team"}, Receivers: rs, Inhibit: []InhibitRule{{
			Source: []string{`severity="critical"`}, Target: []string{`severity="warning"`}, Equal: []string{"service"},
		}}})
		src := dispatchFiring("alertname", "Down", "severity", "critical", "service", "cart")
		src.ID = "source"
		cart := dispatchFiring("alertname", "Slow", "severity", "warning", "service", "cart")
		pay := dispatchFiring("alertname", "Slow", "severity", "warning", "service", "pay")
		d.put([]Alert{src})
		_, inh := d.muted(cart)
		assert.True(t, inh)
		src.Labels = map[string]string{"alertname": "Down", "severity": "critical", "service": "pay"}
		d.put([]Alert{src})
		_, inh = d.muted(cart)
		assert.False(t, inh, "the source moved away")
		_, inh = d.muted(pay)
		assert.True(t, inh)
		d.put([]Alert{dispatchResolved(src)})
		_, inh = d.muted(pay)
		assert.False(t, inh)
	})
}
