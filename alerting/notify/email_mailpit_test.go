package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/alerting"
)

// mailpit is a running Mailpit (github.com/axllent/mailpit), a real SMTP
// server whose REST API returns the mail it received.
type mailpit struct {
	api  string // base URL of the REST API
	smtp string // host:port of the SMTP server
	hc   *http.Client
}

// freeLoopbackAddr returns a 127.0.0.1 address with a port that was free
// a moment ago.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// startMailpit runs the mailpit binary on 127.0.0.1 with a database in a
// temporary directory, chaos enabled and any SMTP login accepted, and
// waits until it answers. It skips the test when the binary is not on PATH
// (go install github.com/axllent/mailpit@v1.33.1). A process that exits
// at once (another program took a port after it was chosen) is started
// again on other ports, up to three times.
func startMailpit(t *testing.T) *mailpit {
	t.Helper()
	bin, err := exec.LookPath("mailpit")
	if err != nil {
		t.Skip("mailpit not on PATH (go install github.com/axllent/mailpit@v1.33.1)")
	}
	for attempt := 1; ; attempt++ {
		mp, err := launchMailpit(t, bin)
		if err == nil {
			return mp
		}
		if attempt == 3 {
			t.Fatal(err)
		}
		t.Logf("%v; trying other ports", err)
	}
}

// launchMailpit starts one mailpit process on fresh ports and waits for
// it; the process is killed and waited for when the test ends. It returns
// an error if the process exits before it is ready, and fails the test if
// it is not ready within 30 seconds.
func launchMailpit(t *testing.T, bin string) (*mailpit, error) {
	t.Helper()
	mp := &mailpit{smtp: freeLoopbackAddr(t),
		hc: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}}
	web := freeLoopbackAddr(t)
	mp.api = "http://" + web
	cmd := exec.Command(bin, "--listen", web, "--smtp", mp.smtp,
		"--database", filepath.Join(t.TempDir(), "mail.db"),
		"--smtp-auth-accept-any", "--smtp-auth-allow-insecure", "--smtp-disable-rdns",
		"--disable-version-check", "--enable-chaos")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("mailpit output:\n%s", logs.String())
		}
	})

	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !mp.ready() {
		select {
		case <-exited:
			return nil, fmt.Errorf("mailpit exited before it was ready (%v): %s", waitErr, strings.TrimSpace(logs.String()))
		case <-deadline.C:
			t.Fatal("mailpit was not ready within 30s")
		case <-tick.C:
		}
	}
	return mp, nil
}

// ready reports whether both the REST API and the SMTP port answer.
func (mp *mailpit) ready() bool {
	resp, err := mp.hc.Get(mp.api + "/readyz")
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false
	}
	c, err := net.DialTimeout("tcp", mp.smtp, time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// call sends a JSON request to the REST API and decodes the answer into
// out, unless out is nil.
func (mp *mailpit) call(t *testing.T, method, path string, in, out any) {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		require.NoError(t, err)
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, mp.api+path, body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := mp.hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s %s: %s", method, path, data)
	if out != nil {
		require.NoError(t, json.Unmarshal(data, out), "%s %s: %s", method, path, data)
	}
}

// mailpitAddress, mailpitSummary and mailpitMessage are the parts of
// Mailpit's API answers the tests read.
type mailpitAddress struct{ Name, Address string }

type mailpitSummary struct {
	ID       string
	From     mailpitAddress
	To, Cc   []mailpitAddress
	Subject  string
	Username string
}

type mailpitMessage struct {
	mailpitSummary
	Text string
}

// mailpitEmail returns an Email sending to mp without TLS (Mailpit offers
// no STARTTLS without a certificate), logging in with PLAIN.
func mailpitEmail(t *testing.T, mp *mailpit) *Email {
	t.Helper()
	e, err := NewEmail(mp.smtp, "o2kit alerts <alerts@example.com>",
		[]string{"ops@example.com", "Ana <ana@example.com>"}, WithCC("lead@example.com"),
		WithSMTPTLS(StartTLSOpportunistic), WithSMTPAuth(SMTPAuthPlain, "alerts", "mailpit-secret"),
		WithHELO("o2kit.example.com"), WithSMTPTimeout(10*time.Second))
	require.NoError(t, err)
	return e
}

// TestMailpitReceivesAlertMail sends an alert mail to a real SMTP server
// and reads it back through Mailpit's REST API, as a mail client would
// see it.
func TestMailpitReceivesAlertMail(t *testing.T) {
	mp := startMailpit(t)
	e := mailpitEmail(t, mp)
	require.NoError(t, e.Notify(context.Background(), fixtureA(alerting.StatusFiring)))

	var list struct {
		Total    int
		Messages []mailpitSummary
	}
	mp.call(t, http.MethodGet, "/api/v1/messages", nil, &list)
	require.Equal(t, 1, list.Total)
	require.Len(t, list.Messages, 1)
	sum := list.Messages[0]
	assert.Equal(t, mailpitAddress{"o2kit alerts", "alerts@example.com"}, sum.From)
	assert.Equal(t, []mailpitAddress{{"", "ops@example.com"}, {"Ana", "ana@example.com"}}, sum.To)
	assert.Equal(t, []mailpitAddress{{"", "lead@example.com"}}, sum.Cc)
	assert.Equal(t, "[FIRING:2] HighLatency", sum.Subject)
	assert.Equal(t, "alerts", sum.Username, "logged in with PLAIN")

	var msg mailpitMessage
	mp.call(t, http.MethodGet, "/api/v1/message/"+sum.ID, nil, &msg)
	assert.Equal(t, sum.Subject, msg.Subject)
	assert.Equal(t, `- [firing] HighLatency (critical): p99 above 2s on api-1
  labels: alertname=HighLatency, instance=api-1, severity=critical
  since: 2026-01-02 02:54:05 UTC
- [firing] HighLatency (critical): p99 above 2s on api-2
  labels: alertname=HighLatency, instance=api-2, severity=critical
  since: 2026-01-02 02:54:05 UTC
`, strings.ReplaceAll(msg.Text, "\r\n", "\n"))

	var hdr map[string][]string
	mp.call(t, http.MethodGet, "/api/v1/message/"+sum.ID+"/headers", nil, &hdr)
	assert.Equal(t, []string{"firing"}, hdr["X-Alert-Status"])
	assert.Equal(t, []string{`{}:{alertname="HighLatency"}`}, hdr["X-Alert-Group"])
	assert.Equal(t, []string{"[FIRING:2] HighLatency"}, hdr["Subject"])

	require.NoError(t, e.Notify(context.Background(), fixtureA(alerting.StatusResolved)))
	mp.call(t, http.MethodGet, "/api/v1/messages", nil, &list)
	require.Equal(t, 2, list.Total)
	assert.Equal(t, "[RESOLVED] HighLatency", list.Messages[0].Subject, "newest first")
	mp.call(t, http.MethodGet, "/api/v1/message/"+list.Messages[0].ID+"/headers", nil, &hdr)
	assert.Equal(t, []string{"resolved"}, hdr["X-Alert-Status"])
}

// TestMailpitRefusalsClassified makes the real server refuse a login, a
// sender or the recipients with Mailpit's chaos triggers: a 4xx refusal
// must be retried later, a 5xx one must not.
func TestMailpitRefusalsClassified(t *testing.T) {
	mp := startMailpit(t)
	e := mailpitEmail(t, mp)
	for _, tt := range []struct {
		trigger   string
		code      int
		permanent bool
	}{
		{"Recipient", 451, false},
		{"Recipient", 550, true},
		{"Sender", 452, false},
		{"Sender", 553, true},
		{"Authentication", 454, false},
		{"Authentication", 535, true},
	} {
		t.Run(fmt.Sprint(tt.trigger, tt.code), func(t *testing.T) {
			chaos := map[string]any{tt.trigger: map[string]int{"ErrorCode": tt.code, "Probability": 100}}
			mp.call(t, http.MethodPut, "/api/v1/chaos", chaos, nil)
			err := e.Notify(context.Background(), fixtureA(alerting.StatusFiring))
			require.Error(t, err)
			assert.Equal(t, tt.permanent, alerting.IsPermanent(err), "%v", err)
			assert.ErrorContains(t, err, fmt.Sprint(tt.code))
			assertNoLeak(t, err, "mailpit-secret")
		})
	}
	mp.call(t, http.MethodPut, "/api/v1/chaos", map[string]any{}, nil)
	require.NoError(t, e.Notify(context.Background(), fixtureA(alerting.StatusFiring)), "sends again once chaos is off")
	var list struct{ Total int }
	mp.call(t, http.MethodGet, "/api/v1/messages", nil, &list)
	assert.Equal(t, 1, list.Total, "refused mails were not stored")
}
