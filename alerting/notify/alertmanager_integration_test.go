package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/alerting"
)

// amConfigYAML routes everything at once to the webhook at %s, resolved
// notifications included.
const amConfigYAML = `route:
  receiver: hook
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: %s
        send_resolved: true
`

// startRealAlertmanager runs the alertmanager binary on 127.0.0.1, sending
// its notifications to hook, and returns its base URL. It skips the test
// when the binary is not on PATH (go install
// github.com/prometheus/alertmanager/cmd/alertmanager@v0.31.1).
func startRealAlertmanager(t *testing.T, hook string) string {
	t.Helper()
	bin, err := exec.LookPath("alertmanager")
	if err != nil {
		t.Skip("alertmanager not on PATH")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "am.yml")
	require.NoError(t, os.WriteFile(cfg, fmt.Appendf(nil, amConfigYAML, hook), 0o600))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())

	var logs bytes.Buffer
	cmd := exec.Command(bin, "--config.file="+cfg, "--storage.path="+dir,
		"--web.listen-address="+addr, "--cluster.listen-address=")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		http.DefaultClient.CloseIdleConnections()
		if t.Failed() {
			t.Logf("alertmanager output:\n%s", logs.String())
		}
	})
	base := "http://" + addr
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/-/ready")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond, "alertmanager did not become ready")
	return base
}

// TestRealAlertmanager forwards alerts to a real Alertmanager and reads
// back the webhook notifications it sends, which also checks that
// WebhookMessage decodes Alertmanager's own payload field for field.
func TestRealAlertmanager(t *testing.T) {
	got := make(chan WebhookMessage, 8)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m WebhookMessage
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&m); err != nil {
			t.Errorf("decoding Alertmanager's webhook payload: %v\n%s", err, body)
		}
		got <- m
	}))
	defer hook.Close()
	base := startRealAlertmanager(t, hook.URL)

	am, err := NewAlertmanager([]string{base})
	require.NoError(t, err)
	n := fixtureA(alerting.StatusFiring)
	for i := range n.Alerts { // Alertmanager checks startsAt against its own clock
		n.Alerts[i].FiredAt = time.Now().Add(-time.Minute)
	}
	require.NoError(t, am.Notify(context.Background(), n))
	m := waitWebhook(t, got, alerting.StatusFiring)
	assert.Equal(t, "4", m.Version)
	assert.Equal(t, "hook", m.Receiver)
	assert.Equal(t, map[string]string{"alertname": "HighLatency"}, m.GroupLabels)
	assert.Equal(t, "critical", m.CommonLabels["severity"])
	require.Len(t, m.Alerts, 2)
	assert.Equal(t, "api-1", m.Alerts[0].Labels["instance"])
	assert.Equal(t, "p99 above 2s on api-1", m.Alerts[0].Annotations["summary"])
	assert.NotEmpty(t, m.Alerts[0].Fingerprint)

	for i := range n.Alerts {
		n.Alerts[i].State, n.Alerts[i].ResolvedAt = alerting.StateResolved, time.Now()
	}
	n.Status = alerting.StatusResolved
	require.NoError(t, am.Notify(context.Background(), n))
	m = waitWebhook(t, got, alerting.StatusResolved)
	require.Len(t, m.Alerts, 2)
	assert.Equal(t, "resolved", m.Alerts[1].Status)
}

// waitWebhook returns the next notification with the given status.
func waitWebhook(t *testing.T, got <-chan WebhookMessage, status string) WebhookMessage {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case m := <-got:
			if m.Status == status {
				return m
			}
		case <-timeout:
			t.Fatalf("no %s notification from alertmanager", status)
		}
	}
}
