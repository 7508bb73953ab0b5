package behavior

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit"
)

// browser sends requests through session middleware and keeps its cookies
// the way a browser would, on the env's fake clock.
type browser struct {
	t       *testing.T
	h       http.Handler
	cookies map[string]*http.Cookie
	ctx     context.Context // the last request's context, as the handler saw it
	header  http.Header     // sent with every request
}

func newBrowser(t *testing.T, e *env, opts ...SessionOption) *browser {
	s, err := NewSessions(e.tracker, opts...)
	require.NoError(t, err)
	b := &browser{t: t, cookies: map[string]*http.Cookie{}, header: http.Header{}}
	b.header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
	b.h = s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { b.ctx = r.Context() }))
	return b
}

func (b *browser) get(path string) *http.Response {
	r := httptest.NewRequest(http.MethodGet, "http://shop.example"+path, nil)
	r.Header = b.header.Clone()
	for _, c := range b.cookies {
		r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	w := httptest.NewRecorder()
	b.h.ServeHTTP(w, r)
	resp := w.Result()
	for _, c := range resp.Cookies() {
		b.cookies[c.Name] = c
	}
	return resp
}

func (b *browser) visitor() Visitor {
	v, ok := VisitorFromContext(b.ctx)
	require.True(b.t, ok)
	return v
}

func (b *browser) session() string { return o2kit.SessionFromContext(b.ctx) }

func TestSessionNewVisitor(t *testing.T) {
	e := newEnv(t)
	b := newBrowser(t, e)
	b.header.Set("Accept-Language", "de-DE,de;q=0.9,en;q=0.8")
	resp := b.get("/")
	v := b.visitor()
	assert.True(t, isUUID(v.AnonymousID))
	assert.True(t, isUUID(b.session()))
	assert.NotEqual(t, v.AnonymousID, b.session())
	assert.Equal(t, "de-DE", v.Locale)
	assert.Equal(t, "192.0.2.1", v.IP.String()) // httptest's RemoteAddr
	assert.False(t, v.Bot)
	cookies := resp.Cookies()
	require.Len(t, cookies, 2)
	aid, sid := cookies[0], cookies[1]
	assert.Equal(t, "o2_aid", aid.Name)
	assert.Equal(t, v.AnonymousID, aid.Value)
	assert.Equal(t, 365*24*3600, aid.MaxAge)
	assert.Equal(t, "o2_sid", sid.Name)
	assert.Equal(t, b.session()+"."+strconv.FormatInt(start.Unix(), 10)+".", sid.Value)
	assert.Equal(t, 1800, sid.MaxAge)
	for _, c := range cookies {
		assert.True(t, c.HttpOnly)
		assert.False(t, c.Secure)
		assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
		assert.Equal(t, "/", c.Path)
	}
	assert.Empty(t, e.records(t), "no events unless asked")
}

func TestSessionReturningVisitorRenews(t *testing.T) {
	e := newEnv(t)
	b := newBrowser(t, e)
	b.get("/")
	anon, sess := b.visitor().AnonymousID, b.session()
	for range 3 { // each request within the timeout renews the session
		e.clock.Advance(20 * time.Minute)
		b.get("/next")
		assert.Equal(t, anon, b.visitor().AnonymousID)
		assert.Equal(t, sess, b.session())
	}
	assert.Equal(t, sess+"."+strconv.FormatInt(start.Add(time.Hour).Unix(), 10)+".", b.cookies["o2_sid"].Value)
}

func TestSessionTimeout(t *testing.T) {
	e := newEnv(t)
	b := newBrowser(t, e, WithTimeout(10*time.Minute))
	b.get("/")
	anon, sess := b.visitor().AnonymousID, b.session()
	e.clock.Advance(10 * time.Minute)
	b.get("/")
	assert.Equal(t, sess, b.session(), "exactly at the timeout the session lives on")
	e.clock.Advance(10*time.Minute + time.Second)
	b.get("/")
	assert.NotEqual(t, sess, b.session())
	assert.True(t, isUUID(b.session()))
	assert.Equal(t, anon, b.visitor().AnonymousID, "the anonymous id outlives sessions")
	assert.Equal(t, 600, b.cookies["o2_sid"].MaxAge)
}

func TestSessionLoginLinks(t *testing.T) {
	e := newEnv(t)
	var user string
	b := newBrowser(t, e, WithUser(func(*http.Request) string { return user }))
	b.get("/")
	anon, sess := b.visitor().AnonymousID, b.session()
	assert.Empty(t, o2kit.UserFromContext(b.ctx))
	user = "u-1001"
	b.get("/account") // login: one identify
	b.get("/orders")  // already linked
	assert.Equal(t, "u-1001", o2kit.UserFromContext(b.ctx))
	assert.Equal(t, sess, b.session(), "login keeps the session")
	user = "u-2002"
	b.get("/") // another user on the same browser: linked again
	recs := e.records(t)
	require.Len(t, recs, 2)
	for i, u := range []string{"u-1001", "u-2002"} {
		assert.Equal(t, EventIdentify, recs[i][FieldEvent])
		assert.Equal(t, u, recs[i]["user_id"])
		assert.Equal(t, anon, recs[i][FieldAnonymousID])
		assert.Equal(t, sess, recs[i]["session_id"])
	}
	assert.NotContains(t, b.cookies["o2_sid"].Value, "u-2002", "the cookie holds a digest, not the id")
}

func TestSessionPageViews(t *testing.T) {
	e := newEnv(t)
	b := newBrowser(t, e, WithPageViews(nil))
	b.header.Set("Accept", "text/html,application/xhtml+xml")
	b.header.Set("Referer", "https://search.example/")
	b.get("/shoes?utm_source=ad")
	b.header.Set("Accept", "application/json")
	b.get("/api/cart") // not a document
	recs := e.records(t)
	require.Len(t, recs, 1)
	r := recs[0]
	assert.Equal(t, EventPageView, r[FieldEvent])
	assert.Equal(t, "http://shop.example/shoes?utm_source=ad", r["page_url"])
	assert.Equal(t, "/shoes", r["page_path"])
	assert.Equal(t, "ad", r["utm_source"])
	assert.Equal(t, "https://search.example/", r["page_referrer"])
	assert.Equal(t, b.session(), r["session_id"])
	assert.Equal(t, b.visitor().AnonymousID, r[FieldAnonymousID])
	assert.Equal(t, "192.0.2.0", r[FieldIP])
}

func TestSessionBots(t *testing.T) {
	for mode, cookies := range map[BotMode]int{BotFlag: 2, BotSkip: 0, BotAllow: 2} {
		e := newEnv(t, WithBots(mode))
		b := newBrowser(t, e, WithPageViews(nil))
		b.header.Set("User-Agent", "Googlebot/2.1 (+http://www.google.com/bot.html)")
		b.header.Set("Accept", "text/html")
		resp := b.get("/")
		assert.Len(t, resp.Cookies(), cookies, "mode %d", mode)
		assert.True(t, b.visitor().Bot)
		require.NoError(t, e.tracker.Track(b.ctx, "x"))
		recs := e.records(t)
		if mode == BotSkip {
			assert.Empty(t, recs)
			continue
		}
		require.Len(t, recs, 2, "the page view and the event")
		assert.Equal(t, EventPageView, recs[0][FieldEvent])
		for _, r := range recs {
			assert.Equal(t, map[BotMode]any{BotFlag: true, BotAllow: nil}[mode], r[FieldBot], "mode %d", mode)
		}
	}
	assert.Zero(t, IsBot("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"))
}

// TestSessionRefusedVisitors checks that a visitor who may not be tracked,
// by consent or by an opt-out set further out, gets no cookies, no session
// and no events, logged in or not.
func TestSessionRefusedVisitors(t *testing.T) {
	var opt OptOuts
	opt.Add("u-9")
	e := newEnv(t, WithConsent(&opt))
	b := newBrowser(t, e, WithPageViews(nil), WithUser(func(*http.Request) string { return "u-9" }))
	b.header.Set("Accept", "text/html")
	assert.Empty(t, b.get("/").Cookies())
	assert.Empty(t, b.session())
	assert.Empty(t, b.visitor().AnonymousID)
	assert.Equal(t, "u-9", o2kit.UserFromContext(b.ctx))

	s, err := NewSessions(e.tracker, WithPageViews(nil))
	require.NoError(t, err)
	optOut := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(WithoutTracking(r.Context())))
		})
	}
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept", "text/html")
	optOut(s.Middleware(http.NotFoundHandler())).ServeHTTP(w, r)
	assert.Empty(t, w.Result().Cookies())
	assert.Empty(t, e.records(t))
	assert.Equal(t, Stats{}, e.tracker.Stats(), "no event was even begun")
}

func TestSessionNotTracked(t *testing.T) {
	e := newEnv(t, WithDoNotTrack(true))
	b := newBrowser(t, e, WithPageViews(nil))
	b.header.Set("Sec-GPC", "1")
	resp := b.get("/")
	assert.Empty(t, resp.Cookies())
	assert.True(t, b.visitor().DoNotTrack)
	assert.Empty(t, b.session())
	assert.Empty(t, e.records(t))
}

// TestConcurrentUse runs the middleware, the tracker and the readers from
// many goroutines at once, for the race detector.
func TestConcurrentUse(t *testing.T) {
	e := newEnv(t, WithFunnels(checkout), WithMaxSessions(50))
	s, err := NewSessions(e.tracker, WithPageViews(nil))
	require.NoError(t, err)
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = e.tracker.ProductView(r.Context(), ProductView{Product: shoe})
		_ = e.tracker.CartAdd(r.Context(), CartChange{Product: shoe, Quantity: 1})
	}))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				r := httptest.NewRequest(http.MethodGet, "/p", nil)
				r.Header.Set("Accept", "text/html")
				r.Header.Set("User-Agent", "Mozilla/5.0")
				h.ServeHTTP(httptest.NewRecorder(), r)
				if i%10 == g%10 {
					_ = e.tracker.Snapshot()
				}
			}
		})
	}
	wg.Wait()
	r, _ := e.tracker.Funnel("checkout")
	// At the cap a session's run may be evicted between its two events by
	// another goroutine's; its cart_add then starts a run without step 1.
	assert.Equal(t, int64(400), r.Steps[0].Sessions)
	assert.InDelta(t, 400, r.Steps[1].Sessions, 8)
	assert.Equal(t, 50, r.InProgress)
	assert.GreaterOrEqual(t, r.Evicted, int64(350))
	assert.Len(t, e.records(t), 1200)
}

func TestSessionHandsTheRouteOutward(t *testing.T) {
	e := newEnv(t)
	s, err := NewSessions(e.tracker)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /products/{id}", func(http.ResponseWriter, *http.Request) {})
	r := httptest.NewRequest(http.MethodGet, "/products/p-1", nil)
	s.Middleware(mux).ServeHTTP(httptest.NewRecorder(), r)
	assert.Equal(t, "GET /products/{id}", r.Pattern, "middleware outside sees the pattern the mux matched")
}
