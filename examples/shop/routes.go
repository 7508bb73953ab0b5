package main

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"sync"

	"github.com/o2kit/o2kit"
	"github.com/o2kit/o2kit/alerting"
	"github.com/o2kit/o2kit/behavior"
	"github.com/o2kit/o2kit/logging"
)

// product is a catalogue entry. Prices are in euro cents.
type product struct {
	ID, Name, Category string
	PriceMinor         int64
	Warehouse          string
}

// offlineWarehouse is the warehouse whose stock system is down: reserving
// its products fails with a 503.
const offlineWarehouse = "lyon"

var catalog = []product{
	{"p-1001", "Trail Runner", "shoes", 12900, "berlin"},
	{"p-1002", "City Sneaker", "shoes", 8900, "berlin"},
	{"p-2001", "Rain Jacket", "outerwear", 15900, "hamburg"},
	{"p-2002", "Merino Hoodie", "outerwear", 9900, "hamburg"},
	{"p-3001", "Water Bottle", "accessories", 1900, "berlin"},
	{"p-3002", "Desk Lamp", "home", 4900, offlineWarehouse},
}

func findProduct(id string) (product, bool) {
	for _, p := range catalog {
		if p.ID == id {
			return p, true
		}
	}
	return product{}, false
}

// event is the product as behaviour events describe it.
func (p product) event() behavior.Product {
	return behavior.Product{ID: p.ID, Name: p.Name, Category: p.Category, PriceMinor: p.PriceMinor, Currency: "EUR"}
}

// line is one product in a cart.
type line struct {
	Product  product `json:"-"`
	ID       string  `json:"product_id"`
	Quantity int     `json:"quantity"`
}

// shop is the service: its catalogue, the carts by session, and what it
// records with.
type shop struct {
	obs *observability

	mu     sync.Mutex
	carts  map[string][]line // by session id; guarded by mu
	orders int               // orders numbered so far; guarded by mu
}

func newShop(obs *observability) *shop {
	return &shop{obs: obs, carts: map[string][]line{}}
}

// routes is the service's mux: the shop's pages and API behind the
// middleware, and the read side of logs and metrics.
func (s *shop) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.obs.wrap(h)) }
	handle("GET /{$}", s.home)
	handle("GET /products/{id}", s.product)
	handle("POST /cart", s.addToCart)
	handle("POST /checkout", s.checkout)
	handle("POST /admin/products/{id}/restock", s.restock)

	mux.Handle("GET /metrics", s.obs.reg.Handler()) // Prometheus text format
	logsAPI := logging.NewAPI(s.obs.client, logging.WithDefaultService("web"))
	mux.Handle("/api/logs", logsAPI)
	mux.Handle("/api/logs/", logsAPI)
	metricsAPI := s.obs.reg.API()
	mux.Handle("/api/metrics", metricsAPI)
	mux.Handle("/api/metrics/", metricsAPI)
	// The alert API changes rules and acknowledges alerts: behind the
	// operators' token. The webhook checks its own signature.
	alertsAPI := s.obs.alerts.Handler(alerting.WithAuth(operatorsOnly))
	mux.Handle("/api/alerts", alertsAPI)
	mux.Handle("/api/alerts/", alertsAPI)
	mux.HandleFunc("POST /hooks/alerts", s.obs.alertHook)
	return mux
}

func (s *shop) home(w http.ResponseWriter, r *http.Request) {
	s.obs.shop.Visit()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, "<h1>o2kit shop</h1><ul>")
	for _, p := range catalog {
		fmt.Fprintf(w, `<li><a href="/products/%s">%s</a> €%.2f</li>`, p.ID, html.EscapeString(p.Name), float64(p.PriceMinor)/100)
	}
	fmt.Fprint(w, "</ul>")
}

func (s *shop) product(w http.ResponseWriter, r *http.Request) {
	p, ok := findProduct(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	if err := s.obs.tracker.ProductView(r.Context(), behavior.ProductView{Product: p.event()}); err != nil {
		s.obs.logger.WarnContext(r.Context(), "product view not tracked", "error", err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<h1>%s</h1><p>€%.2f</p>", html.EscapeString(p.Name), float64(p.PriceMinor)/100)
}

// addToCart takes {"product_id": "p-1001", "quantity": 2}.
func (s *shop) addToCart(w http.ResponseWriter, r *http.Request) {
	var req line
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil || req.Quantity < 1 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want {product_id, quantity > 0}"})
		return
	}
	p, ok := findProduct(req.ID)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such product"})
		return
	}
	req.Product = p
	session := o2kit.SessionFromContext(r.Context())
	s.mu.Lock()
	s.carts[session] = append(s.carts[session], req)
	cart := s.carts[session]
	s.mu.Unlock()

	err := s.obs.tracker.CartAdd(r.Context(), behavior.CartChange{CartID: "cart-" + session, Product: p.event(), Quantity: req.Quantity})
	if err != nil {
		s.obs.logger.WarnContext(r.Context(), "cart add not tracked", "error", err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": cart})
}

// restock is an operator's action, kept in the audit stream.
func (s *shop) restock(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := findProduct(r.PathValue("id"))
	actor := r.Header.Get("X-Operator")
	outcome := logging.OutcomeSuccess
	if actor == "" {
		actor, outcome = "anonymous", logging.OutcomeDenied
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	err := s.obs.audit.Log(ctx, logging.AuditEvent{Actor: actor, Action: "inventory.restock", Resource: "product/" + p.ID, Outcome: outcome})
	if err != nil {
		s.obs.logger.ErrorContext(ctx, "audit record refused", "error", err)
	}
	if outcome != logging.OutcomeSuccess {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "operators only"})
		return
	}
	err = s.obs.biz.Inventory(ctx, logging.InventoryEvent{SKU: p.ID, Warehouse: p.Warehouse, Change: 50, Reason: logging.StockRestock, StockAfter: 50})
	if err != nil {
		s.obs.logger.ErrorContext(ctx, "inventory event refused", "error", err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"product_id": p.ID, "added": 50})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
