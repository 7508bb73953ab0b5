package behavior

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/o2kit/o2kit"
)

// Sessions is HTTP middleware that gives each visitor an anonymous id and
// a session id, kept in cookies, and puts them with the rest of the
// [Visitor] into each request's context, so that events recorded while
// handling the request carry them. A session ends after a timeout without
// requests (30 minutes by default); the next request starts a new one
// under the same anonymous id. Create it with [NewSessions]; it is safe
// for concurrent use and starts no goroutines.
//
// Visitors that may not be tracked (an opt-out in the request context, a
// consent refusal, or Do-Not-Track under [WithDoNotTrack]) get no cookies
// and no ids. Bots under [BotSkip] get none either.
//
// The cookies are not signed: they identify a browser to analytics, and
// grant nothing. A malformed cookie is replaced.
type Sessions struct {
	t   *Tracker
	cfg sessionConfig
}

// NewSessions returns session middleware recording to t. It fails on a
// nil tracker or an invalid option.
func NewSessions(t *Tracker, opts ...SessionOption) (*Sessions, error) {
	if t == nil {
		return nil, errors.New("behavior: nil tracker")
	}
	cfg := sessionDefaults()
	for _, o := range opts {
		if o != nil {
			o.applySession(&cfg)
		}
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Sessions{t: t, cfg: cfg}, nil
}

// maxUserAgent is the longest user agent kept; longer ones are cut.
const maxUserAgent = 512

// Middleware returns next wrapped in session handling. The ServeMux
// pattern that matched the request is copied back to r.Pattern after next
// returns, as the mux itself does, so middleware outside this one can
// label the request by route.
func (s *Sessions) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner := r.WithContext(s.begin(w, r))
		defer func() { r.Pattern = inner.Pattern }()
		next.ServeHTTP(w, inner)
	})
}

// begin reads and renews the cookies and returns the request's context.
func (s *Sessions) begin(w http.ResponseWriter, r *http.Request) context.Context {
	ctx := r.Context()
	v := s.visitor(r)
	var user string
	if s.cfg.user != nil {
		if user = s.cfg.user(r); user != "" {
			ctx = o2kit.ContextWithUser(ctx, user)
		}
	}
	if !s.t.allowed(ctx, &v) || v.Bot && s.t.cfg.bots == BotSkip {
		return ContextWithVisitor(ctx, v) // no cookies, no new ids
	}
	if v.AnonymousID == "" {
		v.AnonymousID = newRandomID()
	}
	sess, link := s.session(r, user)
	s.setCookies(w, r, v.AnonymousID, sess)
	ctx = o2kit.ContextWithSession(ContextWithVisitor(ctx, v), sess.id)
	if link {
		_ = s.t.Identify(ctx, Identify{UserID: user}) // failures are counted in Stats
	}
	if s.cfg.pageViews != nil && s.cfg.pageViews(r) {
		_ = s.t.PageView(ctx, PageView{URL: requestURL(r), Referrer: r.Referer()})
	}
	return ctx
}

// visitor reads what the request says about its client, and the
// anonymous id of a returning visitor.
func (s *Sessions) visitor(r *http.Request) Visitor {
	ua := r.UserAgent()
	v := Visitor{
		AnonymousID: cookieValue(r, s.cfg.anonCookie),
		UserAgent:   ua[:min(len(ua), maxUserAgent)],
		Locale:      locale(r.Header.Get("Accept-Language")),
		IP:          s.cfg.clientIP(r),
		Bot:         IsBot(ua),
		DoNotTrack:  r.Header.Get("DNT") == "1" || r.Header.Get("Sec-GPC") == "1",
	}
	if !isUUID(v.AnonymousID) {
		v.AnonymousID = ""
	}
	return v
}

// session returns the request's session, a new one when the cookie is
// missing, malformed or timed out, renewed to now; link is true when user
// is logged in and the session was not yet linked to that user.
func (s *Sessions) session(r *http.Request, user string) (sess session, link bool) {
	now := s.t.cfg.now()
	sess = parseSession(cookieValue(r, s.cfg.sessionCookie))
	if sess.id == "" || now.Sub(sess.last) > s.cfg.timeout || sess.last.After(now.Add(time.Minute)) {
		sess = session{id: newRandomID()}
	}
	if user != "" {
		h := userHash(user)
		link, sess.user = sess.user != h, h
	}
	sess.last = now
	return sess, link
}

func (s *Sessions) setCookies(w http.ResponseWriter, r *http.Request, anon string, sess session) {
	secure := s.cfg.secure || r.TLS != nil
	for _, c := range [...]struct {
		name, value string
		age         time.Duration
	}{{s.cfg.anonCookie, anon, s.cfg.anonLifetime}, {s.cfg.sessionCookie, sess.String(), s.cfg.timeout}} {
		http.SetCookie(w, &http.Cookie{
			Name: c.name, Value: c.value, Path: "/", Domain: s.cfg.domain, MaxAge: int(c.age / time.Second),
			Secure: secure, HttpOnly: s.cfg.httpOnly, SameSite: http.SameSiteLaxMode,
		})
	}
}

// session is the session cookie: "<id>.<last request, Unix seconds>.<user
// hash>", the hash empty before login.
type session struct {
	id   string
	last time.Time
	user string
}

// String renders the cookie value.
func (s session) String() string {
	return s.id + "." + strconv.FormatInt(s.last.Unix(), 10) + "." + s.user
}

func parseSession(v string) session {
	id, rest, ok1 := strings.Cut(v, ".")
	last, user, ok2 := strings.Cut(rest, ".")
	sec, err := strconv.ParseInt(last, 10, 64)
	if !ok1 || !ok2 || err != nil || !isUUID(id) || len(user) > 16 {
		return session{}
	}
	return session{id: id, last: time.Unix(sec, 0), user: user}
}

// userHash is a short digest of a user id, so the cookie tells whether the
// session was linked to this user without holding the id.
func userHash(user string) string {
	sum := sha256.Sum256([]byte(user))
	return hex.EncodeToString(sum[:8])
}

func cookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

// newRandomID returns a random (version 4) UUID.
func newRandomID() string {
	var u [16]byte
	_, _ = rand.Read(u[:]) // never fails on supported platforms
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	hex.Encode(b[9:13], u[4:6])
	hex.Encode(b[14:18], u[6:8])
	hex.Encode(b[19:23], u[8:10])
	hex.Encode(b[24:], u[10:])
	b[8], b[13], b[18], b[23] = '-', '-', '-', '-'
	return string(b[:])
}

// locale returns the first language tag of an Accept-Language header, or
// "" when it is missing, "*" or malformed.
func locale(h string) string {
	tag, _, _ := strings.Cut(h, ",")
	tag, _, _ = strings.Cut(tag, ";")
	tag = strings.TrimSpace(tag)
	if tag == "" || len(tag) > 35 {
		return ""
	}
	for i := 0; i < len(tag); i++ {
		if c := tag[i]; !isAlnum(c) && c != '-' {
			return ""
		}
	}
	return tag
}

func requestURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.RequestURI()
}
