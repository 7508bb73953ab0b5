package o2kit

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "o2kit.yaml")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func clearEnv(t *testing.T) {
	for _, k := range []string{EnvURL, EnvOrg, EnvUser, EnvToken, EnvPassword} {
		t.Setenv(k, "")
	}
}

func TestConfigDefaults(t *testing.T) {
	clearEnv(t)
	s, err := buildConfig(nil)
	require.NoError(t, err)
	assert.Equal(t, "http://localhost:5080", s.endpointURLs[0].String())
	assert.Equal(t, "default", s.org)
	assert.Equal(t, 100, s.batchSize)
	assert.Equal(t, 1<<20, s.batchBytes)
	assert.Equal(t, 5*time.Second, s.flushInterval)
	assert.Equal(t, 3, s.maxRetries)
	assert.Equal(t, 30*time.Second, s.timeout)
	assert.Equal(t, int64(64<<20), s.maxBuffered)
	assert.Equal(t, Gzip, s.compression)
	assert.False(t, s.overflow.block)
	assert.Equal(t, "o2kit_id", s.idKey)
	assert.Equal(t, 5*time.Hour, s.ingestWindow)
	assert.Empty(t, s.authHeader)
	assert.Equal(t, DefaultStreams(), s.streams)
}

func TestConfigPrecedence(t *testing.T) {
	clearEnv(t)
	t.Setenv(EnvURL, "http://env-a:5080, http://env-b:5080")
	t.Setenv(EnvOrg, "env-org")
	t.Setenv(EnvUser, "env@example.com")
	t.Setenv(EnvToken, "env-token")
	t.Setenv("SHOP_TOKEN", "file-token")

	s, err := buildConfig(nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"http://env-a:5080", "http://env-b:5080"}, []string{s.endpointURLs[0].String(), s.endpointURLs[1].String()})
	assert.Equal(t, "env-org", s.org)
	assert.Equal(t, auth{kind: authBasic, user: "env@example.com", secret: "env-token"}, s.auth)

	file := writeFile(t, `
openobserve:
  url: "http://file:5080"
  organization: "caddy-shopping"
  auth: { type: "basic", user: "file@example.com", token: "${SHOP_TOKEN}" }
  streams: { application_logs: "app-logs" }
  retention: { logs: "14d", traces: "168h" }
  performance: { batch_size: 50, flush_interval: 2000, max_retries: 5, timeout: 10000, compression: zstd }
other_section: { anything: 1 }
`)
	s, err = buildConfig([]Option{WithConfigFile(file)})
	require.NoError(t, err)
	assert.Equal(t, "http://file:5080", s.endpointURLs[0].String(), "the file wins over the environment")
	assert.Equal(t, "caddy-shopping", s.org)
	assert.Equal(t, auth{kind: authBasic, user: "file@example.com", secret: "file-token"}, s.auth)
	assert.Equal(t, "app-logs", s.streams.ApplicationLogs)
	assert.Equal(t, "business-events", s.streams.BusinessEvents, "streams the file leaves out keep their defaults")
	assert.Equal(t, map[string]int{"app-logs": 14, "traces": 7}, s.retention)
	assert.Equal(t, 50, s.batchSize)
	assert.Equal(t, 2*time.Second, s.flushInterval)
	assert.Equal(t, 5, s.maxRetries)
	assert.Equal(t, 10*time.Second, s.timeout)
	assert.Equal(t, Zstd, s.compression)

	s, err = buildConfig([]Option{WithOrg("opt-org"), WithConfigFile(file), WithBatchSize(7), WithBearerToken("tok")})
	require.NoError(t, err)
	assert.Equal(t, "opt-org", s.org, "options win over the file, wherever they are given")
	assert.Equal(t, 7, s.batchSize)
	assert.Equal(t, "Bearer tok", s.authHeader)
	assert.Equal(t, 5, s.maxRetries, "the file still sets what options leave alone")
}

func TestConfigEnvAuthForms(t *testing.T) {
	clearEnv(t)
	t.Setenv(EnvToken, "only-token")
	s, err := buildConfig(nil)
	require.NoError(t, err)
	assert.Equal(t, "Bearer only-token", s.authHeader)

	t.Setenv(EnvToken, "")
	t.Setenv(EnvUser, "u@example.com")
	t.Setenv(EnvPassword, "pw")
	s, err = buildConfig(nil)
	require.NoError(t, err)
	assert.Equal(t, "Basic dUBleGFtcGxlLmNvbTpwdw==", s.authHeader)

	clearEnv(t)
	s, err = buildConfig([]Option{WithEndpoint("https://root%40example.com:s3cret@o2.example.com/base")})
	require.NoError(t, err)
	assert.Equal(t, auth{kind: authBasic, user: "root@example.com", secret: "s3cret"}, s.auth)
	assert.Equal(t, "https://o2.example.com/base", s.endpointURLs[0].String(), "user info leaves the URL")
}

func TestConfigErrorsNameTheSetting(t *testing.T) {
	clearEnv(t)
	cases := []struct {
		opt     Option
		setting string
		value   string
	}{
		{WithBatchSize(0), "batch_size", "0"},
		{WithBatchBytes(10), "batch_bytes", "10"},
		{WithFlushInterval(0), "flush_interval", "0s"},
		{WithMaxRetries(-1), "max_retries", "-1"},
		{WithTimeout(-time.Second), "timeout", "-1s"},
		{WithMaxBufferedBytes(100), "max_buffered_bytes", "100"},
		{WithOverflow(Block(0)), "overflow", "block 0s"},
		{WithCompression(Compression(9)), "compression", "9"},
		{WithSpool("x", -1), "spool_max_bytes", "-1"},
		{WithIngestWindow(0), "ingest_window", "0s"},
		{WithConcurrency(0), "concurrency", "0"},
		{WithOrg("a/b"), "org", "a/b"},
		{WithOrg(""), "org", ""},
		{WithEndpoint(), "endpoint", ""},
		{WithEndpoint("localhost:5080"), "endpoint", "localhost:5080"},
		{WithEndpoint("ftp://x"), "endpoint", "ftp://x"},
		{WithEndpoint("http://x?y=1"), "endpoint", "http://x?y=1"},
		{WithIDField("Bad-Name"), "id_field", "Bad-Name"},
		{WithStreams(Streams{Audit: "***"}), "", ""},
		{WithRetention("audit", 0), "retention", "audit=0"},
		{WithBasicAuth("", "pw"), "auth", "basic"},
		{WithBasicAuth("a:b", "pw"), "auth", "basic"},
		{WithBearerToken(""), "auth", "bearer"},
		{WithConfigFile("/does/not/exist.yaml"), "config_file", "/does/not/exist.yaml"},
	}
	for _, c := range cases {
		cl, err := New(c.opt)
		if err == nil {
			require.NoError(t, cl.Shutdown(context.Background()))
		}
		if c.setting == "" {
			continue
		}
		var ce *ConfigError
		require.ErrorAs(t, err, &ce, "%s", c.setting)
		assert.Equal(t, c.setting, ce.Setting)
		assert.Equal(t, c.value, ce.Value)
		assert.Contains(t, err.Error(), "o2kit: invalid "+c.setting)
	}
	cl, err := New(WithTLSConfig(nil), WithHTTPClient(&http.Client{Transport: roundTripFunc(nil)}))
	require.NoError(t, err, "nil TLS config means none")
	require.NoError(t, cl.Shutdown(context.Background()))
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestConfigErrorsNeverShowCredentials(t *testing.T) {
	clearEnv(t)
	for _, raw := range []string{"http://u:hunter2@bad host/", "ftp://u:hunter2@x", "http://u:hunter2@x/?q=1", "u:hunter2@%zz"} {
		_, err := New(WithEndpoint(raw))
		require.Error(t, err, raw)
		assert.NotContains(t, err.Error(), "hunter2", raw)
	}
	_, err := New(WithBasicAuth("a:b", "hunter2"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")

	file := writeFile(t, "openobserve:\n  auth: { type: magic, token: hunter2 }\n")
	_, err = New(WithConfigFile(file))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
}

func TestConfigFileErrors(t *testing.T) {
	clearEnv(t)
	for body, want := range map[string]string{
		"openobserve:\n  colour: blue\n":                               "field colour not found",
		"openobserve:\n  performance: { batch_size: many }\n":          "cannot unmarshal",
		"openobserve:\n  retention: { logs: \"3 weeks\" }\n":           "retention.logs",
		"openobserve:\n  retention: { forever: \"3d\" }\n":             "retention.forever",
		"openobserve:\n  performance: { compression: brotli }\n":       "performance.compression",
		"openobserve:\n  performance: { batch_size: 0 }\n":             "batch_size",
		"openobserve: [1, 2\n":                                         "config_file",
		"openobserve:\n  streams: { application_logs: 1, extra: x }\n": "field extra not found",
	} {
		_, err := New(WithConfigFile(writeFile(t, body)))
		require.Error(t, err, body)
		assert.Contains(t, err.Error(), want, body)
		var ce *ConfigError
		assert.True(t, errors.As(err, &ce), body)
	}
	s, err := buildConfig([]Option{WithConfigFile(writeFile(t, "logging: { level: debug }\n"))})
	require.NoError(t, err, "a file without an openobserve section changes nothing")
	assert.Equal(t, "default", s.org)
	s, err = buildConfig([]Option{WithConfigFile(writeFile(t, "openobserve:\n  url: [\"http://a\", \"http://b\"]\n  spool: { dir: /tmp/x, max_bytes: 1000 }\n"))})
	require.NoError(t, err)
	assert.Len(t, s.endpointURLs, 2)
	assert.Equal(t, "/tmp/x", s.spoolDir)
}

func TestConfigFileExpandsOnlyValues(t *testing.T) {
	clearEnv(t)
	t.Setenv("O2_ORG", "from-env")
	t.Setenv("O2_KEY", "organization")
	s, err := buildConfig([]Option{WithConfigFile(writeFile(t, "openobserve:\n  organization: \"${O2_ORG}\"\n  auth: { user: \"$HOME@x\", password: \"a$b${UNSET_VAR_X}c\" }\n"))})
	require.NoError(t, err)
	assert.Equal(t, "from-env", s.org)
	assert.Equal(t, "$HOME@x", s.auth.user, "only ${VAR} expands")
	assert.Equal(t, "a$bc", s.auth.secret)
	_, err = buildConfig([]Option{WithConfigFile(writeFile(t, "openobserve:\n  ${O2_KEY}: x\n"))})
	assert.Error(t, err, "keys are not expanded")
}

func FuzzConfigFile(f *testing.F) {
	f.Add([]byte("openobserve:\n  url: http://a\n  organization: o\n  performance: { batch_size: 5 }\n"))
	f.Add([]byte("openobserve:\n  auth: { type: bearer, token: ${T} }\n  retention: { logs: 30d }\n"))
	f.Add([]byte("openobserve: [\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		fc, err := parseConfigFile(raw, func(string) string { return "v" })
		if err != nil {
			return
		}
		c := defaults()
		if err := c.applyFileConfig(fc); err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("file error is not a ConfigError: %v", err)
			}
			return
		}
		if _, err := c.validate(); err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("validation error is not a ConfigError: %v", err)
			}
			if strings.Contains(err.Error(), "\x00") {
				t.Fatalf("error carries raw bytes: %q", err)
			}
		}
	})
}
