package o2server

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
)

// tokenPrefix marks org ingestion tokens, which are 37 characters long.
const tokenPrefix = "o2oi_"

// ingestionToken is an org ingestion token.
type ingestionToken struct {
	Name        string `json:"name"`
	Token       string `json:"token"`
	Description string `json:"description"`
	IsDefault   bool   `json:"is_default"`
	Enabled     bool   `json:"enabled"`
	CreatedBy   string `json:"created_by"`
	CreatedAt   int64  `json:"created_at"`
}

// RootUser returns the root user's e-mail and password.
func (s *Server) RootUser() (email, password string) {
	return s.cfg.rootEmail, s.cfg.rootPassword
}

// Passcode returns a user's passcode, which the server accepts in place of
// the password on ingestion routes only. Only the root user exists, so any
// other e-mail gets "".
func (s *Server) Passcode(email string) string {
	if !strings.EqualFold(email, s.cfg.rootEmail) {
		return ""
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.passcode
}

// IngestionToken returns the org's default ingestion token, creating the org
// and the token on first use. The token is valid on that org's ingestion
// routes only.
func (s *Server) IngestionToken(orgName string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.defaultTokenLocked(s.createOrgLocked(orgName)).Token
}

func (s *Server) defaultTokenLocked(o *org) *ingestionToken {
	for _, t := range o.tokens {
		if t.IsDefault {
			return t
		}
	}
	t := &ingestionToken{
		Name: "default", Token: tokenPrefix + randomToken(32), IsDefault: true,
		Enabled: true, CreatedBy: "system", CreatedAt: s.nowMicros(),
	}
	o.tokens = append(o.tokens, t)
	return t
}

const tokenAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// randomToken returns n random alphanumeric characters.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = tokenAlphabet[int(b[i])%len(tokenAlphabet)]
	}
	return string(b)
}

// authorize authenticates an /api request as the server's auth middleware
// does and resolves its org. It answers and reports false on failure.
func (s *Server) authorize(c *call) bool {
	auth := c.r.Header.Get("Authorization")
	if auth == "" {
		c.json(http.StatusUnauthorized, orderedObject{{"code", 401}, {"message", "Unauthorized Access"}})
		return false
	}
	user, ok := s.credentials(c, auth)
	if !ok {
		return false
	}
	orgName := c.param("org")
	s.mu.Lock()
	o := s.orgs[orgName]
	if o == nil && user == s.cfg.rootEmail && c.isIngestion() {
		o = s.createOrgLocked(orgName)
	}
	s.mu.Unlock()
	if o == nil {
		c.text(http.StatusNotFound, "Organization not found")
		return false
	}
	c.org, c.user = o, user
	// A POST without a content type is treated as a form post from here on.
	if c.r.Method == http.MethodPost && c.r.Header.Get("Content-Type") == "" {
		c.r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return true
}

// credentials checks the Authorization header and returns the user's
// e-mail, or answers 401.
func (s *Server) credentials(c *call, auth string) (string, bool) {
	unauthorized := func(msg string) (string, bool) {
		c.rw.Header().Set("WWW-Authenticate", `Bearer realm="openobserve"`)
		c.text(http.StatusUnauthorized, msg)
		return "", false
	}
	if strings.HasPrefix(auth, "Bearer") {
		return unauthorized("Not Supported")
	}
	info, ok := strings.CutPrefix(auth, "Basic ")
	if !ok {
		return unauthorized("Unauthorized Access")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(info))
	if err != nil {
		return unauthorized("Unauthorized Access")
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		return unauthorized("Unauthorized Access")
	}
	if s.validSecret(c, user, strings.TrimSpace(pass)) {
		if strings.EqualFold(user, s.cfg.rootEmail) {
			user = s.cfg.rootEmail
		}
		return user, true
	}
	return unauthorized("Unauthorized Access")
}

// validSecret follows validate_credentials: org tokens first, then the
// passcode on ingestion routes, then the password.
func (s *Server) validSecret(c *call, user, pass string) bool {
	ingest := c.isIngestion()
	s.mu.RLock()
	defer s.mu.RUnlock()
	if strings.HasPrefix(pass, tokenPrefix) {
		o := s.orgs[c.param("org")]
		if o == nil || !ingest {
			return false
		}
		for _, t := range o.tokens {
			if t.Token == pass && t.Enabled {
				return true
			}
		}
		return false
	}
	if !strings.EqualFold(user, s.cfg.rootEmail) {
		return false
	}
	if pass == "" && ingest {
		return false
	}
	if ingest && pass == s.passcode {
		return true
	}
	return pass == s.cfg.rootPassword
}

// handlePasscodeGet answers GET /api/{org}/passcode.
func handlePasscodeGet(c *call) {
	c.json(http.StatusOK, orderedObject{{"data", orderedObject{
		{"passcode", c.s.Passcode(c.s.cfg.rootEmail)}, {"user", c.s.cfg.rootEmail},
	}}})
}

// handlePasscodeRotate answers PUT /api/{org}/passcode with a new passcode.
func handlePasscodeRotate(c *call) {
	c.s.mu.Lock()
	c.s.passcode = randomToken(20)
	c.s.mu.Unlock()
	handlePasscodeGet(c)
}

// handleTokenList answers GET /api/{org}/ingestion-tokens, creating the
// default token when the org has none.
func handleTokenList(c *call) {
	c.s.mu.Lock()
	c.s.defaultTokenLocked(c.org)
	list := make([]ingestionToken, len(c.org.tokens))
	for i, t := range c.org.tokens {
		list[i] = *t
	}
	c.s.mu.Unlock()
	c.json(http.StatusOK, orderedObject{{"data", list}})
}

// handleTokenCreate answers POST /api/{org}/ingestion-tokens.
func handleTokenCreate(c *call) {
	var req struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	if !c.readJSON(&req) {
		return
	}
	if req.Name == "" || strings.IndexFunc(req.Name, func(r rune) bool {
		return !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) >= 0 {
		c.envelope(http.StatusBadRequest, "Invalid token name: only letters, digits, '-' and '_' are allowed")
		return
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	for _, t := range c.org.tokens {
		if t.Name == req.Name {
			c.envelope(http.StatusBadRequest, "Token with this name already exists")
			return
		}
	}
	t := &ingestionToken{
		Name: req.Name, Token: tokenPrefix + randomToken(32), Description: req.Description,
		Enabled: true, CreatedBy: c.user, CreatedAt: c.s.nowMicros(),
	}
	c.org.tokens = append(c.org.tokens, t)
	c.json(http.StatusOK, orderedObject{{"data", *t}})
}

// handleTokenPatch answers PATCH /api/{org}/ingestion-tokens/{name}.
func handleTokenPatch(c *call) {
	var req struct {
		Enabled *bool `json:"enabled"`
	}
	if !c.readJSON(&req) {
		return
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	for _, t := range c.org.tokens {
		if t.Name == c.param("name") {
			if req.Enabled != nil {
				t.Enabled = *req.Enabled
			}
			word := "enabled"
			if !t.Enabled {
				word = "disabled"
			}
			msg, _ := json.Marshal(map[string]string{"message": "Token " + word + " successfully"})
			c.envelope(http.StatusOK, string(msg))
			return
		}
	}
	c.envelope(http.StatusNotFound, "Token not found")
}
