package alerting

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDispatchTiming(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rs, rec := dispatchReceivers("team")
		d := runDispatcher(t, dispatchConfig{Route: Route{Receiver: "team"}, Receivers: rs})
		a := dispatchFiring("alertname", "HighErrors", "service", "cart")
		d.put([]Alert{a})

		dispatchAdvance(29 * time.Second)
		assert.Empty(t, rec["team"].sent(), "group_wait not over")
		dispatchAdvance(time.Second)
		require.Len(t, rec["team"].sent(), 1)
		n := rec["team"].last()
		assert.Equal(t, StatusFiring, n.Status)
		assert.Equal(t, `{}:{alertname="HighErrors"}`, n.GroupKey)
		assert.Equal(t, map[string]string{"alertname": "HighErrors"}, n.GroupLabels)
		assert.Equal(t, a.Labels, n.CommonLabels)
		assert.Equal(t, 0, n.Tier)

		dispatchAdvance(30 * time.Second) // 1m: a second alert joins the group
		b := dispatchFiring("alertname", "HighErrors", "service", "pay")
		d.put([]Alert{a, b})
		dispatchAdvance(4*time.Minute + 29*time.Second)
		assert.Len(t, rec["team"].sent(), 1, "group_interval not over")
		dispatchAdvance(time.Second) // 5m30s
		require.Len(t, rec["team"].sent(), 2)
		n = rec["team"].last()
		assert.Equal(t, []string{"HighErrors/cart:firing", "HighErrors/pay:firing"}, dispatchAlertNames(n))
		assert.Equal(t, map[string]string{"alertname": "HighErrors"}, n.CommonLabels)

		// Unchanged: repeated 4h after the last notification, not before.
		dispatchAdvance(4*time.Hour - time.Second)
		assert.Len(t, rec["team"].sent(), 2)
		dispatchAdvance(time.Second) // 4h5m30s
		require.Len(t, rec["team"].sent(), 3)

		// a resolves: sent with the next tick, once, and then dropped.
		dispatchAdvance(time.Minute)
		d.put([]Alert{dispatchResolved(a), b})
		dispatchAdvance(4 * time.Minute)
		require.Len(t, rec["team"].sent(), 4)
		n = rec["team"].last()
		assert.Equal(t, StatusFiring, n.Status)
		assert.Equal(t, []string{"HighErrors/cart:resolved", "HighErrors/pay:firing"}, dispatchAlertNames(n))
		dispatchAdvance(5 * time.Minute)
		assert.Len(t, rec["team"].sent(), 4, "a resolved alert is sent once")

		d.put([]Alert{dispatchResolved(b)})
		dispatchAdvance(5 * time.Minute)
		require.Len(t, rec["team"].sent(), 5)
		n = rec["team"].last()
		assert.Equal(t, StatusResolved, n.Status)
		assert.Equal(t, []string{"HighErrors/pay:resolved"}, dispatchAlertNames(n))

		assert.Equal(t, []time.Duration{
			30 * time.Second, 5*time.Minute + 30*time.Second, 4*time.Hour + 5*time.Minute + 30*time.Second,
			4*time.Hour + 10*time.Minute + 30*time.Second, 4*time.Hour + 20*time.Minute + 30*time.Second,
		}, rec["team"].times())
		d.mu.Lock()
		assert.Empty(t, d.groups, "an empty group is removed")
		assert.Empty(t, d.nlog.m, "a resolved group leaves no log entry")
		d.mu.Unlock()
	})
}

func TestDispatchIgnoresPendingAndUnsentResolved(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rs, rec := dispatchReceivers("team")
		d := runDispatcher(t, dispatchConfig{Route: Route{Receiver: "team"}, Receivers: rs})
		p := dispatchFiring("alertname", "Pending")
		p.State = StatePending
		a := dispatchFiring("alertname", "Flap")
		d.put([]Alert{p, a})
		dispatchAdvance(10 * time.Second)
		d.put([]Alert{dispatchResolved(a)}) // resolved within group_wait
		d.put([]Alert{dispatchResolved(dispatchFiring("alertname", "Never"))})
		dispatchAdvance(time.Hour)
		assert.Empty(t, rec["team"].sent())
		d.mu.Lock()
		assert.Empty(t, d.groups)
		d.mu.Unlock()
	})
}

func TestDispatchGroupBy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rs, rec := dispatchReceivers("by-service", "each")
		d := runDispatcher(t, dispatchConfig{
			Route: Route{Receiver: "by-service", GroupBy: []string{"service"}, Routes: []Route{
				{Matchers: []string{`team="ops"`}, Receiver: "each", GroupBy: []string{"..."}},
			}},
			Receivers: rs,
		})
		d.put([]Alert{
			dispatchFiring("alertname", "A", "service", "cart"),
			dispatchFiring("alertname", "B", "service", "cart"),
			dispatchFiring("alertname", "A", "service", "pay"),
			dispatchFiring("alertname", "X", "team", "ops"),
			dispatchFiring("alertname", "Y", "team", "ops"),
		})
		dispatchAdvance(30 * time.Second)
		byKey := map[string][]string{}
		for _, s := range rec["by-service"].sent() {
			byKey[s.n.GroupKey] = dispatchAlertNames(s.n)
		}
		assert.Equal(t, map[string][]string{
			`{}:{service="cart"}`: {"A/cart:firing", "B/cart:firing"},
			`{}:{service="pay"}`:  {"A/pay:firing"},
		}, byKey)
		each := rec["each"].sent()
		require.Len(t, each, 2, "... groups by every label")
		assert.ElementsMatch(t, []map[string]string{{"alertname": "X", "team": "ops"}, {"alertname": "Y", "team": "ops"}},
			[]map[string]string{each[0].n.GroupLabels, each[1].n.GroupLabels})
	})
}

func TestDispatchRouteTree(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rs, rec := dispatchReceivers("default", "pager", "db", "db-prod", "special")
		route := Route{Receiver: "default", Routes: []Route{
			{Matchers: []string{`severity="critical"`}, Receiver: "pager", GroupWait: time.Minute, Continue: true},
			{Matchers: []string{`team="db"`}, Receiver: "db", Routes: []Route{
				{Matchers: []string{`env="prod"`}, Receiver: "db-prod"},
			}},
		}}
		rule := func(id string) (Rule, bool) {
			if id == "special" {
				return Rule{ID: id, Receivers: []string{"special"}}, true
			}
			return Rule{}, false
		}
		d := runDispatcher(t, dispatchConfig{Route: route, Receivers: rs, Rule: rule})
		d.put([]Alert{
			dispatchFiring("alertname", "DBDown", "severity", "critical", "team", "db", "env", "prod"),
			dispatchFiring("alertname", "DBSlow", "team", "db"),
			dispatchFiring("alertname", "Other"),
			dispatchFiring("alertname", "Own", "team", "db", "rule", "special"),
		})
		dispatchAdvance(30 * time.Second)
		assert.Empty(t, rec["pager"].sent(), "pager's node waits a minute")
		assert.Equal(t, []string{"DBDown/:firing"}, dispatchAlertNames(rec["db-prod"].last()))
		assert.Equal(t, []string{"DBSlow/:firing"}, dispatchAlertNames(rec["db"].last()))
		assert.Len(t, rec["db"].sent(), 1, "a rule's receivers replace the route's")
		assert.Equal(t, []string{"Other/:firing"}, dispatchAlertNames(rec["default"].last()))
		own := rec["special"].last()
		assert.Equal(t, []string{"Own/:firing"}, dispatchAlertNames(own))
		assert.Equal(t, `{}/{team="db"}:{alertname="Own"}`, own.GroupKey, "the route's grouping stays")
		dispatchAdvance(30 * time.Second)
		assert.Equal(t, []string{"DBDown/:firing"}, dispatchAlertNames(rec["pager"].last()))
		assert.Equal(t, `{}/{severity="critical"}:{alertname="DBDown"}`, rec["pager"].last().GroupKey)
	})
}

func TestDispatchStopWaitsAndCancels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		started := make(chan struct{})
		slow := NotifierFunc(func(ctx context.Context, _ *Notification) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
		d, err := newDispatcher(dispatchConfig{
			Route:     Route{Receiver: "slow"},
			Receivers: map[string]Receiver{"slow": {Name: "slow", Notifiers: []Notifier{slow}}},
		})
		require.NoError(t, err)
		d.put([]Alert{dispatchFiring("alertname", "A")}) // before start: waits for it
		d.start()
		<-started
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		begin := time.Now()
		assert.ErrorIs(t, d.stop(ctx), context.DeadlineExceeded)
		assert.Equal(t, time.Second, time.Since(begin), "the send ran until ctx ended")
		d.put([]Alert{dispatchFiring("alertname", "B")})
		d.start() // no effect after stop
		assert.NoError(t, d.stop(context.Background()), "stop is idempotent")
	})
}

func TestNewDispatcherValidates(t *testing.T) {
	rs := map[string]Receiver{"a": {Name: "a"}}
	for name, tc := range map[string]struct {
		cfg  dispatchConfig
		want string
	}{
		"no root receiver": {dispatchConfig{Receivers: rs}, "root route needs a receiver"},
		"unknown receiver": {dispatchConfig{Route: Route{Receiver: "a", Routes: []Route{{}, {Routes: []Route{{Receiver: "b"}}}}}, Receivers: rs},
			`route.routes[1].routes[0]: unknown receiver "b"`},
		"bad matcher":    {dispatchConfig{Route: Route{Receiver: "a", Routes: []Route{{Matchers: []string{`x=~"("`}}}}, Receivers: rs}, "route.routes[0]"},
		"negative wait":  {dispatchConfig{Route: Route{Receiver: "a", GroupWait: -1}, Receivers: rs}, "negative group_wait"},
		"inhibit rule":   {dispatchConfig{Route: Route{Receiver: "a"}, Receivers: rs, Inhibit: []InhibitRule{{Source: []string{"x"}, Target: []string{`y="1"`}}}}, "inhibit rule 0: source"},
		"inhibit empty":  {dispatchConfig{Route: Route{Receiver: "a"}, Receivers: rs, Inhibit: []InhibitRule{{Target: []string{`y="1"`}}}}, "inhibit rule 0"},
		"negative retry": {dispatchConfig{Route: Route{Receiver: "a"}, Receivers: rs, Retry: retryPolicy{Max: -1}}, "negative retry"},
		"negative limit": {dispatchConfig{Route: Route{Receiver: "a"}, Receivers: map[string]Receiver{"a": {RateLimit: -1}}}, `receiver "a": negative rate limit`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := newDispatcher(tc.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestDispatchRuleReceiversChange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rs, rec := dispatchReceivers("team", "special")
		var mu sync.Mutex
		receivers := []string(nil)
		rule := func(id string) (Rule, bool) {
			mu.Lock()
			defer mu.Unlock()
			return Rule{ID: id, Receivers: receivers}, true
		}
		d := runDispatcher(t, dispatchConfig{Route: Route{Receiver: "team", RepeatInterval: 10 * time.Minute}, Receivers: rs, Rule: rule})
		a := dispatchFiring("alertname", "A")
		d.put([]Alert{a})
		dispatchAdvance(time.Minute)
		require.Len(t, rec["team"].sent(), 1)

		mu.Lock()
		receivers = []string{"special"}
		mu.Unlock()
		d.put([]Alert{a})
		dispatchAdvance(time.Hour)
		assert.Len(t, rec["team"].sent(), 1, "the old receiver's group let the alert go")
		assert.Equal(t, time.Minute, rec["special"].times()[0], "sent at once: it fired over group_wait ago")
		d.mu.Lock()
		assert.Len(t, d.groups, 1)
		d.mu.Unlock()

		d.put([]Alert{dispatchResolved(a)})
		dispatchAdvance(5 * time.Minute)
		assert.Equal(t, StatusResolved, rec["special"].last().Status)
	})
}

func TestPutWithoutStartStaysBounded(t *testing.T) {
	d, err := newDispatcher(dispatchConfig{Route: Route{Receiver: "r"}, Receivers: map[string]Receiver{"r": {Name: "r"}}})
	require.NoError(t, err)
	a := Alert{ID: "a", RuleID: "r", State: StateFiring, Labels: map[string]string{"alertname": "A"}, FiredAt: time.Unix(1, 0)}
	for range 5000 {
		d.put([]Alert{a})
	}
	d.mu.Lock()
	n := len(d.pending)
	d.mu.Unlock()
	assert.LessOrEqual(t, n, 2*1+1024+1, "an engine evaluated without Run does not pile alerts up")
	assert.Equal(t, []Alert{{ID: "x"}, {ID: "a", Value: 2}}, dispatchLatest([]Alert{{ID: "a", Value: 1}, {ID: "x"}, {ID: "a", Value: 2}}))
}
