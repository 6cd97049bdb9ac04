package gateway

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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
)

// selfSigned makes a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "misend test"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

func TestStartTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	q, _ := queue.Open(t.TempDir())
	addr := start(t, Config{TLS: &tls.Config{Certificates: []tls.Certificate{cert}}}, fixed{v: policy.Pass}, q)
	c, err := smtp.DialStartTLS(addr, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatalf("starttls: %v", err)
	}
	defer c.Close()
	if err := c.SendMail("a@corp.example", []string{"b@x.example"}, strings.NewReader(msg)); err != nil {
		t.Fatal(err)
	}
	if st, ok := c.TLSConnectionState(); !ok || !st.HandshakeComplete {
		t.Error("no TLS after STARTTLS")
	}
	if n := len(q.List(queue.Queued)); n != 1 {
		t.Errorf("queued %d over TLS", n)
	}
}

func TestAuth(t *testing.T) {
	cert, pool := selfSigned(t)
	q, _ := queue.Open(t.TempDir())
	addr := start(t, Config{TLS: &tls.Config{Certificates: []tls.Certificate{cert}}, Auth: plainUsers{"mta": "s3cret"}}, fixed{v: policy.Pass}, q)
	tests := []struct {
		name     string
		user, pw string
		wantCode int
	}{
		{"no auth", "", "", 530},
		{"wrong password", "mta", "nope", 535},
		{"good", "mta", "s3cret", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := smtp.DialStartTLS(addr, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if tc.user != "" {
				err = c.Auth(sasl.NewPlainClient("", tc.user, tc.pw))
			}
			if err == nil {
				err = c.SendMail("a@corp.example", []string{"b@x.example"}, strings.NewReader(msg))
			}
			if code(err) != tc.wantCode || (tc.wantCode == 0 && err != nil) {
				t.Errorf("got %v, want code %d", err, tc.wantCode)
			}
		})
	}
	// Without TLS the server does not offer AUTH, so no password crosses in clear.
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Hello("x")
	if ok, _ := c.Extension("AUTH"); ok {
		t.Error("AUTH offered without TLS")
	}
}

// loginSeen is a decision path that remembers the SASL login it was given.
type loginSeen struct {
	mu    sync.Mutex
	login string
}

func (l *loginSeen) Decide(_ context.Context, env decide.Envelope, _ []byte) decide.Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.login = env.Login
	return decide.Result{Decision: policy.Decision{Verdict: policy.Pass, Decided: policy.Pass}}
}

// The user the gateway's own AUTH took reaches the decision as the login.
func TestAuthUserReachesDecision(t *testing.T) {
	cert, pool := selfSigned(t)
	q, _ := queue.Open(t.TempDir())
	cfg := Config{TLS: &tls.Config{Certificates: []tls.Certificate{cert}}, Auth: plainUsers{"sato@corp.example": "s3cret"}}
	seen := &loginSeen{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := New(cfg, seen, spoolIntake{q})
	go g.Serve(l)
	t.Cleanup(func() { g.Shutdown(context.Background()) })
	c, err := smtp.DialStartTLS(l.Addr().String(), &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Auth(sasl.NewPlainClient("", "sato@corp.example", "s3cret")); err != nil {
		t.Fatal(err)
	}
	if err := c.SendMail("boss@corp.example", []string{"b@x.example"}, strings.NewReader(msg)); err != nil {
		t.Fatal(err)
	}
	seen.mu.Lock()
	defer seen.mu.Unlock()
	if seen.login != "sato@corp.example" {
		t.Errorf("login %q reached the decision, want sato@corp.example", seen.login)
	}
}
