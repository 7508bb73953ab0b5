package behavior_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/behavior"
	"github.com/o2kit/o2kit/internal/o2server"
	"github.com/o2kit/o2kit/internal/o2test"
)

// pinned is the clock of the examples, so their output is what the server
// stores, byte for byte.
var pinned = o2test.Pinned

// setup starts the embedded dev server and a client of it on the pinned
// clock; record ids are left out to keep the output stable.
func setup() (*o2server.Server, *o2kit.Client) { return o2test.Example() }

// stored flushes the client and prints what the server stored, without
// the random event ids.
func stored(client *o2kit.Client, dev *o2server.Server) {
	if err := client.Flush(context.Background()); err != nil {
		log.Fatal(err)
	}
	for _, r := range dev.Records("default", "user_behavior") {
		delete(r, behavior.FieldEventID)
		out, _ := json.Marshal(r)
		fmt.Println(string(out))
	}
}

// A product added to a cart, as OpenObserve stores it: the ids from the
// context, the visitor's anonymised address, the amounts in cents.
func Example() {
	dev, client := setup()
	defer dev.Close()
	defer client.Shutdown(context.Background())
	tracker, err := behavior.NewTracker(client, behavior.WithClock(pinned))
	if err != nil {
		log.Fatal(err)
	}

	ctx := behavior.ContextWithVisitor(context.Background(), behavior.Visitor{
		AnonymousID: "0193f5a4-1c2b-4d3e-8f40-5a6b7c8d9e0f",
		Locale:      "de-DE",
		IP:          netip.MustParseAddr("203.0.113.77"),
	})
	ctx = o2kit.ContextWithSession(ctx, "7d3c8a2e-5b1f-4c6d-9e0a-1b2c3d4e5f60")
	err = tracker.CartAdd(ctx, behavior.CartChange{
		CartID:   "c-9",
		Product:  behavior.Product{ID: "p-42", Name: "Trail Runner", PriceMinor: 12900, Currency: "EUR"},
		Quantity: 2,
	})
	if err != nil {
		log.Fatal(err)
	}
	stored(client, dev)
	// Output:
	// {"_timestamp":1795599000000000,"anonymous_id":"0193f5a4-1c2b-4d3e-8f40-5a6b7c8d9e0f","cart_id":"c-9","currency":"EUR","event":"cart_add","ip":"203.0.113.0","locale":"de-DE","price_minor":12900,"product_id":"p-42","product_name":"Trail Runner","quantity":2,"session_id":"7d3c8a2e-5b1f-4c6d-9e0a-1b2c3d4e5f60","value_minor":25800}
}

// Bad input is refused with an error that names the field, and nothing is
// recorded.
func ExampleEventError() {
	dev, client := setup()
	defer dev.Close()
	defer client.Shutdown(context.Background())
	tracker, _ := behavior.NewTracker(client)
	ctx := context.Background()

	err := tracker.CartAdd(ctx, behavior.CartChange{Product: behavior.Product{ID: "p-1"}, Quantity: -1})
	fmt.Println(err)
	err = tracker.ProductView(ctx, behavior.ProductView{Product: behavior.Product{ID: "p-1", PriceMinor: 500, Currency: "EURO"}})
	fmt.Println(err)
	err = tracker.Track(ctx, "")
	fmt.Println(err, errors.Is(err, behavior.ErrInvalidEvent))
	// Output:
	// behavior: cart_add: quantity must be greater than 0, got -1
	// behavior: product_view: currency "EURO" is not an ISO 4217 currency code
	// behavior: event name is empty true
}

// The session middleware gives each visitor an anonymous id and a session
// in cookies, and here records a page view for each HTML page.
func ExampleSessions() {
	dev, client := setup()
	defer dev.Close()
	defer client.Shutdown(context.Background())
	tracker, _ := behavior.NewTracker(client, behavior.WithClock(pinned))
	sessions, err := behavior.NewSessions(tracker, behavior.WithPageViews(nil))
	if err != nil {
		log.Fatal(err)
	}
	handler := sessions.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, _ := behavior.VisitorFromContext(r.Context())
		fmt.Println("handler sees a visitor:", v.AnonymousID != "", "and a session:", o2kit.SessionFromContext(r.Context()) != "")
	}))

	req := httptest.NewRequest(http.MethodGet, "https://shop.example/shoes?utm_source=newsletter", nil)
	req.Header.Set("Accept", "text/html")
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		fmt.Println("cookie", c.Name, "max-age", c.MaxAge, "httponly", c.HttpOnly, "samesite-lax", c.SameSite == http.SameSiteLaxMode)
	}

	if err := client.Flush(context.Background()); err != nil {
		log.Fatal(err)
	}
	for _, r := range dev.Records("default", "user_behavior") {
		fmt.Println(r["event"], r["page_path"], r["utm_source"], r["ip"])
	}
	// Output:
	// handler sees a visitor: true and a session: true
	// cookie o2_aid max-age 31536000 httponly true samesite-lax true
	// cookie o2_sid max-age 1800 httponly true samesite-lax true
	// page_view /shoes newsletter 192.0.2.0
}

// A funnel followed in-process, and the same funnel computed by SQL over
// the stored events.
func ExampleTracker_FunnelReport() {
	dev, client := setup()
	defer dev.Close()
	defer client.Shutdown(context.Background())
	checkout := behavior.Funnel{
		Name:   "checkout",
		Steps:  []string{behavior.EventProductView, behavior.EventCartAdd, behavior.EventPurchase},
		Window: time.Hour,
	}
	tracker, _ := behavior.NewTracker(client, behavior.WithClock(pinned), behavior.WithFunnels(checkout))
	shoe := behavior.Product{ID: "p-42", PriceMinor: 12900, Currency: "EUR"}
	for i, steps := range []int{3, 2, 2, 1} {
		ctx := o2kit.ContextWithSession(context.Background(), fmt.Sprintf("s-%d", i))
		_ = tracker.ProductView(ctx, behavior.ProductView{Product: shoe})
		if steps > 1 {
			_ = tracker.CartAdd(ctx, behavior.CartChange{Product: shoe, Quantity: 1})
		}
		if steps > 2 {
			_ = tracker.Purchase(ctx, behavior.Purchase{OrderID: "o-1", RevenueMinor: 12900, Currency: "EUR"})
		}
	}

	local, _ := tracker.Funnel("checkout")
	if err := client.Flush(context.Background()); err != nil {
		log.Fatal(err)
	}
	server, err := tracker.FunnelReport(context.Background(), checkout, pinned().Add(-time.Hour), pinned().Add(time.Second))
	if err != nil {
		log.Fatal(err)
	}
	for i, s := range server.Steps {
		fmt.Printf("%-12s in-process %d  server %d  conversion %.0f%%\n", s.Name, local.Steps[i].Sessions, s.Sessions, 100*s.Conversion)
	}
	fmt.Printf("cart abandonment %.0f%%\n", 100*tracker.CartAbandonmentRate())
	// Output:
	// product_view in-process 4  server 4  conversion 100%
	// cart_add     in-process 3  server 3  conversion 75%
	// purchase     in-process 1  server 1  conversion 25%
	// cart abandonment 67%
}

// Snapshot gives the tracker's figures as plain values, for a metrics or
// alerting package that reads them through an interface of its own.
func ExampleTracker_Snapshot() {
	dev, client := setup()
	defer dev.Close()
	defer client.Shutdown(context.Background())
	tracker, _ := behavior.NewTracker(client, behavior.WithClock(pinned), behavior.WithFunnels(behavior.Funnel{
		Name: "signup", Steps: []string{"signup_started", "signup_completed"},
	}))
	for i, done := range []bool{true, false, false, true} {
		ctx := behavior.ContextWithVisitor(context.Background(), behavior.Visitor{AnonymousID: fmt.Sprintf("a-%d", i)})
		_ = tracker.Track(ctx, "signup_started")
		if done {
			_ = tracker.Track(ctx, "signup_completed")
		}
	}

	// What a consumer declares, without importing behavior.
	type source interface{ Snapshot() map[string]float64 }
	var s source = tracker
	values := s.Snapshot()
	for _, name := range []string{"active_users", "funnel.signup.signup_started.sessions",
		"funnel.signup.signup_completed.sessions", "funnel.signup.signup_completed.conversion"} {
		fmt.Println(name, values[name])
	}
	// Output:
	// active_users 4
	// funnel.signup.signup_started.sessions 4
	// funnel.signup.signup_completed.sessions 2
	// funnel.signup.signup_completed.conversion 0.5
}
