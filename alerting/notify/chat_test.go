package notify

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/alerting"
)

// chatTime is the pinned clock of the chat notifier tests.
var chatTime = time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)

func chatNow() time.Time { return chatTime }

// chatNotification is a notification with one alert of the given severity.
func chatNotification(status string, sev alerting.Severity) *alerting.Notification {
	state := alerting.StateFiring
	if status == alerting.StatusResolved {
		state = alerting.StateResolved
	}
	labels := map[string]string{"alertname": "HighErrorRate", "severity": string(sev), "service": "shop"}
	return &alerting.Notification{
		Receiver:     "ops",
		Status:       status,
		GroupLabels:  map[string]string{"alertname": "HighErrorRate"},
		CommonLabels: labels,
		Alerts: []alerting.Alert{{
			Labels:      labels,
			Annotations: map[string]string{"summary": "5xx above 5% <b> & rising"},
			State:       state,
			ActiveAt:    chatTime.Add(-10 * time.Minute),
		}},
	}
}

// chatRecorder keeps what a fake robot received, for the test goroutine to
// check after Notify returned.
type chatRecorder[T any] struct {
	mu   sync.Mutex
	reqs []T
}

func (r *chatRecorder[T]) add(v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, v)
}

func (r *chatRecorder[T]) last(t *testing.T) T {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	require.NotEmpty(t, r.reqs, "the robot received nothing")
	return r.reqs[len(r.reqs)-1]
}

// chatAnswer is what a fake robot answers once the request passed its
// checks: a status (0 means 200) and a body.
type chatAnswer struct {
	status int
	body   string
	header http.Header
}

func (a chatAnswer) write(w http.ResponseWriter) {
	for k, vs := range a.header {
		w.Header()[k] = vs
	}
	if a.status != 0 {
		w.WriteHeader(a.status)
	}
	_, _ = w.Write([]byte(a.body))
}

// chatServer starts h and closes it when the test ends.
func chatServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// assertNoSecrets checks that none of the secrets shows in err's text.
func assertNoSecrets(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range secrets {
		assert.NotContains(t, err.Error(), s, "error text leaks a secret")
	}
}

func TestChatCut(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"abcdefghijk", 10, "abcdefg…"},
		{"告警告警告警", 10, "告警…"}, // 3-byte runes: 6 bytes fit before the ellipsis
		{"a告警", 5, "a…"},
		{"abc", 2, "…"},
	}
	for _, tt := range tests {
		got := chatCut(tt.in, tt.max)
		assert.Equal(t, tt.want, got, "chatCut(%q, %d)", tt.in, tt.max)
		assert.True(t, utf8.ValidString(got))
		if len(tt.in) > tt.max && tt.max >= len("…") {
			assert.LessOrEqual(t, len(got), tt.max)
		}
	}
}

func TestChatURL(t *testing.T) {
	tests := []struct{ name, url, want string }{
		{"empty", "", "webhook URL is empty"},
		{"relative", "/robot/send?access_token=tok", "absolute http or https"},
		{"scheme", "ftp://example.com/x?key=tok", "absolute http or https"},
		{"unparsable", "http://exa mple.com/%zz?key=tok", "absolute http or https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := chatURL("x", tt.url)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assertNoSecrets(t, err, "tok", "example.com")
		})
	}
	u, secrets, err := chatURL("x", "https://h.example/services/T000/B000/abcdefghijklmnopqrstuvwx?key=k-123")
	require.NoError(t, err)
	assert.Equal(t, "h.example", u.Host)
	assert.ElementsMatch(t, []string{"k-123", "abcdefghijklmnopqrstuvwx"}, secrets)
}

func TestChatResult(t *testing.T) {
	v := chatVendor{name: "v", decode: decodeErrcode, retryable: func(c int, _ string) bool { return c == 7 }}
	httpErr := func(status int) error {
		resp := &http.Response{StatusCode: status, Header: http.Header{}}
		return statusError(resp, nil)
	}
	tests := []struct {
		name      string
		body      string
		err       error
		wantErr   bool
		permanent bool
		code      int
	}{
		{"ok", `{"errcode":0,"errmsg":"ok"}`, nil, false, false, 0},
		{"retryable code", `{"errcode":7,"errmsg":"slow down"}`, nil, true, false, 7},
		{"permanent code", `{"errcode":9,"errmsg":"bad token TOKEN"}`, nil, true, true, 9},
		{"unreadable 200", `<html>`, nil, true, false, 0},
		{"code on a 5xx", `{"errcode":9,"errmsg":"x"}`, httpErr(502), true, false, 9},
		{"code on a 4xx", `{"errcode":7,"errmsg":"x"}`, httpErr(400), true, false, 7},
		{"plain 4xx", `nope`, httpErr(404), true, true, 0},
		{"plain 5xx", `nope`, httpErr(503), true, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := chatResult(v, []string{"TOKEN"}, []byte(tt.body), tt.err)
			if !tt.wantErr {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.permanent, alerting.IsPermanent(err))
			assertNoSecrets(t, err, "TOKEN")
			var ce *ChatError
			if tt.code != 0 {
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, tt.code, ce.Code)
			}
		})
	}
}

func TestChatSeverity(t *testing.T) {
	n := chatNotification(alerting.StatusFiring, alerting.Low)
	n.Alerts = append(n.Alerts, alerting.Alert{Labels: map[string]string{"severity": "high"}, State: alerting.StateFiring},
		alerting.Alert{Labels: map[string]string{"severity": "critical"}, State: alerting.StateResolved})
	assert.Equal(t, alerting.High, chatSeverity(n), "resolved alerts do not count")
}

func TestChatErrorText(t *testing.T) {
	he := &HTTPError{Status: 429, RetryAfter: time.Second}
	err := error(&ChatError{Vendor: "wecom", Code: 45009, Message: "api freq out of limit", Err: he})
	assert.Equal(t, "notify: wecom answered 45009: api freq out of limit", err.Error())
	var got *HTTPError
	require.True(t, errors.As(err, &got))
	assert.Equal(t, time.Second, got.RetryAfter)
	assert.Equal(t, "notify: slack answered: no_text", (&ChatError{Vendor: "slack", Message: "no_text"}).Error())
	assert.False(t, strings.Contains(err.Error(), "http"))
}
