package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/alerting"
)

const hookSecret = "hook-s3cret-key"

// hookRequest is what the fake receiver saw.
type hookRequest struct {
	header http.Header
	body   []byte
}

// hookServer answers every request with status (and Retry-After when
// retryAfter is set) and sends what it received on the returned channel.
func hookServer(t *testing.T, status int, retryAfter string) (*httptest.Server, chan hookRequest) {
	t.Helper()
	got := make(chan hookRequest, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- hookRequest{r.Header.Clone(), body}
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"answer":"from receiver"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

// independentSignature computes the documented signature without the
// package's signer.
func independentSignature(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "." + string(body)))
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func TestWebhookSignedPayload(t *testing.T) {
	srv, got := hookServer(t, http.StatusOK, "")
	w, err := NewWebhook(srv.URL+"/hook?token=abc", WithSecret(hookSecret),
		WithWebhookHeader("X-Team", "ops"), WithWebhookClock(func() time.Time { return fixtureTime }))
	require.NoError(t, err)
	require.NoError(t, w.Notify(context.Background(), fixtureA(alerting.StatusResolved)))
	req := <-got

	ts := strconv.FormatInt(fixtureTime.Unix(), 10)
	assert.Equal(t, ts, req.header.Get("X-O2kit-Timestamp"))
	assert.Equal(t, independentSignature(hookSecret, ts, req.body), req.header.Get("X-O2kit-Signature"))
	assert.Equal(t, "application/json", req.header.Get("Content-Type"))
	assert.Equal(t, "ops", req.header.Get("X-Team"))

	var p map[string]any
	require.NoError(t, json.Unmarshal(req.body, &p))
	for _, k := range []string{"version", "status", "receiver", "groupLabels", "commonLabels",
		"commonAnnotations", "groupKey", "alerts", "tier", "test", "title", "message"} {
		assert.Contains(t, p, k)
	}
	assert.Equal(t, "4", p["version"])
	assert.Equal(t, "resolved", p["status"])
	assert.Equal(t, "ops", p["receiver"])
	assert.Equal(t, `{}:{alertname="HighLatency"}`, p["groupKey"])
	assert.Equal(t, map[string]any{"alertname": "HighLatency"}, p["groupLabels"])
	assert.EqualValues(t, 1, p["tier"])
	assert.Equal(t, "[RESOLVED] HighLatency", p["title"])
	assert.Contains(t, p["message"], "- [resolved] HighLatency (critical): p99 above 2s on api-1")

	alerts := p["alerts"].([]any)
	require.Len(t, alerts, 2)
	a := alerts[1].(map[string]any)
	assert.Equal(t, "resolved", a["status"])
	assert.Equal(t, "fp-api-2", a["fingerprint"])
	assert.Equal(t, "2026-01-02T02:59:05Z", a["startsAt"])
	assert.Equal(t, "2026-01-02T03:04:05Z", a["endsAt"])
	assert.Equal(t, "api-2", a["labels"].(map[string]any)["instance"])
	assert.Equal(t, "p99 above 2s on api-2", a["annotations"].(map[string]any)["summary"])

	assert.NoError(t, verifyWebhookAt(hookSecret, req.header, req.body, 0, fixtureTime))
}

func TestWebhookFiringDecodesAsMessage(t *testing.T) {
	srv, got := hookServer(t, http.StatusNoContent, "")
	w, err := NewWebhook(srv.URL, WithWebhookTemplate(`{{ .Receiver }}!`, `{{ len .Alerts }} alerts`))
	require.NoError(t, err)
	n := fixtureA(alerting.StatusFiring)
	n.Alerts[0].Ack = &alerting.Ack{By: "ana", At: fixtureTime, Comment: "on it"}
	require.NoError(t, w.Notify(context.Background(), n))
	req := <-got
	assert.Empty(t, req.header.Get(HeaderSignature), "unsigned without a secret")

	var m WebhookMessage
	dec := json.NewDecoder(bytes.NewReader(req.body))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&m))
	assert.Equal(t, "ops!", m.Title)
	assert.Equal(t, "2 alerts", m.Message)
	assert.Equal(t, "firing", m.Alerts[0].Status)
	assert.True(t, m.Alerts[0].EndsAt.IsZero())
	assert.Equal(t, "ana", m.Alerts[0].Ack.By)
	assert.Nil(t, m.Alerts[1].Ack)
}

func TestWebhookStatusClassified(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		retryAfter string
		wantErr    bool
		permanent  bool
		wantRetry  time.Duration
	}{
		{"ok", http.StatusOK, "", false, false, 0},
		{"accepted", http.StatusAccepted, "", false, false, 0},
		{"server error retries", http.StatusInternalServerError, "", true, false, 0},
		{"bad request is permanent", http.StatusBadRequest, "", true, true, 0},
		{"unauthorized is permanent", http.StatusUnauthorized, "", true, true, 0},
		{"too many requests retries later", http.StatusTooManyRequests, "7", true, false, 7 * time.Second},
		{"unavailable retries later", http.StatusServiceUnavailable, "3", true, false, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := hookServer(t, tt.status, tt.retryAfter)
			w, err := NewWebhook(srv.URL+"/t/tok-in-path?key=tok-in-query", WithSecret(hookSecret))
			require.NoError(t, err)
			err = w.Notify(context.Background(), fixtureA(alerting.StatusFiring))
			if !tt.wantErr {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.permanent, alerting.IsPermanent(err))
			var he *HTTPError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, tt.status, he.Status)
			assert.Equal(t, tt.wantRetry, he.RetryAfter)
			assertNoLeak(t, err, hookSecret, "tok-in-path", "tok-in-query")
		})
	}
}

func TestWebhookTransportErrorHidesURL(t *testing.T) {
	srv, _ := hookServer(t, http.StatusOK, "")
	srv.Close()
	w, err := NewWebhook(srv.URL + "/t/tok-in-path")
	require.NoError(t, err)
	err = w.Notify(context.Background(), fixtureA(alerting.StatusFiring))
	require.Error(t, err)
	assert.False(t, alerting.IsPermanent(err))
	assertNoLeak(t, err, "tok-in-path", srv.URL)
}

func TestWebhookTLSClient(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("Content-Type")
	}))
	defer srv.Close()

	w, err := NewWebhook(srv.URL)
	require.NoError(t, err)
	err = w.Notify(context.Background(), fixtureA(alerting.StatusFiring))
	require.Error(t, err, "the default client does not trust the test CA")

	w, err = NewWebhook(srv.URL, WithWebhookHTTPClient(srv.Client()))
	require.NoError(t, err)
	require.NoError(t, w.Notify(context.Background(), fixtureA(alerting.StatusFiring)))
	assert.Equal(t, "application/json", <-got)
}

func TestNewWebhookRejects(t *testing.T) {
	tests := []struct {
		name string
		url  string
		opts []WebhookOption
		want string
	}{
		{"relative URL", "/hook", nil, "absolute http or https URL"},
		{"other scheme", "ftp://example.com/tok-in-url", nil, "absolute http or https URL"},
		{"unparsable URL", "http://exa mple.com/tok-in-url\x7f", nil, "absolute http or https URL"},
		{"empty secret", "https://example.com", []WebhookOption{WithSecret("")}, "secret is empty"},
		{"bad template", "https://example.com", []WebhookOption{WithWebhookTemplate("{{", "")}, "title template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewWebhook(tt.url, tt.opts...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assertNoLeak(t, err, "tok-in-url")
		})
	}
}

func TestVerifyWebhook(t *testing.T) {
	body := []byte(`{"version":"4"}`)
	ts := strconv.FormatInt(fixtureTime.Unix(), 10)
	signed := func(secret, ts string, body []byte) http.Header {
		return http.Header{HeaderTimestamp: {ts}, HeaderSignature: {independentSignature(secret, ts, body)}}
	}
	tests := []struct {
		name   string
		header http.Header
		body   []byte
		now    time.Time
		want   error
	}{
		{"valid", signed(hookSecret, ts, body), body, fixtureTime, nil},
		{"valid within skew", signed(hookSecret, ts, body), body, fixtureTime.Add(4 * time.Minute), nil},
		{"other secret", signed("other", ts, body), body, fixtureTime, ErrSignatureMismatch},
		{"body changed", signed(hookSecret, ts, body), []byte(`{"version":"5"}`), fixtureTime, ErrSignatureMismatch},
		{"timestamp changed", func() http.Header {
			h := signed(hookSecret, ts, body)
			h.Set(HeaderTimestamp, ts+"1")
			return h
		}(), body, fixtureTime, ErrSignatureMismatch},
		{"not hex", http.Header{HeaderTimestamp: {ts}, HeaderSignature: {"sha256=zz"}}, body, fixtureTime, ErrSignatureMismatch},
		{"no prefix", http.Header{HeaderTimestamp: {ts}, HeaderSignature: {"abc"}}, body, fixtureTime, ErrSignatureMissing},
		{"no headers", http.Header{}, body, fixtureTime, ErrSignatureMissing},
		{"too old", signed(hookSecret, ts, body), body, fixtureTime.Add(6 * time.Minute), ErrSignatureExpired},
		{"from the future", signed(hookSecret, ts, body), body, fixtureTime.Add(-6 * time.Minute), ErrSignatureExpired},
		{"timestamp not a number", signed(hookSecret, "x", body), body, fixtureTime, ErrSignatureMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := verifyWebhookAt(hookSecret, tt.header, tt.body, 0, tt.now)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
			assertNoLeak(t, err, hookSecret)
		})
	}
	assert.ErrorIs(t, VerifyWebhook(hookSecret, signed(hookSecret, ts, body), body, time.Minute), ErrSignatureExpired)
}
