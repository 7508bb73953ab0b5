package behavior

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSessionCookieAttributes(t *testing.T) {
	e := newEnv(t)
	s, err := NewSessions(e.tracker, WithCookieNames("aid", "sid"), WithCookieDomain("shop.example"),
		WithScriptAccess(true), WithAnonymousIDLifetime(48*time.Hour))
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodGet, "https://shop.example/", nil)
	r.TLS = &tls.ConnectionState{}
	w := httptest.NewRecorder()
	s.Middleware(http.NotFoundHandler()).ServeHTTP(w, r)
	cookies := w.Result().Cookies()
	require.Len(t, cookies, 2)
	assert.Equal(t, "aid", cookies[0].Name)
	assert.Equal(t, 48*3600, cookies[0].MaxAge)
	assert.Equal(t, "sid", cookies[1].Name)
	for _, c := range cookies {
		assert.True(t, c.Secure, "over TLS")
		assert.False(t, c.HttpOnly)
		assert.Equal(t, "shop.example", c.Domain)
	}
}

func TestSessionMalformedCookiesReplaced(t *testing.T) {
	e := newEnv(t)
	b := newBrowser(t, e)
	b.cookies["o2_aid"] = &http.Cookie{Name: "o2_aid", Value: "not-an-id"}
	b.cookies["o2_sid"] = &http.Cookie{Name: "o2_sid", Value: "x.y.z"}
	b.get("/")
	assert.True(t, isUUID(b.visitor().AnonymousID))
	assert.True(t, isUUID(b.session()))
	future := session{id: newRandomID(), last: start.Add(time.Hour)}
	b.cookies["o2_sid"] = &http.Cookie{Name: "o2_sid", Value: future.String()}
	b.get("/")
	assert.NotEqual(t, future.id, b.session(), "a last-seen time in the future is not trusted")
}

func TestNewSessionsRejectsBadConfig(t *testing.T) {
	e := newEnv(t)
	_, err := NewSessions(nil)
	assert.ErrorContains(t, err, "nil tracker")
	for _, tc := range []struct {
		opt  SessionOption
		want string
	}{
		{WithTimeout(0), "session timeout 0s: must be at least 1s"},
		{WithAnonymousIDLifetime(time.Minute), "anonymous id lifetime 1m0s: must not be below"},
		{WithCookieNames("a b", "sid"), "must be valid cookie names"},
		{WithCookieNames("same", "same"), `both are "same"`},
	} {
		_, err := NewSessions(e.tracker, tc.opt)
		assert.ErrorContains(t, err, tc.want)
	}
}

func TestLocale(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "*": "", "en": "en", "zh-Hans-CN,zh;q=0.9": "zh-Hans-CN", " fr-CH ; q=1": "fr-CH", "<script>": "",
	} {
		assert.Equal(t, want, locale(in), in)
	}
}

func FuzzParseSession(f *testing.F) {
	f.Add(session{id: "7d3c8a2e-5b1f-4c6d-9e0a-1b2c3d4e5f60", last: start, user: "0011223344556677"}.String())
	f.Add("x.1.")
	f.Fuzz(func(t *testing.T, v string) {
		s := parseSession(v)
		if s.id == "" {
			return
		}
		assert.True(t, isUUID(s.id))
		assert.Equal(t, s, parseSession(s.String()))
	})
}

func TestSessionClientIPAndSecure(t *testing.T) {
	e := newEnv(t, WithIPMode(IPRaw))
	b := newBrowser(t, e, WithSecureCookies(true), WithClientIP(func(r *http.Request) netip.Addr {
		a, _ := netip.ParseAddr(r.Header.Get("X-Real-IP"))
		return a
	}))
	b.header.Set("X-Real-IP", "198.51.100.23")
	resp := b.get("/")
	assert.Equal(t, "198.51.100.23", b.visitor().IP.String())
	for _, c := range resp.Cookies() {
		assert.True(t, c.Secure, c.Name)
	}
}

func TestIsDocument(t *testing.T) {
	for _, tc := range []struct {
		method, dest, accept string
		want                 bool
	}{
		{"GET", "document", "", true},
		{"GET", "image", "text/html", false},
		{"GET", "", "text/html", true},
		{"GET", "", "*/*", false},
		{"POST", "document", "text/html", false},
	} {
		r := httptest.NewRequest(tc.method, "/", nil)
		r.Header.Set("Sec-Fetch-Dest", tc.dest)
		r.Header.Set("Accept", tc.accept)
		assert.Equal(t, tc.want, isDocument(r), "%+v", tc)
	}
}
