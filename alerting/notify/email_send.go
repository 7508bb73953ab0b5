package notify

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/textproto"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"

	"github.com/o2kit/o2kit/alerting"
)

// emailClientOptions translates the config into go-mail client options.
func emailClientOptions(c *emailConfig, host string, port int) ([]gomail.Option, error) {
	if c.timeout <= 0 {
		return nil, fmt.Errorf("notify: smtp timeout %s is not positive", c.timeout)
	}
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTimeout(c.timeout)}
	switch c.tlsMode {
	case StartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case StartTLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case NoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, fmt.Errorf("notify: unknown smtp TLS mode %d", c.tlsMode)
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.tlsConfig != nil {
		tc = c.tlsConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = host
	}
	opts = append(opts, gomail.WithTLSConfig(tc))
	if c.helo != "" || c.heloSet {
		if c.helo == "" {
			return nil, errors.New("notify: smtp HELO name is empty")
		}
		opts = append(opts, gomail.WithHELO(c.helo))
	}
	auth, err := emailAuth(c)
	if err != nil {
		return nil, err
	}
	return append(opts, auth...), nil
}

func emailAuth(c *emailConfig) ([]gomail.Option, error) {
	var t gomail.SMTPAuthType
	switch c.auth {
	case SMTPAuthNone:
		return nil, nil
	case SMTPAuthPlain:
		t = gomail.SMTPAuthPlain
	case SMTPAuthLogin:
		t = gomail.SMTPAuthLogin
	case SMTPAuthCRAMMD5:
		t = gomail.SMTPAuthCramMD5
	default:
		return nil, fmt.Errorf("notify: unknown smtp auth mechanism %d", c.auth)
	}
	if c.username == "" {
		return nil, errors.New("notify: smtp auth user name is empty")
	}
	return []gomail.Option{gomail.WithSMTPAuth(t), gomail.WithUsername(c.username), gomail.WithPassword(c.password)}, nil
}

// Notify renders n into a mail and sends it once. SMTP 5xx answers (a
// rejected recipient, failed authentication) and certificate errors are
// permanent; 4xx answers and network errors are not.
func (e *Email) Notify(ctx context.Context, n *alerting.Notification) error {
	m, err := e.message(n)
	if err != nil {
		return err
	}
	if err := e.client.DialAndSendWithContext(ctx, m); err != nil {
		return e.classify(err)
	}
	return nil
}

// message builds the mail for n.
func (e *Email) message(n *alerting.Notification) (*gomail.Msg, error) {
	title, body, err := e.tmpl.Render(n)
	if err != nil {
		return nil, err
	}
	m := gomail.NewMsg()
	if err := errors.Join(m.From(e.from), m.To(e.to...)); err != nil {
		return nil, alerting.Permanent(fmt.Errorf("notify: email address: %w", err))
	}
	if len(e.cc) > 0 {
		if err := m.Cc(e.cc...); err != nil {
			return nil, alerting.Permanent(fmt.Errorf("notify: email address: %w", err))
		}
	}
	m.Subject(headerValue(title))
	m.SetDateWithValue(time.Now())
	m.SetMessageIDWithValue(rand.Text() + "@" + e.domain)
	m.SetGenHeader("X-Alert-Status", headerValue(n.Status))
	m.SetGenHeader("X-Alert-Group", headerValue(n.GroupKey))
	m.SetBodyString(gomail.TypeTextPlain, body)
	if e.html != nil {
		var b strings.Builder
		if err := e.html.Execute(&b, n); err != nil {
			return nil, alerting.Permanent(fmt.Errorf("notify: html template: %w", err))
		}
		m.AddAlternativeString(gomail.TypeTextHTML, b.String())
	}
	return m, nil
}

// headerValue folds a rendered value onto one line, so that a label value
// with a line break cannot start a new header.
func headerValue(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// classify marks errors retrying cannot fix as permanent and makes sure
// the password never shows.
func (e *Email) classify(err error) error {
	permanent := smtpPermanent(err)
	err = fmt.Errorf("notify: smtp: %w", err)
	if e.password != "" && strings.Contains(err.Error(), e.password) {
		err = errors.New("notify: smtp: send failed (details withheld: they contain the password)")
	}
	if permanent {
		return alerting.Permanent(err)
	}
	return err
}

// smtpPermanent reports whether err is a 5xx answer, a certificate the
// TLS configuration does not trust, or an authentication the server or
// the connection cannot take.
func smtpPermanent(err error) bool {
	var se *gomail.SendError
	var te *textproto.Error
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ce *tls.CertificateVerificationError
	switch {
	case errors.As(err, &se):
		return !se.IsTemp() && se.ErrorCode() >= 500
	case errors.As(err, &te):
		return te.Code >= 500
	}
	return errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ce) ||
		errors.Is(err, gosmtp.ErrUnencrypted) || errors.Is(err, gomail.ErrPlainAuthNotSupported) ||
		errors.Is(err, gomail.ErrLoginAuthNotSupported) || errors.Is(err, gomail.ErrCramMD5AuthNotSupported)
}
