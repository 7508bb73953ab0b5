package notify

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/alerting"
)

// smsRecorder is an SMSProvider that records what it was asked to send and
// returns err.
type smsRecorder struct {
	to   []string
	text string
	err  error
}

func (r *smsRecorder) Send(_ context.Context, to []string, text string) error {
	r.to, r.text = to, text
	return r.err
}

func TestSMSText(t *testing.T) {
	tests := []struct {
		name string
		opts []SMSOption
		want string
	}{
		{"default templates", nil, "[FIRING:2] HighLatency\n" +
			"- [firing] HighLatency (critical): p99 above 2s on api-1\n" +
			"labels: alertname=HighLatency, instance=api-1, severity=critical\n" +
			"since: 2026-01-02 02:54:05 UTC\n" +
			"- [firing] HighLatency (critical): p99 above 2s on api-2\n" +
			"labels: alertname=HighLatency, instance=api-2, severity=critical"},
		{"one line", []SMSOption{WithSMSLines(1)}, "[FIRING:2] HighLatency\n" +
			"- [firing] HighLatency (critical): p99 above 2s on api-1"},
		{"title only", []SMSOption{WithSMSLines(0)}, "[FIRING:2] HighLatency"},
		{"cut", []SMSOption{WithSMSMaxLength(20)}, "[FIRING:2] HighLate…"},
		{"own template", []SMSOption{WithSMSTemplate(`{{ .Status }}`, "{{ range .Alerts }}{{ index .Labels \"instance\" }}\n\n{{ end }}")},
			"firing\napi-1\napi-2"},
		{"multi-byte cut", []SMSOption{WithSMSTemplate("告警：延迟过高", "实例 api-1"), WithSMSMaxLength(5)}, "告警：延…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &smsRecorder{}
			s, err := NewSMS(rec, []string{"+15550100", "+15550101"}, tt.opts...)
			require.NoError(t, err)
			require.NoError(t, s.Notify(context.Background(), fixtureA(alerting.StatusFiring)))
			assert.Equal(t, tt.want, rec.text)
			assert.Equal(t, []string{"+15550100", "+15550101"}, rec.to)
		})
	}
}

func TestSMSErrors(t *testing.T) {
	perm := alerting.Permanent(errors.New("number rejected"))
	rec := &smsRecorder{err: perm}
	s, err := NewSMS(rec, []string{"+15550100"})
	require.NoError(t, err)
	assert.Same(t, perm, s.Notify(context.Background(), fixtureA(alerting.StatusFiring)), "provider errors pass through")

	s, err = NewSMS(rec, []string{"+15550100"}, WithSMSTemplate(`{{ index .Alerts 5 }}`, ""))
	require.NoError(t, err)
	err = s.Notify(context.Background(), fixtureA(alerting.StatusFiring))
	require.Error(t, err)
	assert.True(t, alerting.IsPermanent(err), "a template failing at run time is permanent")
}

func TestNewSMSRejects(t *testing.T) {
	p := SMSProviderFunc(func(context.Context, []string, string) error { return nil })
	tests := []struct {
		name     string
		provider SMSProvider
		to       []string
		opts     []SMSOption
		want     string
	}{
		{"nil provider", nil, []string{"1"}, nil, "provider is nil"},
		{"no recipients", p, nil, nil, "at least one recipient"},
		{"empty recipient", p, []string{"1", ""}, nil, "recipient is empty"},
		{"zero length", p, []string{"1"}, []SMSOption{WithSMSMaxLength(0)}, "below 1"},
		{"negative lines", p, []string{"1"}, []SMSOption{WithSMSLines(-1)}, "negative"},
		{"bad template", p, []string{"1"}, []SMSOption{WithSMSTemplate("", "{{ end }}")}, "body template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewSMS(tt.provider, tt.to, tt.opts...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestSMSCopiesRecipients(t *testing.T) {
	to := []string{"+15550100"}
	rec := &smsRecorder{}
	s, err := NewSMS(rec, to)
	require.NoError(t, err)
	to[0] = "changed"
	require.NoError(t, s.Notify(context.Background(), fixtureA(alerting.StatusFiring)))
	assert.Equal(t, []string{"+15550100"}, rec.to)
	rec.to[0] = "changed by provider"
	require.NoError(t, s.Notify(context.Background(), fixtureA(alerting.StatusFiring)))
	assert.Equal(t, []string{"+15550100"}, rec.to)
}

func FuzzCutRunes(f *testing.F) {
	for _, s := range []string{"", "abc", "告警：延迟过高", "e\u0301e\u0301", "\xff\xfeab", "🔥🔥🔥", strings.Repeat("x", 600)} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, maxLen int) {
		if maxLen < 1 || maxLen > 1000 {
			t.Skip()
		}
		got := cutRunes(s, maxLen)
		if !utf8.ValidString(got) {
			t.Fatalf("cutRunes(%q, %d) = %q, not valid UTF-8", s, maxLen, got)
		}
		if n := utf8.RuneCountInString(got); n > maxLen {
			t.Fatalf("cutRunes(%q, %d) has %d runes", s, maxLen, n)
		}
		valid := strings.ToValidUTF8(s, "\uFFFD")
		if utf8.RuneCountInString(valid) <= maxLen {
			if got != valid {
				t.Fatalf("cutRunes(%q, %d) = %q, want it unchanged", s, maxLen, got)
			}
			return
		}
		if !strings.HasSuffix(got, "…") || !strings.HasPrefix(valid, strings.TrimSuffix(got, "…")) {
			t.Fatalf("cutRunes(%q, %d) = %q, not a prefix and an ellipsis", s, maxLen, got)
		}
	})
}
