package notify

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/alerting"
)

func TestTemplateDefaultsAndFunctions(t *testing.T) {
	n := &alerting.Notification{Status: alerting.StatusFiring,
		GroupLabels: map[string]string{"alertname": "DiskFull", "host": "db-1"},
		Alerts: []alerting.Alert{{State: alerting.StateFiring, ActiveAt: time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC),
			Labels:      map[string]string{"alertname": "DiskFull", "severity": "high", "host": "db-1"},
			Annotations: map[string]string{"summary": "92% used"}}}}
	title, body, err := (*Template)(nil).Render(n)
	require.NoError(t, err)
	assert.Equal(t, "[FIRING:1] DiskFull host=db-1", title)
	assert.Contains(t, body, "- [firing] DiskFull (high): 92% used")
	assert.Contains(t, body, "labels: alertname=DiskFull, host=db-1, severity=high")

	tm, err := NewTemplate(`{{ title "告警" }} {{ title "disk" }} {{ title "" }}|{{ lower "A" }}`, "x")
	require.NoError(t, err)
	title, _, err = tm.Render(n)
	require.NoError(t, err)
	assert.Equal(t, "告警 Disk |a", title, "title keeps UTF-8 whole")

	_, err = NewTemplate("{{ .Nope", "")
	assert.ErrorContains(t, err, "title template")
	tm, err = NewTemplate("", "{{ .Nope.Deeper }}")
	require.NoError(t, err)
	_, _, err = tm.Render(n)
	assert.True(t, alerting.IsPermanent(err), "a template that cannot run will not run on retry either")
}
