package o2kit

import (
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/o2kit/o2kit/internal/norm"
	"github.com/o2kit/o2kit/internal/wire"
)

// config is every setting of a Client. It is built in one order: defaults,
// environment, config file, options; then validated.
type config struct {
	endpoints     []string
	org           string
	auth          auth
	httpClient    *http.Client
	tls           *tls.Config
	batchSize     int
	batchBytes    int
	flushInterval time.Duration
	maxRetries    int
	timeout       time.Duration
	maxBuffered   int64
	overflow      Overflow
	compression   Compression
	spoolDir      string
	spoolMax      int64
	ingestWindow  time.Duration
	processors    []Processor
	errorHandler  ErrorHandler
	streams       Streams
	retention     map[string]int // days by stream name as configured
	configFile    string
	idField       *string
	concurrency   int
	now           func() time.Time
}

type authKind uint8

const (
	authNone authKind = iota
	authBasic
	authBearer
)

type auth struct {
	kind   authKind
	user   string
	secret string
}

// header returns the Authorization header value.
func (a auth) header() string {
	switch a.kind {
	case authBasic:
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(a.user+":"+a.secret))
	case authBearer:
		return "Bearer " + a.secret
	}
	return ""
}

// Defaults, as the package documentation lists them.
const (
	DefaultEndpoint      = "http://localhost:5080"
	DefaultOrg           = "default"
	DefaultBatchSize     = 100
	DefaultBatchBytes    = 1 << 20
	DefaultFlushInterval = 5 * time.Second
	DefaultMaxRetries    = 3
	DefaultTimeout       = 30 * time.Second
	DefaultMaxBuffered   = 64 << 20
	DefaultSpoolMax      = 1 << 30
	DefaultIngestWindow  = 5 * time.Hour
	DefaultIDField       = "o2kit_id"
	DefaultConcurrency   = 4
)

func defaults() config {
	return config{
		endpoints:     []string{DefaultEndpoint},
		org:           DefaultOrg,
		batchSize:     DefaultBatchSize,
		batchBytes:    DefaultBatchBytes,
		flushInterval: DefaultFlushInterval,
		maxRetries:    DefaultMaxRetries,
		timeout:       DefaultTimeout,
		maxBuffered:   DefaultMaxBuffered,
		ingestWindow:  DefaultIngestWindow,
		streams:       DefaultStreams(),
		concurrency:   DefaultConcurrency,
		now:           time.Now,
	}
}

// Environment variables read by New.
const (
	EnvURL      = "OPENOBSERVE_URL"      // endpoints, comma-separated
	EnvOrg      = "OPENOBSERVE_ORG"      // organization
	EnvUser     = "OPENOBSERVE_USER"     // Basic user (e-mail)
	EnvToken    = "OPENOBSERVE_TOKEN"    // Basic secret with EnvUser, else a Bearer token
	EnvPassword = "OPENOBSERVE_PASSWORD" // Basic secret when EnvToken is unset
)

func (c *config) applyEnv(getenv func(string) string) {
	if v := getenv(EnvURL); v != "" {
		c.endpoints = splitList(v)
	}
	if v := getenv(EnvOrg); v != "" {
		c.org = v
	}
	user, token, password := getenv(EnvUser), getenv(EnvToken), getenv(EnvPassword)
	switch {
	case user != "" && token != "":
		c.auth = auth{kind: authBasic, user: user, secret: token}
	case user != "":
		c.auth = auth{kind: authBasic, user: user, secret: password}
	case token != "":
		c.auth = auth{kind: authBearer, secret: token}
	}
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// settings is a validated config turned into what the client runs on.
type settings struct {
	config
	endpointURLs []*url.URL
	authHeader   string
	idKey        string
}

func (c config) validate() (*settings, error) {
	s := &settings{config: c}
	if len(c.endpoints) == 0 {
		return nil, &ConfigError{Setting: "endpoint", Reason: "at least one URL is required"}
	}
	for _, raw := range c.endpoints {
		u, err := parseEndpoint(raw)
		if err != nil {
			return nil, err
		}
		if u.User != nil {
			if s.auth.kind == authNone {
				pw, _ := u.User.Password()
				s.auth = auth{kind: authBasic, user: u.User.Username(), secret: pw}
			}
			u.User = nil
		}
		s.endpointURLs = append(s.endpointURLs, u)
	}
	if err := c.validateNumbers(); err != nil {
		return nil, err
	}
	if c.org == "" || strings.ContainsAny(c.org, "/?#% \t\n") {
		return nil, &ConfigError{Setting: "org", Value: c.org, Reason: "must be a non-empty name without '/', '?', '#', '%' or spaces"}
	}
	if err := s.auth.validate(); err != nil {
		return nil, err
	}
	s.authHeader = s.auth.header()
	if c.tls != nil && c.httpClient != nil && c.httpClient.Transport != nil {
		if _, ok := c.httpClient.Transport.(*http.Transport); !ok {
			return nil, &ConfigError{Setting: "tls_config", Value: fmt.Sprintf("%T", c.httpClient.Transport), Reason: "WithTLSConfig needs WithHTTPClient's Transport to be an *http.Transport"}
		}
	}
	s.idKey = DefaultIDField
	if c.idField != nil {
		s.idKey = *c.idField
	}
	if s.idKey != "" && !norm.IsKey(s.idKey) {
		return nil, &ConfigError{Setting: "id_field", Value: s.idKey, Reason: "must be a normalised key: lower-case letters, digits and '_'"}
	}
	if s.idKey == wire.TimestampKey || s.idKey == OriginalTimestampField {
		return nil, &ConfigError{Setting: "id_field", Value: s.idKey, Reason: "is a field that holds a record's time"}
	}
	if err := c.streams.validate(); err != nil {
		return nil, err
	}
	for stream, days := range c.retention {
		if days < 1 {
			return nil, &ConfigError{Setting: "retention", Value: stream + "=" + strconv.Itoa(days), Reason: "must be at least 1 day"}
		}
	}
	if s.spoolMax == 0 {
		s.spoolMax = DefaultSpoolMax
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

func parseEndpoint(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, &ConfigError{Setting: "endpoint", Value: redactURL(raw), Reason: "not a URL", Err: err}
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &ConfigError{Setting: "endpoint", Value: redactURL(raw), Reason: "must be an absolute http or https URL"}
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, &ConfigError{Setting: "endpoint", Value: redactURL(raw), Reason: "must not have a query or fragment"}
	}
	return u, nil
}

// redactURL hides everything between "://" and "@" of a URL that does not
// parse, so a password in it never reaches an error.
func redactURL(raw string) string {
	if at := strings.LastIndex(raw, "@"); at >= 0 {
		start := strings.Index(raw, "://")
		if start >= 0 && start < at {
			return raw[:start+3] + "xxxxx" + raw[at:]
		}
		return "xxxxx" + raw[at:]
	}
	return raw
}

func (c config) validateNumbers() error {
	checks := []struct {
		ok      bool
		setting string
		value   string
		reason  string
	}{
		{c.batchSize >= 1, "batch_size", strconv.Itoa(c.batchSize), "must be at least 1"},
		{c.batchBytes >= 1024, "batch_bytes", strconv.Itoa(c.batchBytes), "must be at least 1024"},
		{c.flushInterval > 0, "flush_interval", c.flushInterval.String(), "must be above zero"},
		{c.maxRetries >= 0, "max_retries", strconv.Itoa(c.maxRetries), "must not be negative"},
		{c.timeout > 0, "timeout", c.timeout.String(), "must be above zero"},
		{c.maxBuffered >= int64(c.batchBytes), "max_buffered_bytes", strconv.FormatInt(c.maxBuffered, 10), "must be at least batch_bytes (" + strconv.Itoa(c.batchBytes) + ")"},
		{!c.overflow.block || c.overflow.timeout > 0, "overflow", "block " + c.overflow.timeout.String(), "a blocking wait needs a timeout above zero"},
		{c.compression <= Uncompressed, "compression", strconv.Itoa(int(c.compression)), "must be Gzip, Zstd or Uncompressed"},
		{c.spoolMax >= 0, "spool_max_bytes", strconv.FormatInt(c.spoolMax, 10), "must not be negative"},
		{c.ingestWindow > 0, "ingest_window", c.ingestWindow.String(), "must be above zero"},
		{c.concurrency >= 1, "concurrency", strconv.Itoa(c.concurrency), "must be at least 1"},
	}
	for _, ch := range checks {
		if !ch.ok {
			return &ConfigError{Setting: ch.setting, Value: ch.value, Reason: ch.reason}
		}
	}
	return nil
}

func (a auth) validate() error {
	switch a.kind {
	case authBasic:
		if a.user == "" {
			return &ConfigError{Setting: "auth", Value: "basic", Reason: "a user is required"}
		}
		if strings.Contains(a.user, ":") {
			return &ConfigError{Setting: "auth", Value: "basic", Reason: "the user must not contain ':'"}
		}
	case authBearer:
		if a.secret == "" {
			return &ConfigError{Setting: "auth", Value: "bearer", Reason: "a token is required (open-source OpenObserve accepts only Basic: WithBasicAuth)"}
		}
	}
	return nil
}
