package behavior

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/internal/o2server"
	"github.com/o2kit/o2kit/internal/o2test"
)

var benchProps = []slog.Attr{slog.String("product_id", "p-42"), slog.String("sku", "SHOE-42-BLK"),
	slog.Int64("price_minor", 12900), slog.String("currency", "EUR"), slog.Int("quantity", 2)}

func BenchmarkTrack(b *testing.B) {
	tr := benchTracker(b, WithFunnels(checkout))
	ctx := visitorCtx()
	b.ReportAllocs()
	for b.Loop() {
		_ = tr.Track(ctx, "product_added", benchProps...)
	}
}

func BenchmarkCartAdd(b *testing.B) {
	tr := benchTracker(b, WithFunnels(checkout))
	ctx := visitorCtx()
	b.ReportAllocs()
	for b.Loop() {
		_ = tr.CartAdd(ctx, CartChange{Product: shoe, Quantity: 2})
	}
}

func BenchmarkFunnelManySessions(b *testing.B) {
	tr := benchTracker(b, WithFunnels(checkout), WithMaxSessions(10_000))
	ctxs := make([]context.Context, 50_000)
	for i := range ctxs {
		ctxs[i] = o2kit.ContextWithSession(context.Background(), fmt.Sprintf("s-%d", i))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = tr.ProductView(ctxs[i%len(ctxs)], ProductView{Product: shoe})
		i++
	}
}

func BenchmarkSessionsMiddleware(b *testing.B) {
	tr := benchTracker(b)
	s, err := NewSessions(tr)
	if err != nil {
		b.Fatal(err)
	}
	h := s.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	first := httptest.NewRecorder()
	h.ServeHTTP(first, httptest.NewRequest(http.MethodGet, "/", nil))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
	for _, c := range first.Result().Cookies() {
		r.AddCookie(c)
	}
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
}

// benchTracker returns a tracker whose client sends to a count-only dev
// server in memory, without sockets.
func benchTracker(b *testing.B, opts ...Option) *Tracker {
	b.Helper()
	srv := o2server.New(o2server.WithCountOnly())
	user, pass := srv.RootUser()
	client, err := o2kit.New(o2kit.WithEndpoint("http://o2.invalid"), o2kit.WithBasicAuth(user, pass),
		o2kit.WithHTTPClient(o2test.InMemory(srv)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = client.Shutdown(ctx)
	})
	tr, err := NewTracker(client, opts...)
	if err != nil {
		b.Fatal(err)
	}
	return tr
}
