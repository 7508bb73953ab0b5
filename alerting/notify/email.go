package notify

import (
	"crypto/tls"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/o2kit/o2kit/alerting"
)

// Email sends each notification as one mail over SMTP, through
// github.com/wneessen/go-mail: the rendered title as Subject, the rendered
// body as text/plain (with an optional HTML alternative), and the headers
// X-Alert-Status (firing or resolved) and X-Alert-Group (the group key).
// Each Notify opens a connection, sends and closes it. Create it with
// [NewEmail]; it is safe for concurrent use.
type Email struct {
	client   *gomail.Client
	from     string
	domain   string // of from, for Message-ID
	to, cc   []string
	tmpl     *Template
	html     *htmltemplate.Template
	password string // only to check that errors never carry it
}

var _ alerting.Notifier = (*Email)(nil)

// TLSMode is how an [Email] secures its SMTP connection.
type TLSMode int

// The TLS modes. The zero value, StartTLS, refuses to send over a
// connection it cannot encrypt.
const (
	StartTLS              TLSMode = iota // plain connection upgraded by STARTTLS, required
	StartTLSOpportunistic                // STARTTLS if the server offers it, else plain text
	ImplicitTLS                          // TLS from the first byte (SMTPS, usually port 465)
	NoTLS                                // plain text only
)

// SMTPAuthMechanism is how an [Email] authenticates to the SMTP server.
type SMTPAuthMechanism int

// The SMTP AUTH mechanisms. PLAIN and LOGIN send the password itself, so
// they are refused over an unencrypted connection except to localhost;
// CRAM-MD5 sends a keyed hash of the server's challenge.
const (
	SMTPAuthNone SMTPAuthMechanism = iota
	SMTPAuthPlain
	SMTPAuthLogin
	SMTPAuthCRAMMD5
)

// EmailOption configures an [Email].
type EmailOption interface{ apply(*emailConfig) }

type emailConfig struct {
	cc                 []string
	tlsMode            TLSMode
	tlsSet             bool
	tlsConfig          *tls.Config
	auth               SMTPAuthMechanism
	username, password string
	timeout            time.Duration
	helo               string
	heloSet            bool
	title, body, html  string
}

type emailOptionFunc func(*emailConfig)

func (f emailOptionFunc) apply(c *emailConfig) { f(c) }

// WithCC adds carbon-copy recipients. Default: none. An address that does
// not parse is rejected by [NewEmail].
func WithCC(addrs ...string) EmailOption {
	return emailOptionFunc(func(c *emailConfig) { c.cc = append(c.cc, addrs...) })
}

// WithSMTPTLS sets the TLS mode. Default [StartTLS]; [ImplicitTLS] when the
// address's port is 465. An unknown mode is rejected by [NewEmail].
func WithSMTPTLS(mode TLSMode) EmailOption {
	return emailOptionFunc(func(c *emailConfig) { c.tlsMode, c.tlsSet = mode, true })
}

// WithSMTPTLSConfig sets the TLS configuration, for a private CA
// (RootCAs) or a client certificate. It is cloned; an empty ServerName is
// set to the server's host. Default: the system roots, TLS 1.2 or later.
func WithSMTPTLSConfig(cfg *tls.Config) EmailOption {
	return emailOptionFunc(func(c *emailConfig) { c.tlsConfig = cfg })
}

// WithSMTPAuth authenticates with the given mechanism, user name and
// password. Default: no authentication. An unknown mechanism or an empty
// user name is rejected by [NewEmail]. The password never appears in
// errors.
func WithSMTPAuth(mech SMTPAuthMechanism, username, password string) EmailOption {
	return emailOptionFunc(func(c *emailConfig) { c.auth, c.username, c.password = mech, username, password })
}

// WithSMTPTimeout bounds connecting and each SMTP command. Default 15
// seconds. Values of zero or below are rejected by [NewEmail].
func WithSMTPTimeout(d time.Duration) EmailOption {
	return emailOptionFunc(func(c *emailConfig) { c.timeout = d })
}

// WithHELO sets the name sent in EHLO/HELO. Default: the host name of
// this machine. An empty name is rejected by [NewEmail].
func WithHELO(name string) EmailOption {
	return emailOptionFunc(func(c *emailConfig) { c.helo, c.heloSet = name, true })
}

// WithEmailTemplate sets the subject (title) and text body templates (see
// [NewTemplate]). Default [DefaultTitle] and [DefaultBody]. A template
// that does not parse is rejected by [NewEmail].
func WithEmailTemplate(title, body string) EmailOption {
	return emailOptionFunc(func(c *emailConfig) { c.title, c.body = title, body })
}

// WithEmailHTML adds an HTML alternative to the text body, rendered with
// html/template (so label values are escaped) over the same data and
// functions as [Template]. Default: text only. A template that does not
// parse is rejected by [NewEmail].
func WithEmailHTML(tmpl string) EmailOption {
	return emailOptionFunc(func(c *emailConfig) { c.html = tmpl })
}

// NewEmail returns an [Email] sending from the address from to the
// addresses in to through the SMTP server at addr ("host:port"; without a
// port, 465 for [ImplicitTLS] and 587 otherwise).
func NewEmail(addr, from string, to []string, opts ...EmailOption) (*Email, error) {
	c := emailConfig{timeout: gomail.DefaultTimeout}
	for _, o := range opts {
		o.apply(&c)
	}
	host, port, err := emailHostPort(addr, c.tlsSet && c.tlsMode == ImplicitTLS)
	if err != nil {
		return nil, err
	}
	if !c.tlsSet && port == gomail.DefaultPortSSL {
		c.tlsMode = ImplicitTLS
	}
	e := &Email{from: from, to: slices.Clone(to), cc: slices.Clone(c.cc), password: c.password}
	if err := e.checkAddresses(); err != nil {
		return nil, err
	}
	if e.tmpl, err = NewTemplate(c.title, c.body); err != nil {
		return nil, err
	}
	if c.html != "" {
		if e.html, err = htmltemplate.New("html").Funcs(htmltemplate.FuncMap(funcs)).Option("missingkey=zero").Parse(c.html); err != nil {
			return nil, fmt.Errorf("notify: html template: %w", err)
		}
	}
	mopts, err := emailClientOptions(&c, host, port)
	if err != nil {
		return nil, err
	}
	if e.client, err = gomail.NewClient(host, mopts...); err != nil {
		return nil, fmt.Errorf("notify: smtp client: %w", err)
	}
	return e, nil
}

// emailHostPort splits addr, defaulting the port to 465 for implicit TLS,
// else 587.
func emailHostPort(addr string, implicit bool) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		host, p = strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]"), strconv.Itoa(gomail.DefaultPortTLS)
		if implicit {
			p = strconv.Itoa(gomail.DefaultPortSSL)
		}
	}
	port, err := strconv.Atoi(p)
	if host == "" || err != nil || port < 1 || port > 65535 {
		return "", 0, fmt.Errorf("notify: smtp address %q is not host:port", addr)
	}
	return host, port, nil
}

func (e *Email) checkAddresses() error {
	a, err := mail.ParseAddress(e.from)
	if err != nil {
		return fmt.Errorf("notify: email sender %q: %w", e.from, err)
	}
	e.domain = a.Address[strings.LastIndexByte(a.Address, '@')+1:]
	if len(e.to) == 0 {
		return errors.New("notify: email needs at least one recipient")
	}
	for _, addr := range slices.Concat(e.to, e.cc) {
		if _, err := mail.ParseAddress(addr); err != nil {
			return fmt.Errorf("notify: email recipient %q: %w", addr, err)
		}
	}
	return nil
}
