package notify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/alerting"
)

// parseRetryAfter is internal/retryafter's Parse, tested there, with the
// notifiers' limit and no wait for what cannot be read.
func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	assert.Equal(t, 2*time.Minute, parseRetryAfter("120", now))
	assert.Equal(t, MaxRetryAfter, parseRetryAfter("86400", now))
	assert.Equal(t, MaxRetryAfter, parseRetryAfter(now.Add(48*time.Hour).Format(http.TimeFormat), now))
	assert.Zero(t, parseRetryAfter("soon", now))
	assert.Zero(t, parseRetryAfter("", now))
}

// TestPostRetryAfterForms checks that both forms of Retry-After reach the
// HTTPError a notifier returns, through a real HTTP answer.
func TestPostRetryAfterForms(t *testing.T) {
	tests := []struct {
		name     string
		header   func() string
		min, max time.Duration
	}{
		{"seconds", func() string { return "30" }, 30 * time.Second, 30 * time.Second},
		{"http date", func() string { return time.Now().Add(time.Minute).UTC().Format(http.TimeFormat) },
			55 * time.Second, time.Minute},
		{"past http date", func() string { return "Sun, 06 Nov 1994 08:49:37 GMT" }, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", tt.header())
				w.WriteHeader(http.StatusTooManyRequests)
			}))
			defer srv.Close()
			_, err := post(context.Background(), srv.Client(), srv.URL, "text/plain", nil, nil)
			var he *HTTPError
			require.ErrorAs(t, err, &he)
			assert.False(t, alerting.IsPermanent(err), "429 is worth another attempt")
			assert.GreaterOrEqual(t, he.RetryAfter, tt.min)
			assert.LessOrEqual(t, he.RetryAfter, tt.max)
		})
	}
}

func TestHTTPErrorRetryDelay(t *testing.T) {
	var rd interface{ RetryDelay() time.Duration } = &HTTPError{Status: 429, RetryAfter: 7 * time.Second}
	assert.Equal(t, 7*time.Second, rd.RetryDelay())
}
