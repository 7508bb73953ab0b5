package behavior

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
)

func TestNewTrackerRejectsBadConfig(t *testing.T) {
	_, err := NewTracker(nil)
	require.ErrorContains(t, err, "nil client")
	e := newEnv(t)
	for name, tc := range map[string]struct {
		opt  Option
		want string
	}{
		"ip mode":         {WithIPMode(9), "unknown IP mode 9"},
		"bot mode":        {WithBots(9), "unknown bot mode 9"},
		"max sessions":    {WithMaxSessions(0), "max sessions 0: must be at least 1"},
		"conversion":      {WithConversionWindow(0), "conversion window 0s: must be positive"},
		"active window":   {WithActiveUsersWindow(time.Millisecond), "active users window 1ms"},
		"no steps":        {WithFunnels(Funnel{Name: "f"}), `funnel "f" has 0 steps`},
		"empty step":      {WithFunnels(Funnel{Name: "f", Steps: []string{"a", ""}}), `funnel "f" step 2: behavior: event name is empty`},
		"repeated step":   {WithFunnels(Funnel{Name: "f", Steps: []string{"a", "a"}}), `step "a" given twice`},
		"negative window": {WithFunnels(Funnel{Name: "f", Steps: []string{"a"}, Window: -1}), "window -1ns is negative"},
		"funnel twice":    {WithFunnels(Funnel{Name: "f", Steps: []string{"a"}}, Funnel{Name: "f", Steps: []string{"b"}}), `funnel "f" given twice`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewTracker(e.client, tc.opt)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestBadInput(t *testing.T) {
	e := newEnv(t)
	tr, ctx := e.tracker, context.Background()
	for name, tc := range map[string]struct {
		err  error
		want string
	}{
		"empty name":          {tr.Track(ctx, ""), "behavior: event name is empty"},
		"control in name":     {tr.Track(ctx, "a\nb"), `behavior: event name "a\nb" holds a control character`},
		"reserved prop":       {tr.Track(ctx, "x", slog.String("Event_ID", "1")), `behavior: x: property "Event_ID" is a reserved field name`},
		"negative quantity":   {tr.CartAdd(ctx, CartChange{Product: shoe, Quantity: -1}), "behavior: cart_add: quantity must be greater than 0, got -1"},
		"zero quantity":       {tr.CartRemove(ctx, CartChange{Product: shoe}), "behavior: cart_remove: quantity must be greater than 0, got 0"},
		"unknown currency":    {tr.ProductView(ctx, ProductView{Product: Product{ID: "p", PriceMinor: 100, Currency: "XYZ"}}), `behavior: product_view: currency "XYZ" is not an ISO 4217 currency code`},
		"lower-case code":     {tr.ProductView(ctx, ProductView{Product: Product{ID: "p", PriceMinor: 100, Currency: "eur"}}), `currency "eur" is not an ISO 4217`},
		"missing currency":    {tr.Purchase(ctx, Purchase{OrderID: "o", RevenueMinor: 100}), `behavior: purchase: currency "" is not an ISO 4217 currency code`},
		"negative price":      {tr.ProductView(ctx, ProductView{Product: Product{ID: "p", PriceMinor: -5, Currency: "EUR"}}), "behavior: product_view: price_minor must not be negative, got -5"},
		"no product id":       {tr.ProductView(ctx, ProductView{}), "behavior: product_view: product_id is required"},
		"no order id":         {tr.Purchase(ctx, Purchase{}), "behavior: purchase: order_id is required"},
		"bad item":            {tr.Purchase(ctx, Purchase{OrderID: "o", Items: []Item{{ProductID: "p", Quantity: 0}}}), "behavior: purchase: items [0]: quantity must be greater than 0, got 0"},
		"checkout currency":   {tr.CheckoutStarted(ctx, CheckoutStarted{ValueMinor: 100, Currency: "XXX"}), `behavior: checkout_started: currency "XXX" is not an ISO 4217 currency code`},
		"checkout item":       {tr.CheckoutStarted(ctx, CheckoutStarted{Items: []Item{{Quantity: 1}}}), "behavior: checkout_started: items [0]: product_id is required"},
		"negative price item": {tr.Purchase(ctx, Purchase{OrderID: "o", Items: []Item{{ProductID: "p", Quantity: 1, PriceMinor: -1}}}), "items [0]: price_minor must not be negative, got -1"},
		"negative page":       {tr.Search(ctx, Search{Page: -2}), "behavior: search: page must not be negative, got -2"},
		"long name":           {tr.Track(ctx, strings.Repeat("x", 129)), "behavior: event name is 129 bytes long, limit 128"},
		"no url":              {tr.PageView(ctx, PageView{}), "behavior: page_view: url is required"},
		"bad url":             {tr.PageView(ctx, PageView{URL: "http://[::1"}), `behavior: page_view: url "http://[::1" does not parse`},
		"negative results":    {tr.Search(ctx, Search{Results: -1}), "behavior: search: results must not be negative, got -1"},
		"no user":             {tr.Identify(ctx, Identify{}), "behavior: identify: user_id is required"},
		"plain track":         {tr.Track(ctx, "x"), ""},
		"malformed event id":  {tr.TrackEvent(ctx, Event{Name: "x", Meta: Meta{EventID: "ord-1"}}), `behavior: x: event_id "ord-1" is not a UUID`},
	} {
		t.Run(name, func(t *testing.T) {
			if tc.want == "" {
				require.NoError(t, tc.err)
				return
			}
			require.Error(t, tc.err)
			assert.ErrorIs(t, tc.err, ErrInvalidEvent)
			var ee *EventError
			assert.True(t, errors.As(tc.err, &ee))
			assert.Contains(t, tc.err.Error(), tc.want)
		})
	}
	assert.Len(t, e.records(t), 1)
	assert.Equal(t, int64(22), tr.Stats().Invalid)
}

func TestEventIDIsUUIDv7(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.tracker.Track(context.Background(), "signup"))
	require.NoError(t, e.tracker.Track(context.Background(), "signup"))
	recs := e.records(t)
	require.Len(t, recs, 2)
	ids := map[string]bool{}
	for _, r := range recs {
		id, err := uuid.Parse(r[FieldEventID].(string))
		require.NoError(t, err)
		assert.Equal(t, uuid.Version(7), id.Version())
		sec, nsec := id.Time().UnixTime()
		assert.Equal(t, start, time.Unix(sec, nsec).UTC())
		ids[id.String()] = true
	}
	assert.Len(t, ids, 2)
	assert.True(t, isUUID(e.tracker.NewEventID()))
}

func TestMetaIsKept(t *testing.T) {
	e := newEnv(t)
	id := e.tracker.NewEventID()
	at := start.Add(-time.Hour)
	require.NoError(t, e.tracker.TrackEvent(context.Background(), Event{Name: "x", Meta: Meta{EventID: id, Time: at}}))
	recs := e.records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, id, recs[0][FieldEventID])
	assert.EqualValues(t, at.UnixMicro(), recs[0]["_timestamp"])
}

func TestClosedClientCountsFailure(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.client.Shutdown(context.Background()))
	err := e.tracker.Track(context.Background(), "late")
	assert.ErrorIs(t, err, o2kit.ErrClosed)
	assert.Equal(t, Stats{Failed: 1}, e.tracker.Stats())
}

func TestOverflowingAmountsRejected(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	err := e.tracker.CartAdd(ctx, CartChange{Product: Product{ID: "p", PriceMinor: math.MaxInt64 / 2, Currency: "EUR"}, Quantity: 3})
	assert.ErrorContains(t, err, "behavior: cart_add: quantity 3 × price_minor 4611686018427387903 overflows int64")
	err = e.tracker.Purchase(ctx, Purchase{OrderID: "o", Items: []Item{{ProductID: "a", Quantity: math.MaxInt}, {ProductID: "b", Quantity: 1}}})
	assert.ErrorContains(t, err, "behavior: purchase: items [1]: the item count overflows int")
	assert.Empty(t, e.records(t))
}

// TestNoPanicOnOddInput feeds the public API what it should not get.
func TestNoPanicOnOddInput(t *testing.T) {
	// Events far from the server's clock are refused there; that is
	// logged, not failed.
	e := newEnvWith(t, []o2kit.Option{o2kit.WithErrorHandler(o2kit.ErrorHandlerFunc(func(err error) { t.Log(err) }))})
	var nilCtx context.Context
	assert.NoError(t, e.tracker.Identify(nilCtx, Identify{UserID: "u-1"}))
	assert.NoError(t, e.tracker.Track(nilCtx, "x"))
	_, err := e.tracker.FunnelReport(nilCtx, checkout, start, start.Add(time.Hour))
	assert.ErrorContains(t, err, "behavior: funnel \"checkout\" report")
	_, err = e.tracker.FunnelReport(context.Background(), checkout, start.Add(time.Hour), start)
	assert.ErrorContains(t, err, "is not before end")

	old := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)
	tr, err := NewTracker(e.client, WithClock(func() time.Time { return old }))
	require.NoError(t, err)
	require.NoError(t, tr.Track(o2kit.ContextWithUser(context.Background(), "u-1"), "x"))
	assert.Equal(t, uint64(1), tr.ActiveUsers(), "a clock before 1970 works")

	for _, c := range []Consent{ConsentFunc(nil), (*OptOuts)(nil), nil} {
		tr, err := NewTracker(e.client, nil, WithClock(nil), WithConsent(c), WithActiveUsersWindow(math.MaxInt64),
			WithFunnels(Funnel{Name: "long", Steps: []string{"a"}, Window: math.MaxInt64}))
		require.NoError(t, err)
		require.NoError(t, tr.Track(context.Background(), "a"), "%T", c)
	}
	for _, at := range []time.Time{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)} {
		_ = e.tracker.TrackEvent(context.Background(), Event{Name: "x", Meta: Meta{Time: at}})
	}
	steps := make([]string, maxSteps+1)
	for i := range steps {
		steps[i] = fmt.Sprint("s", i)
	}
	_, err = NewTracker(e.client, WithFunnels(Funnel{Name: "f", Steps: steps}))
	assert.ErrorContains(t, err, `funnel "f" has 33 steps: want 1 to 32`)
	assert.Zero(t, e.tracker.Stats().Failed+tr.Stats().Failed)
	assert.Equal(t, int64(4), e.tracker.Stats().Recorded)
}
