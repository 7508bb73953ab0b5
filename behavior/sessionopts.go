package behavior

import (
	"fmt"
	"net/http"
	"net/netip"
	"time"
)

// SessionOption configures [Sessions]. Options are applied in order after
// the defaults, and [NewSessions] validates the result.
type SessionOption interface{ applySession(*sessionConfig) }

type sessionOptionFunc func(*sessionConfig)

func (f sessionOptionFunc) applySession(c *sessionConfig) { f(c) }

type sessionConfig struct {
	timeout       time.Duration
	anonLifetime  time.Duration
	anonCookie    string
	sessionCookie string
	domain        string
	secure        bool // always Secure; otherwise only over TLS
	httpOnly      bool
	user          func(*http.Request) string
	pageViews     func(*http.Request) bool
	clientIP      func(*http.Request) netip.Addr
}

func sessionDefaults() sessionConfig {
	return sessionConfig{
		timeout:       30 * time.Minute,
		anonLifetime:  365 * 24 * time.Hour,
		anonCookie:    "o2_aid",
		sessionCookie: "o2_sid",
		httpOnly:      true,
		clientIP:      remoteIP,
	}
}

// WithTimeout sets how long a session lasts without a request; each
// request renews it. Default 30 minutes; values below one second make
// NewSessions fail.
func WithTimeout(d time.Duration) SessionOption {
	return sessionOptionFunc(func(c *sessionConfig) { c.timeout = d })
}

// WithAnonymousIDLifetime sets how long the anonymous-id cookie lives
// after the visitor's last request. Default 365 days; values below the
// session timeout make NewSessions fail.
func WithAnonymousIDLifetime(d time.Duration) SessionOption {
	return sessionOptionFunc(func(c *sessionConfig) { c.anonLifetime = d })
}

// WithCookieNames sets the names of the anonymous-id and session cookies.
// Defaults "o2_aid" and "o2_sid"; names that are empty, equal or not valid
// cookie names make NewSessions fail.
func WithCookieNames(anonymous, session string) SessionOption {
	return sessionOptionFunc(func(c *sessionConfig) { c.anonCookie, c.sessionCookie = anonymous, session })
}

// WithCookieDomain sets the cookies' Domain attribute, to share them
// across subdomains. Default none: the cookies stay on the request's host.
func WithCookieDomain(domain string) SessionOption {
	return sessionOptionFunc(func(c *sessionConfig) { c.domain = domain })
}

// WithSecureCookies marks the cookies Secure on every response. By
// default they are Secure only on requests that arrived over TLS, so that
// plain-HTTP development keeps working; set it behind a TLS-terminating
// proxy.
func WithSecureCookies(always bool) SessionOption {
	return sessionOptionFunc(func(c *sessionConfig) { c.secure = always })
}

// WithScriptAccess lets page scripts read the cookies (no HttpOnly), for a
// front end that sends its own events with the same ids. Default off.
func WithScriptAccess(allow bool) SessionOption {
	return sessionOptionFunc(func(c *sessionConfig) { c.httpOnly = !allow })
}

// WithUser sets how the middleware learns the logged-in user of a request,
// typically from the service's own authentication. When it returns a user
// id, the id goes into the request context (o2kit.ContextWithUser), and
// the first time a session sees that user an [Identify] event links the
// anonymous id to it. A service that calls [Tracker.Identify] at login
// itself does not need this to link; with both, a login is identified
// twice. Default none.
func WithUser(f func(*http.Request) string) SessionOption {
	return sessionOptionFunc(func(c *sessionConfig) { c.user = f })
}

// WithPageViews makes the middleware record a [PageView] for each request
// that f accepts; nil f accepts GET requests for HTML documents
// (Sec-Fetch-Dest: document, or an Accept header naming text/html).
// Page views of bots follow [WithBots]: recorded with bot=true by default.
// Default: no page views are recorded.
func WithPageViews(f func(*http.Request) bool) SessionOption {
	return sessionOptionFunc(func(c *sessionConfig) {
		if f == nil {
			f = isDocument
		}
		c.pageViews = f
	})
}

// WithClientIP sets how the client's address is found. Default: the
// request's RemoteAddr, since forwarding headers can be forged unless a
// trusted proxy sets them; behind one, read its header here.
func WithClientIP(f func(*http.Request) netip.Addr) SessionOption {
	return sessionOptionFunc(func(c *sessionConfig) {
		if f != nil {
			c.clientIP = f
		}
	})
}

func (c *sessionConfig) validate() error {
	switch {
	case c.timeout < time.Second:
		return fmt.Errorf("behavior: session timeout %v: must be at least 1s", c.timeout)
	case c.anonLifetime < c.timeout:
		return fmt.Errorf("behavior: anonymous id lifetime %v: must not be below the session timeout %v",
			c.anonLifetime, c.timeout)
	case !validCookieName(c.anonCookie) || !validCookieName(c.sessionCookie):
		return fmt.Errorf("behavior: cookie names %q, %q: must be valid cookie names", c.anonCookie, c.sessionCookie)
	case c.anonCookie == c.sessionCookie:
		return fmt.Errorf("behavior: cookie names: both are %q", c.anonCookie)
	}
	return nil
}

func validCookieName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || containsByte("()<>@,;:\\\"/[]?={}", c) {
			return false
		}
	}
	return true
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

func remoteIP(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		a, _ := netip.ParseAddr(r.RemoteAddr)
		return a
	}
	return ap.Addr()
}

func isDocument(r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	if d := r.Header.Get("Sec-Fetch-Dest"); d != "" {
		return d == "document"
	}
	return containsFold(r.Header.Get("Accept"), "text/html")
}
