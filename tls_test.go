package o2kit

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/o2kit/o2kit/internal/o2server"
)

// testPKI is a private CA with one server and one client certificate.
type testPKI struct {
	pool   *x509.CertPool
	server tls.Certificate
	client tls.Certificate
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "o2kit test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	caCert, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	leaf := func(serial int64, usage x509.ExtKeyUsage) tls.Certificate {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "o2kit"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		require.NoError(t, err)
		return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return &testPKI{pool: pool, server: leaf(2, x509.ExtKeyUsageServerAuth), client: leaf(3, x509.ExtKeyUsageClientAuth)}
}

func TestTLSWithCustomCAAndClientCertificate(t *testing.T) {
	pki := newTestPKI(t)
	srv := o2server.New()
	defer srv.Close()
	hs := httptest.NewUnstartedServer(srv)
	hs.TLS = &tls.Config{Certificates: []tls.Certificate{pki.server}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pki.pool}
	hs.StartTLS()
	defer hs.Close()

	c, log := newClient(t, srv, hs.URL, WithTLSConfig(&tls.Config{RootCAs: pki.pool, Certificates: []tls.Certificate{pki.client}}))
	emitN(t, c, "tls", 5)
	flush(t, c)
	assert.Equal(t, int64(5), srv.Count("default", "tls"))
	assert.Empty(t, log.all())

	// Without the client certificate the handshake fails; a TLS failure is
	// not retried.
	noCert, log2 := newClient(t, srv, hs.URL, WithTLSConfig(&tls.Config{RootCAs: pki.pool}), WithMaxRetries(0))
	emitN(t, noCert, "tls", 1)
	flush(t, noCert)
	assert.Equal(t, uint64(1), noCert.Stats().Failed)
	assert.NotEmpty(t, log2.all())

	// Without the CA the server is not trusted.
	untrusted, _ := newClient(t, srv, hs.URL, WithMaxRetries(3))
	assert.Error(t, untrusted.Health(context.Background()))

	// WithTLSConfig applies to a given *http.Transport too.
	custom := &http.Client{Transport: &http.Transport{}}
	c3, _ := newClient(t, srv, hs.URL, WithHTTPClient(custom), WithTLSConfig(&tls.Config{RootCAs: pki.pool, Certificates: []tls.Certificate{pki.client}}))
	require.NoError(t, c3.Health(context.Background()))
	if tc := custom.Transport.(*http.Transport).TLSClientConfig; tc != nil {
		assert.Nil(t, tc.RootCAs, "the caller's transport does not get the CA")
		assert.Empty(t, tc.Certificates, "nor the client certificate")
	}
}
