package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/alerting"
)

const smtpPassword = "smtp-pa55w0rd"

// parseMail parses raw and returns its headers and its parts' decoded
// bodies by media type.
func parseMail(t *testing.T, raw []byte) (mail.Header, map[string]string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	require.NoError(t, err)
	parts := map[string]string{}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	require.NoError(t, err)
	if !strings.HasPrefix(mt, "multipart/") {
		parts[mt] = decodePart(t, m.Header.Get("Content-Transfer-Encoding"), m.Body)
		return m.Header, parts
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		pt, _, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		require.NoError(t, err)
		parts[pt] = decodePart(t, p.Header.Get("Content-Transfer-Encoding"), p)
	}
	return m.Header, parts
}

func decodePart(t *testing.T, cte string, r io.Reader) string {
	t.Helper()
	if strings.EqualFold(cte, "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

func TestEmailDelivers(t *testing.T) {
	cert, pool := testCert(t)
	be := &smtpBackend{user: "alerts", pass: smtpPassword}
	addr := startSMTP(t, be, smtpSTARTTLS, cert)
	e, err := NewEmail(addr, "o2kit alerts <alerts@example.com>", []string{"ops@example.com", "Ana <ana@example.com>"},
		WithCC("lead@example.com"), WithSMTPTLSConfig(&tls.Config{RootCAs: pool}),
		WithSMTPAuth(SMTPAuthPlain, "alerts", smtpPassword), WithHELO("o2kit.example.com"),
		WithSMTPTimeout(5*time.Second))
	require.NoError(t, err)
	before := time.Now().Add(-time.Second)
	require.NoError(t, e.Notify(context.Background(), fixtureA(alerting.StatusFiring)))

	mails := be.received()
	require.Len(t, mails, 1)
	got := mails[0]
	assert.Equal(t, "alerts@example.com", got.from)
	assert.Equal(t, []string{"ops@example.com", "ana@example.com", "lead@example.com"}, got.to)
	assert.True(t, got.tls, "sent after STARTTLS")
	assert.Equal(t, "alerts", got.user)
	assert.Equal(t, "o2kit.example.com", got.helo)

	h, parts := parseMail(t, got.data)
	assert.Equal(t, `"o2kit alerts" <alerts@example.com>`, h.Get("From"))
	assert.Equal(t, `<ops@example.com>, "Ana" <ana@example.com>`, h.Get("To"))
	assert.Equal(t, "<lead@example.com>", h.Get("Cc"))
	assert.Equal(t, "[FIRING:2] HighLatency", h.Get("Subject"))
	assert.Equal(t, "firing", h.Get("X-Alert-Status"))
	assert.Equal(t, `{}:{alertname="HighLatency"}`, h.Get("X-Alert-Group"))
	assert.Regexp(t, `^<[A-Z2-7]{26}@example\.com>$`, h.Get("Message-Id"))
	date, err := h.Date()
	require.NoError(t, err)
	assert.WithinRange(t, date, before, time.Now().Add(time.Second))
	require.Contains(t, parts, "text/plain")
	assert.Contains(t, parts["text/plain"], "- [firing] HighLatency (critical): p99 above 2s on api-1\n")
	assert.Contains(t, parts["text/plain"], "labels: alertname=HighLatency, instance=api-2, severity=critical")
}

func TestEmailHTMLAndTemplates(t *testing.T) {
	be := &smtpBackend{}
	addr := startSMTP(t, be, smtpPlain, tls.Certificate{})
	e, err := NewEmail(addr, "alerts@example.com", []string{"ops@example.com"}, WithSMTPTLS(NoTLS),
		WithEmailTemplate(`{{ .Status | upper }} {{ .CommonLabels.alertname }}`, `{{ len .Alerts }} alerts, tier {{ .Tier }}`),
		WithEmailHTML(`<p>{{ range .Alerts }}<b>{{ index .Annotations "summary" }}</b>{{ end }}</p>`))
	require.NoError(t, err)
	n := fixtureA(alerting.StatusResolved)
	n.Alerts[0].Annotations["summary"] = "<script>x</script>"
	n.GroupKey = "group\r\nBcc: intruder@example.com"
	require.NoError(t, e.Notify(context.Background(), n))

	mails := be.received()
	require.Len(t, mails, 1)
	assert.False(t, mails[0].tls)
	assert.Equal(t, []string{"ops@example.com"}, mails[0].to, "a header value cannot add a recipient")
	h, parts := parseMail(t, mails[0].data)
	assert.Equal(t, "RESOLVED HighLatency", h.Get("Subject"))
	assert.Equal(t, "resolved", h.Get("X-Alert-Status"))
	assert.Equal(t, "group Bcc: intruder@example.com", h.Get("X-Alert-Group"))
	assert.Empty(t, h.Get("Bcc"))
	assert.Equal(t, "2 alerts, tier 1", parts["text/plain"])
	assert.Equal(t, "<p><b>&lt;script&gt;x&lt;/script&gt;</b><b>p99 above 2s on api-2</b></p>", parts["text/html"])
}

func TestEmailTLSModes(t *testing.T) {
	cert, pool := testCert(t)
	trust := WithSMTPTLSConfig(&tls.Config{RootCAs: pool})
	tests := []struct {
		name      string
		server    smtpTLS
		opts      []EmailOption
		wantTLS   bool
		wantErr   bool
		permanent bool
	}{
		{"starttls with custom CA", smtpSTARTTLS, []EmailOption{trust}, true, false, false},
		{"starttls untrusted certificate", smtpSTARTTLS, nil, false, true, true},
		{"starttls required, server has none", smtpPlain, []EmailOption{trust}, false, true, false},
		{"opportunistic upgrades", smtpSTARTTLS, []EmailOption{trust, WithSMTPTLS(StartTLSOpportunistic)}, true, false, false},
		{"opportunistic falls back", smtpPlain, []EmailOption{WithSMTPTLS(StartTLSOpportunistic)}, false, false, false},
		{"implicit TLS", smtpImplicit, []EmailOption{trust, WithSMTPTLS(ImplicitTLS)}, true, false, false},
		{"implicit TLS untrusted", smtpImplicit, []EmailOption{WithSMTPTLS(ImplicitTLS)}, false, true, true},
		{"no TLS though offered", smtpSTARTTLS, []EmailOption{WithSMTPTLS(NoTLS)}, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			be := &smtpBackend{}
			addr := startSMTP(t, be, tt.server, cert)
			e, err := NewEmail(addr, "alerts@example.com", []string{"ops@example.com"}, tt.opts...)
			require.NoError(t, err)
			err = e.Notify(context.Background(), fixtureA(alerting.StatusFiring))
			if tt.wantErr {
				require.Error(t, err)
				t.Log(err)
				assert.Equal(t, tt.permanent, alerting.IsPermanent(err), "error: %v", err)
				assert.Empty(t, be.received())
				return
			}
			require.NoError(t, err)
			mails := be.received()
			require.Len(t, mails, 1)
			assert.Equal(t, tt.wantTLS, mails[0].tls)
		})
	}
}

func TestEmailClientCertificate(t *testing.T) {
	serverCert, serverPool := testCert(t)
	clientCert, clientPool := testCert(t)
	be := &smtpBackend{clientCAs: clientPool}
	addr := startSMTP(t, be, smtpImplicit, serverCert)

	e, err := NewEmail(addr, "alerts@example.com", []string{"ops@example.com"}, WithSMTPTLS(ImplicitTLS),
		WithSMTPTLSConfig(&tls.Config{RootCAs: serverPool}))
	require.NoError(t, err)
	require.Error(t, e.Notify(context.Background(), fixtureA(alerting.StatusFiring)), "no client certificate")

	e, err = NewEmail(addr, "alerts@example.com", []string{"ops@example.com"}, WithSMTPTLS(ImplicitTLS),
		WithSMTPTLSConfig(&tls.Config{RootCAs: serverPool, Certificates: []tls.Certificate{clientCert}}))
	require.NoError(t, err)
	require.NoError(t, e.Notify(context.Background(), fixtureA(alerting.StatusFiring)))
	assert.Len(t, be.received(), 1)
}

func TestEmailAuthAndFailures(t *testing.T) {
	cert, pool := testCert(t)
	tests := []struct {
		name      string
		be        *smtpBackend
		password  string
		permanent bool
		wantErr   string
	}{
		{"right password", &smtpBackend{user: "alerts", pass: smtpPassword}, smtpPassword, false, ""},
		{"wrong password", &smtpBackend{user: "alerts", pass: "other-" + smtpPassword}, smtpPassword, true, "535"},
		{"temporary recipient failure", &smtpBackend{rcptErr: &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}}, "", false, "451"},
		{"recipient rejected", &smtpBackend{rcptErr: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}}, "", true, "550"},
		{"temporary data failure", &smtpBackend{dataErr: &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 3, 1}, Message: "out of space"}}, "", false, "452"},
		{"message rejected", &smtpBackend{dataErr: &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "spam"}}, "", true, "554"},
		{"auth required", &smtpBackend{user: "alerts", pass: smtpPassword}, "", true, "530"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := startSMTP(t, tt.be, smtpSTARTTLS, cert)
			opts := []EmailOption{WithSMTPTLSConfig(&tls.Config{RootCAs: pool})}
			if tt.password != "" {
				opts = append(opts, WithSMTPAuth(SMTPAuthPlain, "alerts", tt.password))
			}
			e, err := NewEmail(addr, "alerts@example.com", []string{"ops@example.com"}, opts...)
			require.NoError(t, err)
			err = e.Notify(context.Background(), fixtureA(alerting.StatusFiring))
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Len(t, tt.be.received(), 1)
				return
			}
			require.Error(t, err)
			t.Log(err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Equal(t, tt.permanent, alerting.IsPermanent(err), "error: %v", err)
			assertNoLeak(t, err, smtpPassword)
			assert.Empty(t, tt.be.received())
		})
	}
}

func TestEmailAuthMechanisms(t *testing.T) {
	cert, pool := testCert(t)
	tests := []struct {
		mech SMTPAuthMechanism
		name string
	}{{SMTPAuthPlain, "PLAIN"}, {SMTPAuthLogin, "LOGIN"}, {SMTPAuthCRAMMD5, "CRAM-MD5"}}
	for _, tt := range tests {
		for _, password := range []string{smtpPassword, "wrong-" + smtpPassword} {
			t.Run(tt.name+"/"+password, func(t *testing.T) {
				be := &smtpBackend{user: "alerts", pass: smtpPassword}
				addr := startSMTP(t, be, smtpSTARTTLS, cert)
				e, err := NewEmail(addr, "alerts@example.com", []string{"ops@example.com"},
					WithSMTPTLSConfig(&tls.Config{RootCAs: pool}), WithSMTPAuth(tt.mech, "alerts", password))
				require.NoError(t, err)
				err = e.Notify(context.Background(), fixtureA(alerting.StatusFiring))
				if password != smtpPassword {
					require.Error(t, err)
					assert.True(t, alerting.IsPermanent(err))
					assertNoLeak(t, err, password)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, tt.name, be.lastMech())
				require.Len(t, be.received(), 1)
				assert.Equal(t, "alerts", be.received()[0].user)
			})
		}
	}
}

func TestEmailConcurrent(t *testing.T) {
	cert, pool := testCert(t)
	be := &smtpBackend{user: "alerts", pass: smtpPassword}
	addr := startSMTP(t, be, smtpSTARTTLS, cert)
	e, err := NewEmail(addr, "alerts@example.com", []string{"ops@example.com"},
		WithSMTPTLSConfig(&tls.Config{RootCAs: pool}), WithSMTPAuth(SMTPAuthPlain, "alerts", smtpPassword))
	require.NoError(t, err)
	errs := make(chan error, 4)
	for range 4 {
		go func() { errs <- e.Notify(context.Background(), fixtureA(alerting.StatusFiring)) }()
	}
	for range 4 {
		assert.NoError(t, <-errs)
	}
	assert.Len(t, be.received(), 4)
}

func TestEmailConnectionRefusedRetries(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	e, err := NewEmail(addr, "alerts@example.com", []string{"ops@example.com"}, WithSMTPAuth(SMTPAuthLogin, "u", smtpPassword))
	require.NoError(t, err)
	err = e.Notify(context.Background(), fixtureA(alerting.StatusFiring))
	require.Error(t, err)
	assert.False(t, alerting.IsPermanent(err))
	assertNoLeak(t, err, smtpPassword)
}

func TestNewEmailRejects(t *testing.T) {
	to := []string{"ops@example.com"}
	tests := []struct {
		name string
		addr string
		from string
		to   []string
		opts []EmailOption
		want string
	}{
		{"bad address", "smtp.example.com:x", "a@example.com", to, nil, "not host:port"},
		{"port out of range", "smtp.example.com:70000", "a@example.com", to, nil, "not host:port"},
		{"no host", ":25", "a@example.com", to, nil, "not host:port"},
		{"bad sender", "smtp.example.com:25", "not an address", to, nil, "email sender"},
		{"no recipients", "smtp.example.com:25", "a@example.com", nil, nil, "at least one recipient"},
		{"bad recipient", "smtp.example.com:25", "a@example.com", []string{"ops"}, nil, "email recipient"},
		{"bad cc", "smtp.example.com:25", "a@example.com", to, []EmailOption{WithCC("@")}, "email recipient"},
		{"unknown TLS mode", "smtp.example.com:25", "a@example.com", to, []EmailOption{WithSMTPTLS(TLSMode(9))}, "TLS mode"},
		{"unknown auth", "smtp.example.com:25", "a@example.com", to, []EmailOption{WithSMTPAuth(SMTPAuthMechanism(9), "u", smtpPassword)}, "auth mechanism"},
		{"auth without user", "smtp.example.com:25", "a@example.com", to, []EmailOption{WithSMTPAuth(SMTPAuthCRAMMD5, "", smtpPassword)}, "user name is empty"},
		{"zero timeout", "smtp.example.com:25", "a@example.com", to, []EmailOption{WithSMTPTimeout(0)}, "timeout"},
		{"empty HELO", "smtp.example.com:25", "a@example.com", to, []EmailOption{WithHELO("")}, "HELO"},
		{"bad template", "smtp.example.com:25", "a@example.com", to, []EmailOption{WithEmailTemplate("{{ .X", "")}, "title template"},
		{"bad HTML", "smtp.example.com:25", "a@example.com", to, []EmailOption{WithEmailHTML("{{ end }}")}, "html template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Every case has a password; a later option may replace it.
			opts := append([]EmailOption{WithSMTPAuth(SMTPAuthPlain, "u", smtpPassword)}, tt.opts...)
			_, err := NewEmail(tt.addr, tt.from, tt.to, opts...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assertNoLeak(t, err, smtpPassword)
		})
	}
}

func TestEmailDefaultPorts(t *testing.T) {
	tests := []struct {
		addr     string
		implicit bool
		wantPort int
	}{
		{"smtp.example.com", false, 587},
		{"smtp.example.com", true, 465},
		{"[::1]", false, 587},
		{"smtp.example.com:2525", true, 2525},
	}
	for _, tt := range tests {
		host, port, err := emailHostPort(tt.addr, tt.implicit)
		require.NoError(t, err, tt.addr)
		assert.NotEmpty(t, host)
		assert.Equal(t, tt.wantPort, port, tt.addr)
	}
}
