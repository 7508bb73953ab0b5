package notify

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/alerting"
)

// The dispatcher resends firing groups to Alertmanager every resend
// delay, the interval its endsAt is computed from.
func TestAlertmanagerResendInterval(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts []AlertmanagerOption
		want time.Duration
	}{
		{"default", nil, time.Minute},
		{"custom", []AlertmanagerOption{WithResendDelay(2 * time.Minute)}, 2 * time.Minute},
		{"zero means the default", []AlertmanagerOption{WithResendDelay(0)}, time.Minute},
	} {
		t.Run(tt.name, func(t *testing.T) {
			am, err := NewAlertmanager([]string{"http://am:9093"}, tt.opts...)
			require.NoError(t, err)
			var n alerting.Notifier = am
			rs, ok := n.(alerting.Resender)
			require.True(t, ok, "an Alertmanager is resent")
			assert.Equal(t, tt.want, rs.ResendInterval())
			now := fixtureTime
			am.now = func() time.Time { return now }
			p := am.postableAlerts(fixtureA(alerting.StatusFiring))
			require.NotEmpty(t, p)
			assert.Equal(t, 4*tt.want, p[0].EndsAt.Sub(now), "valid for 4 resend intervals")
		})
	}
}
