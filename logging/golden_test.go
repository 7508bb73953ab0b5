package logging

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
	"github.com/o2kit/o2kit/internal/o2test"
)

var latency = regexp.MustCompile(`"latency_ms":[0-9.e-]+`)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// tap keeps the ingestion bodies the client sends, unzipped, before the
// dev server reads them.
type tap struct {
	mu    sync.Mutex
	lines []string
}

func (w *tap) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/_multi") {
			raw, _ := io.ReadAll(r.Body)
			body := raw
			if r.Header.Get("Content-Encoding") == "gzip" {
				zr, err := gzip.NewReader(bytes.NewReader(raw))
				if err == nil {
					body, _ = io.ReadAll(zr)
				}
			}
			w.mu.Lock()
			w.lines = append(w.lines, strings.Split(strings.TrimSpace(string(body)), "\n")...)
			w.mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(raw))
		}
		next.ServeHTTP(rw, r)
	})
}

// goldenClient returns a client of a dev server whose ingestion bodies w
// keeps.
func goldenClient(t *testing.T, w *tap) *o2kit.Client {
	t.Helper()
	srv := o2server.New(o2server.WithClock(pinned))
	hs := httptest.NewServer(w.wrap(srv))
	c, err := o2kit.New(o2test.Options(srv, hs.URL)...)
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = c.Shutdown(context.Background())
		hs.Close()
		_ = srv.Close()
	})
	return c
}

// TestGolden compares the exact JSON line each kind of record sends with
// testdata/<name>.golden; go test -run TestGolden -update rewrites them.
func TestGolden(t *testing.T) {
	ctx := spanContext(o2kit.ContextWithRequest(o2kit.ContextWithUser(context.Background(), "u-1001"), "req-7"))
	cases := map[string]func(c *o2kit.Client) error{
		"log_info": func(c *o2kit.Client) error {
			New(c, WithService("checkout"), WithClock(pinned)).With("cart_id", "c-9").WithGroup("order").
				InfoContext(ctx, "order placed", "id", "ord-1", slog.Group("total", "minor", 4599, "currency", "EUR"),
					"elapsed", 1500*time.Microsecond, "first", true, "ratio", 0.25)
			return nil
		},
		"log_error": func(c *o2kit.Client) error {
			err := errors.Join(errors.New("card declined"), io.ErrUnexpectedEOF)
			New(c, WithService("checkout"), WithClock(pinned)).ErrorContext(ctx, "payment failed", "err", err)
			return nil
		},
		"user_login": func(c *o2kit.Client) error {
			return NewBusiness(c, WithService("auth"), WithClock(pinned)).UserAction(ctx, UserAction{Type: UserLogin, Method: "password"})
		},
		"user_profile_change": func(c *o2kit.Client) error {
			return NewBusiness(c, WithClock(pinned)).UserAction(ctx, UserAction{Type: UserProfileChange, Changed: []string{"email", "phone"}})
		},
		"order_created": func(c *o2kit.Client) error {
			return NewBusiness(c, WithClock(pinned)).Order(ctx, OrderEvent{Type: OrderCreated, OrderID: "ord-1", Amount: EUR(129900), Items: 2})
		},
		"order_cancelled": func(c *o2kit.Client) error {
			return NewBusiness(c, WithClock(pinned)).Order(ctx, OrderEvent{Type: OrderCancelled, OrderID: "ord-1", Reason: "customer request"})
		},
		"payment_failed": func(c *o2kit.Client) error {
			return NewBusiness(c, WithClock(pinned)).Payment(ctx, PaymentEvent{PaymentID: "pay-1", OrderID: "ord-1", Method: "card",
				Provider: "stripe", Amount: Money{Minor: 4599, Currency: "USD"}, Status: PaymentFailed,
				FailureReason: "insufficient_funds", Latency: 420 * time.Millisecond})
		},
		"inventory_change": func(c *o2kit.Client) error {
			return NewBusiness(c, WithClock(pinned)).Inventory(ctx, InventoryEvent{SKU: "SKU-RED-42", Warehouse: "fra-1",
				Change: -2, Reason: StockSale, StockAfter: 17, OrderID: "ord-1"})
		},
		"audit": func(c *o2kit.Client) error {
			return NewAudit(c, WithService("admin"), WithClock(pinned)).Log(ctx, AuditEvent{Actor: "admin-3", Action: "order.refund",
				Resource: "order/ord-1", Outcome: OutcomeSuccess, IP: "203.0.113.9",
				Attrs: []slog.Attr{slog.String("api_key", "sk_live_123"), slog.Int64("amount_minor", 4599)}})
		},
	}
	biz := func(c *o2kit.Client) *Business { return NewBusiness(c, WithClock(pinned)) }
	for _, typ := range []string{UserLogout, UserRegister} {
		cases[typ] = func(c *o2kit.Client) error {
			return biz(c).UserAction(ctx, UserAction{Type: typ, Method: "oauth:google"})
		}
	}
	for _, typ := range []string{OrderPaid, OrderShipped, OrderDelivered, OrderRefunded} {
		cases[typ] = func(c *o2kit.Client) error {
			return biz(c).Order(ctx, OrderEvent{Type: typ, OrderID: "ord-1", Amount: Money{Minor: 500, Currency: "JPY"},
				Carrier: map[bool]string{true: "dhl"}[typ == OrderShipped], Reason: map[bool]string{true: "damaged"}[typ == OrderRefunded]})
		}
	}
	for _, status := range []string{PaymentAuthorized, PaymentRefunded} {
		cases["payment_"+status] = func(c *o2kit.Client) error {
			return biz(c).Payment(ctx, PaymentEvent{PaymentID: "pay-2", OrderID: "ord-1", Method: "paypal", Provider: "paypal",
				Amount: Money{Minor: 2500, Currency: "GBP"}, Status: status, Latency: 80 * time.Millisecond})
		}
	}
	cases["http_request"] = func(c *o2kit.Client) error {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /basket", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "[]") })
		h := Middleware(New(c, WithService("shop"), WithClock(pinned)))(mux)
		req := httptest.NewRequest(http.MethodGet, "/basket?id=1", nil)
		req.Header.Set(RequestIDHeader, "req-7")
		h.ServeHTTP(httptest.NewRecorder(), req)
		return nil
	}
	cases["api_entry"] = func(c *o2kit.Client) error {
		w := httptest.NewRecorder()
		NewAPI(c).ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/api/logs", strings.NewReader(`[{"message": "widget failed",
			"level": "warning", "timestamp": 1795599000, "service": "web", "session_id": "s-1",
			"attributes": {"widget": {"name": "pay", "retries": 2}, "ratio": 0.5}}]`)))
		if w.Code != http.StatusAccepted {
			return errors.New(w.Body.String())
		}
		return nil
	}
	cases["payment_captured"] = func(c *o2kit.Client) error {
		return biz(c).Payment(ctx, PaymentEvent{OrderID: "ord-1", Method: "alipay", Provider: "alipay",
			Amount: Money{Minor: 9900, Currency: "CNY"}, Status: PaymentCaptured, Latency: 1500 * time.Microsecond})
	}
	for name, emit := range cases {
		t.Run(name, func(t *testing.T) {
			w := &tap{}
			c := goldenClient(t, w)
			require.NoError(t, emit(c))
			require.NoError(t, c.Flush(context.Background()))
			require.Len(t, w.lines, 1)
			got := w.lines[0] + "\n"
			if name == "http_request" {
				// A request's latency is the one value no clock pins.
				got = latency.ReplaceAllString(got, `"latency_ms":0`)
			}
			path := filepath.Join("testdata", name+".golden")
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(want), got)
		})
	}
}
