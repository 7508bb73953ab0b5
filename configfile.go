package o2kit

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// fileConfig is the openobserve section of a config file:
//
//	openobserve:
//	  url: "http://localhost:5080"        # or a list of URLs
//	  organization: "caddy-shopping"
//	  auth: { type: "basic", user: "ops@example.com", token: "${OPENOBSERVE_TOKEN}" }
//	  streams: { application_logs: "application-logs", business_events: "business-events", ... }
//	  retention: { logs: "30d", metrics: "90d", traces: "7d", business_events: "365d" }
//	  performance: { batch_size: 100, flush_interval: 5000, max_retries: 3, timeout: 30000 }
//	  spool: { dir: "/var/lib/shop/o2spool", max_bytes: 1073741824 }
type fileConfig struct {
	URL          stringList        `yaml:"url"`
	Organization string            `yaml:"organization"`
	Auth         *fileAuth         `yaml:"auth"`
	Streams      Streams           `yaml:"streams"`
	Retention    map[string]string `yaml:"retention"`
	Performance  filePerformance   `yaml:"performance"`
	Spool        *fileSpool        `yaml:"spool"`
}

type fileAuth struct {
	Type     string `yaml:"type"` // basic (default) or bearer
	User     string `yaml:"user"`
	Password string `yaml:"password"`
	Token    string `yaml:"token"`
}

type filePerformance struct {
	BatchSize        *int    `yaml:"batch_size"`
	BatchBytes       *int    `yaml:"batch_bytes"`
	FlushInterval    *int64  `yaml:"flush_interval"` // milliseconds
	MaxRetries       *int    `yaml:"max_retries"`
	Timeout          *int64  `yaml:"timeout"` // milliseconds
	MaxBufferedBytes *int64  `yaml:"max_buffered_bytes"`
	Concurrency      *int    `yaml:"concurrency"`
	Compression      *string `yaml:"compression"` // gzip, zstd or none
}

type fileSpool struct {
	Dir      string `yaml:"dir"`
	MaxBytes int64  `yaml:"max_bytes"`
}

// stringList takes a YAML string or a list of strings.
type stringList []string

func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*l = splitList(n.Value)
		return nil
	}
	var s []string
	if err := n.Decode(&s); err != nil {
		return err
	}
	*l = s
	return nil
}

// applyFile reads the YAML file at path over c. Unknown keys in the
// openobserve section are errors; other top-level sections are left to
// their owners.
func (c *config) applyFile(path string, getenv func(string) string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return &ConfigError{Setting: "config_file", Value: path, Reason: "cannot be read", Err: err}
	}
	fc, err := parseConfigFile(raw, getenv)
	if err != nil {
		return &ConfigError{Setting: "config_file", Value: path, Reason: err.Error(), Err: err}
	}
	return c.applyFileConfig(fc)
}

func parseConfigFile(raw []byte, getenv func(string) string) (*fileConfig, error) {
	var top struct {
		OpenObserve yaml.Node `yaml:"openobserve"`
	}
	if err := yaml.Unmarshal(raw, &top); err != nil {
		return nil, err
	}
	fc := &fileConfig{}
	if top.OpenObserve.Kind == 0 {
		return fc, nil
	}
	expandNode(&top.OpenObserve, getenv)
	// Decode the node again through a strict decoder, to reject unknown keys.
	var buf bytes.Buffer
	if err := yaml.NewEncoder(&buf).Encode(&top.OpenObserve); err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(&buf)
	dec.KnownFields(true)
	if err := dec.Decode(fc); err != nil {
		return nil, err
	}
	return fc, nil
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandNode replaces ${VAR} in scalar values (never in keys) with the
// environment's value.
func expandNode(n *yaml.Node, getenv func(string) string) {
	if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "${") {
		n.Value = envRef.ReplaceAllStringFunc(n.Value, func(ref string) string {
			return getenv(ref[2 : len(ref)-1])
		})
	}
	for i, child := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 0 {
			continue
		}
		expandNode(child, getenv)
	}
}

func (c *config) applyFileConfig(fc *fileConfig) error {
	if len(fc.URL) > 0 {
		c.endpoints = fc.URL
	}
	if fc.Organization != "" {
		c.org = fc.Organization
	}
	if fc.Auth != nil {
		a, err := fc.Auth.auth()
		if err != nil {
			return err
		}
		c.auth = a
	}
	c.streams = c.streams.merge(fc.Streams)
	if err := c.applyRetention(fc.Retention); err != nil {
		return err
	}
	if err := c.applyPerformance(fc.Performance); err != nil {
		return err
	}
	if fc.Spool != nil {
		c.spoolDir, c.spoolMax = fc.Spool.Dir, fc.Spool.MaxBytes
	}
	return nil
}

func (a fileAuth) auth() (auth, error) {
	secret := a.Token
	if secret == "" {
		secret = a.Password
	}
	switch strings.ToLower(a.Type) {
	case "", "basic":
		return auth{kind: authBasic, user: a.User, secret: secret}, nil
	case "bearer":
		return auth{kind: authBearer, secret: secret}, nil
	}
	return auth{}, &ConfigError{Setting: "auth.type", Value: a.Type, Reason: "must be basic or bearer"}
}

// retentionStream maps a retention key of the file to the stream it sets.
func (c *config) retentionStream(key string) (string, bool) {
	s := c.streams
	m := map[string]string{
		"logs": s.ApplicationLogs, "application_logs": s.ApplicationLogs, "business_events": s.BusinessEvents,
		"user_behavior": s.UserBehavior, "metrics": s.Metrics, "traces": s.Traces, "alerts": s.Alerts,
		"audit": s.Audit, "dead_letter": s.DeadLetter,
	}
	name, ok := m[key]
	return name, ok
}

func (c *config) applyRetention(r map[string]string) error {
	for key, v := range r {
		stream, ok := c.retentionStream(key)
		if !ok {
			return &ConfigError{Setting: "retention." + key, Value: v, Reason: "unknown stream; use logs, business_events, user_behavior, metrics, traces, alerts, audit or dead_letter"}
		}
		days, err := parseDays(v)
		if err != nil {
			return &ConfigError{Setting: "retention." + key, Value: v, Reason: err.Error()}
		}
		if c.retention == nil {
			c.retention = map[string]int{}
		}
		c.retention[stream] = days
	}
	return nil
}

// parseDays reads "30d", "30" or a Go duration in whole days ("720h").
func parseDays(v string) (int, error) {
	v = strings.TrimSpace(v)
	if n, err := strconv.Atoi(strings.TrimSuffix(v, "d")); err == nil {
		if n < 1 {
			return 0, fmt.Errorf("must be at least 1 day")
		}
		return n, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 24*time.Hour || d%(24*time.Hour) != 0 {
		return 0, fmt.Errorf(`must be whole days, such as "30d"`)
	}
	return int(d / (24 * time.Hour)), nil
}

func (c *config) applyPerformance(p filePerformance) error {
	if p.BatchSize != nil {
		c.batchSize = *p.BatchSize
	}
	if p.BatchBytes != nil {
		c.batchBytes = *p.BatchBytes
	}
	if p.FlushInterval != nil {
		c.flushInterval = time.Duration(*p.FlushInterval) * time.Millisecond
	}
	if p.MaxRetries != nil {
		c.maxRetries = *p.MaxRetries
	}
	if p.Timeout != nil {
		c.timeout = time.Duration(*p.Timeout) * time.Millisecond
	}
	if p.MaxBufferedBytes != nil {
		c.maxBuffered = *p.MaxBufferedBytes
	}
	if p.Concurrency != nil {
		c.concurrency = *p.Concurrency
	}
	if p.Compression != nil {
		switch strings.ToLower(*p.Compression) {
		case "gzip":
			c.compression = Gzip
		case "zstd":
			c.compression = Zstd
		case "none", "":
			c.compression = Uncompressed
		default:
			return &ConfigError{Setting: "performance.compression", Value: *p.Compression, Reason: "must be gzip, zstd or none"}
		}
	}
	return nil
}
