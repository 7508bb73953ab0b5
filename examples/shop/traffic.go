package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"sync"
)

// simulation counts what the simulated visitors did, as the summary
// compares it with what reached OpenObserve.
type simulation struct {
	mu           sync.Mutex
	visitors     int
	requests     int
	statuses     map[int]int
	productViews int
	cartAdds     int
	checkouts    int
}

func (s *simulation) count(status int, path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	s.statuses[status]++
	switch path {
	case "product":
		s.productViews++
	case "cart":
		s.cartAdds++
	case "checkout":
		s.checkouts++
	}
}

// visitor is one simulated browser: its own cookies, its own dice.
type visitor struct {
	n    int
	base string
	http *http.Client
	rng  *rand.Rand
	sim  *simulation
}

// simulate sends n visitors through the shop at base, four at a time.
// Each visitor's path depends only on seed and its number, so the counts
// are the same on every run whatever the interleaving.
func simulate(ctx context.Context, base string, n int, seed uint64) (*simulation, error) {
	sim := &simulation{visitors: n, statuses: map[int]int{}}
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for range 4 {
		wg.Go(func() {
			for i := range next {
				jar, _ := cookiejar.New(nil)
				v := &visitor{n: i, base: base, sim: sim, rng: rand.New(rand.NewPCG(seed, uint64(i))),
					http: &http.Client{Transport: transport, Jar: jar}}
				if err := v.visit(ctx, n); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if len(errs) > 0 {
		return nil, errs[0]
	}
	status, err := post(ctx, &http.Client{Transport: transport}, base+"/admin/products/p-3001/restock", nil, "ops-anna")
	if err != nil {
		return nil, err
	}
	sim.count(status, "")
	return sim, nil
}

// visit is one visitor's path: the home page, a product or two, maybe the
// cart, maybe the checkout. The visitor in the middle buys the lamp whose
// warehouse is down.
func (v *visitor) visit(ctx context.Context, visitors int) error {
	if err := v.get(ctx, "/", ""); err != nil {
		return err
	}
	p := catalog[v.rng.IntN(len(catalog)-1)] // not the lamp
	if v.n == visitors/2 {
		p = catalog[len(catalog)-1]
	} else if v.rng.IntN(2) == 0 {
		if err := v.get(ctx, "/products/"+catalog[v.rng.IntN(len(catalog)-1)].ID, "product"); err != nil {
			return err
		}
	}
	if err := v.get(ctx, "/products/"+p.ID, "product"); err != nil {
		return err
	}
	if v.n != visitors/2 && v.rng.Float64() >= 0.6 {
		return nil // just browsing
	}
	if err := v.post(ctx, "/cart", line{ID: p.ID, Quantity: 1 + v.rng.IntN(2)}, "cart"); err != nil {
		return err
	}
	if v.n != visitors/2 && v.rng.Float64() >= 0.7 {
		return nil // abandons the cart
	}
	card := "4242424242424242"
	if v.rng.Float64() < 0.25 {
		card = declinedCard
	}
	email := fmt.Sprintf("visitor%d@example.com", v.n)
	return v.post(ctx, "/checkout", checkoutRequest{Email: email, Card: card}, "checkout")
}

func (v *visitor) get(ctx context.Context, path, kind string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/html") // a browser's page load: a page view
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
	return v.do(req, kind)
}

func (v *visitor) post(ctx context.Context, path string, body any, kind string) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
	return v.do(req, kind)
}

func (v *visitor) do(req *http.Request, kind string) error {
	req.Host = "shop.example" // the name the visitors know the shop by
	resp, err := v.http.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	v.sim.count(resp.StatusCode, kind)
	return nil
}

// post sends an operator's request, which is not part of a visit.
func post(ctx context.Context, hc *http.Client, url string, body io.Reader, operator string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("X-Operator", operator)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}
