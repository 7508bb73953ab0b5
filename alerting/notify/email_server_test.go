package notify

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"
)

// smtpMail is one mail the fake server accepted.
type smtpMail struct {
	from string
	to   []string
	data []byte
	helo string
	tls  bool // the mail was sent over TLS (implicit or STARTTLS)
	user string
}

// smtpBackend is a go-smtp backend that records mails and fails on demand.
type smtpBackend struct {
	user, pass string // when set, AUTH PLAIN is offered and required
	rcptErr    *smtp.SMTPError
	dataErr    *smtp.SMTPError
	clientCAs  *x509.CertPool // when set, TLS requires a client certificate they signed

	mu    sync.Mutex // guards mails and mech
	mails []smtpMail
	mech  string // the mechanism of the last successful AUTH
}

func (b *smtpBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &smtpSession{be: b, conn: c}, nil
}

func (b *smtpBackend) lastMech() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.mech
}

func (b *smtpBackend) received() []smtpMail {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]smtpMail(nil), b.mails...)
}

type smtpSession struct {
	be   *smtpBackend
	conn *smtp.Conn
	user string
	mail smtpMail
}

func (s *smtpSession) AuthMechanisms() []string {
	if s.be.user == "" {
		return nil
	}
	return []string{sasl.Plain, sasl.Login, "CRAM-MD5"}
}

// errBadCredentials is the answer to a wrong user name or password.
var errBadCredentials = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}

func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	check := func(user string, ok bool) error {
		if user != s.be.user || !ok {
			return errBadCredentials
		}
		s.user = user
		s.be.mu.Lock()
		s.be.mech = mech
		s.be.mu.Unlock()
		return nil
	}
	switch mech {
	case sasl.Login:
		var user string
		return &saslSteps{steps: []saslStep{
			func([]byte) ([]byte, bool, error) { return []byte("Username:"), false, nil },
			func(r []byte) ([]byte, bool, error) { user = string(r); return []byte("Password:"), false, nil },
			func(r []byte) ([]byte, bool, error) { return nil, true, check(user, string(r) == s.be.pass) },
		}}, nil
	case "CRAM-MD5":
		challenge := []byte("<1896.697170952@localhost>")
		return &saslSteps{steps: []saslStep{
			func([]byte) ([]byte, bool, error) { return challenge, false, nil },
			func(r []byte) ([]byte, bool, error) {
				user, digest, _ := bytes.Cut(r, []byte(" "))
				m := hmac.New(md5.New, []byte(s.be.pass))
				m.Write(challenge)
				return nil, true, check(string(user), hex.EncodeToString(m.Sum(nil)) == string(digest))
			},
		}}, nil
	}
	return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass == s.be.pass) }), nil
}

// saslStep answers one client response of a SASL exchange.
type saslStep func(response []byte) (challenge []byte, done bool, err error)

// saslSteps is a sasl.Server running its steps in order, for the
// mechanisms go-sasl has no server for.
type saslSteps struct {
	steps []saslStep
	i     int
}

func (s *saslSteps) Next(response []byte) ([]byte, bool, error) {
	if s.i >= len(s.steps) {
		return nil, true, errBadCredentials
	}
	s.i++
	return s.steps[s.i-1](response)
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.be.user != "" && s.user == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.mail = smtpMail{from: from, helo: s.conn.Hostname(), tls: isTLS, user: s.user}
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.be.rcptErr != nil {
		return s.be.rcptErr
	}
	s.mail.to = append(s.mail.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.be.dataErr != nil {
		return s.be.dataErr
	}
	s.mail.data = data
	s.be.mu.Lock()
	s.be.mails = append(s.be.mails, s.mail)
	s.be.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        { s.mail = smtpMail{} }
func (s *smtpSession) Logout() error { return nil }

// smtpTLS is how the fake server offers TLS.
type smtpTLS int

const (
	smtpPlain    smtpTLS = iota // no TLS
	smtpSTARTTLS                // STARTTLS offered
	smtpImplicit                // TLS from the first byte
)

// startSMTP serves be on 127.0.0.1 and returns its address; the server is
// closed, and its goroutine waited for, when the test ends.
func startSMTP(t *testing.T, be *smtpBackend, mode smtpTLS, cert tls.Certificate) string {
	t.Helper()
	s := smtp.NewServer(be)
	s.Domain = "localhost"
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	s.AllowInsecureAuth = mode == smtpPlain
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if be.clientCAs != nil {
		cfg.ClientCAs, cfg.ClientAuth = be.clientCAs, tls.RequireAndVerifyClientCert
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	switch mode {
	case smtpSTARTTLS:
		s.TLSConfig = cfg
	case smtpImplicit:
		l = tls.NewListener(l, cfg)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(l) }()
	t.Cleanup(func() {
		_ = s.Close()
		if err := <-done; err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("smtp server: %v", err)
		}
	})
	return l.Addr().String()
}

// testCert returns a self-signed certificate for 127.0.0.1 and a pool
// holding it, for the client to trust. It serves as a client certificate
// too.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "o2kit test SMTP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
