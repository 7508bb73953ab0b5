package behavior

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"

	"github.com/o2kit/o2kit"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// visitorCtx is the context of a logged-in visitor inside a traced
// request.
func visitorCtx() context.Context {
	ctx := ContextWithVisitor(context.Background(), Visitor{
		AnonymousID: "0193f5a4-1c2b-4d3e-8f40-5a6b7c8d9e0f",
		UserAgent:   "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
		Locale:      "de-DE",
		IP:          netip.MustParseAddr("203.0.113.77"),
	})
	ctx = o2kit.ContextWithUser(ctx, "u-1001")
	ctx = o2kit.ContextWithSession(ctx, "7d3c8a2e-5b1f-4c6d-9e0a-1b2c3d4e5f60")
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	return trace.ContextWithSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled,
	}))
}

var shoe = Product{ID: "p-42", SKU: "SHOE-42-BLK", Name: "Trail Runner", Category: "shoes",
	PriceMinor: 12900, Currency: "EUR"}

func meta(n byte) Meta {
	return Meta{EventID: "0193f5a4-0000-7000-8000-0000000000" + string([]byte{'0' + n/10, '0' + n%10})}
}

// goldenEvents records one event of each type.
var goldenEvents = map[string]func(*Tracker, context.Context) error{
	EventIdentify: func(t *Tracker, ctx context.Context) error {
		return t.Identify(ctx, Identify{UserID: "u-1001", Traits: []slog.Attr{slog.String("plan", "pro")}, Meta: meta(1)})
	},
	EventPageView: func(t *Tracker, ctx context.Context) error {
		return t.PageView(ctx, PageView{URL: "https://shop.example/shoes/trail?utm_source=newsletter&utm_medium=email&utm_campaign=autumn&page=2",
			Title: "Trail shoes", Referrer: "https://search.example/?q=trail+shoes", Meta: meta(2)})
	},
	EventProductView: func(t *Tracker, ctx context.Context) error {
		return t.ProductView(ctx, ProductView{Product: shoe, Meta: meta(3)})
	},
	EventSearch: func(t *Tracker, ctx context.Context) error {
		return t.Search(ctx, Search{Query: "trail runner", Results: 17, Page: 1,
			Filters: map[string]string{"size": "42", "colour": "black"}, Meta: meta(4)})
	},
	EventCartAdd: func(t *Tracker, ctx context.Context) error {
		return t.CartAdd(ctx, CartChange{CartID: "c-9", Product: shoe, Quantity: 2, Meta: meta(5)})
	},
	EventCartRemove: func(t *Tracker, ctx context.Context) error {
		return t.CartRemove(ctx, CartChange{CartID: "c-9", Product: shoe, Quantity: 1, Meta: meta(6)})
	},
	EventCheckoutStarted: func(t *Tracker, ctx context.Context) error {
		return t.CheckoutStarted(ctx, CheckoutStarted{CartID: "c-9", ValueMinor: 12900, Currency: "EUR",
			Items: []Item{{ProductID: "p-42", SKU: "SHOE-42-BLK", Quantity: 1, PriceMinor: 12900}}, Meta: meta(7)})
	},
	EventPurchase: func(t *Tracker, ctx context.Context) error {
		return t.Purchase(ctx, Purchase{OrderID: "ord-0001", CartID: "c-9", RevenueMinor: 13890, Currency: "EUR",
			Items: []Item{{ProductID: "p-42", Quantity: 1, PriceMinor: 12900}, {ProductID: "p-7", Quantity: 2, PriceMinor: 495}},
			Meta:  meta(8)})
	},
	"newsletter_signup": func(t *Tracker, ctx context.Context) error {
		return t.TrackEvent(ctx, Event{Name: "newsletter_signup", Props: []slog.Attr{
			slog.String("list", "weekly"), slog.Bool("double_opt_in", true)}, Meta: meta(9)})
	},
}

// TestGolden checks what reaches the server for each event type against
// testdata/<event>.json; -update rewrites the files.
func TestGolden(t *testing.T) {
	for name, record := range goldenEvents {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			require.NoError(t, record(e.tracker, visitorCtx()))
			recs := e.records(t)
			require.Len(t, recs, 1)
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			require.NoError(t, enc.Encode(recs[0]))
			got := buf.Bytes()
			path := filepath.Join("testdata", name+".json")
			if *update {
				require.NoError(t, os.WriteFile(path, got, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.JSONEq(t, string(want), string(got))
		})
	}
}
