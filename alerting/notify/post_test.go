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

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	date := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	tests := []struct {
		name, in string
		want     time.Duration
	}{
		{"absent", "", 0},
		{"seconds", "120", 2 * time.Minute},
		{"zero seconds", "0", 0},
		{"seconds with spaces", " 7 ", 7 * time.Second},
		{"seconds capped", "86400", MaxRetryAfter},
		{"seconds beyond uint64 capped", "99999999999999999999999", MaxRetryAfter},
		{"negative seconds ignored", "-5", 0},
		{"signed seconds ignored", "+5", 0},
		{"fraction ignored", "1.5", 0},
		{"IMF-fixdate", date(90 * time.Second), 90 * time.Second},
		{"RFC 850 date", now.Add(time.Minute).Format(time.RFC850), time.Minute},
		{"asctime date", now.Add(2 * time.Minute).Format(time.ANSIC), 2 * time.Minute},
		{"date now", date(0), 0},
		{"past date ignored", date(-time.Hour), 0},
		{"far date capped", date(48 * time.Hour), MaxRetryAfter},
		{"garbage ignored", "soon", 0},
		{"date without zone ignored", "2026-01-02T03:05:05", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, parseRetryAfter(tt.in, now))
		})
	}
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

// FuzzParseRetryAfter: any header value gives a wait within bounds.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"", "5", "-1", "18446744073709551616", "Sun, 06 Nov 1994 08:49:37 GMT",
		"Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Fri, 31 Dec 9999 23:59:59 GMT"} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d := parseRetryAfter(s, now)
		require.GreaterOrEqual(t, d, time.Duration(0))
		require.LessOrEqual(t, d, MaxRetryAfter)
	})
}

func TestHTTPErrorRetryDelay(t *testing.T) {
	var rd interface{ RetryDelay() time.Duration } = &HTTPError{Status: 429, RetryAfter: 7 * time.Second}
	assert.Equal(t, 7*time.Second, rd.RetryDelay())
}
