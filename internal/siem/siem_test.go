package siem

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/misend/misend/internal/audit"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
)

// collector is a syslog receiver on loopback that keeps every message.
type collector struct {
	mu   sync.Mutex
	msgs []string
	l    net.Listener
	pc   net.PacketConn
}

func (c *collector) add(m string) {
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	c.mu.Unlock()
}

func (c *collector) got() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.msgs...)
}

// serveStream reads RFC 5425 octet-counted frames: "LEN SP MSG".
func (c *collector) serveStream(l net.Listener) {
	c.l = l
	for {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			r := bufio.NewReader(conn)
			for {
				n, err := r.ReadString(' ')
				if err != nil {
					return
				}
				size, err := strconv.Atoi(strings.TrimSpace(n))
				if err != nil {
					c.add("BAD FRAME " + n)
					return
				}
				buf := make([]byte, size)
				if _, err := io.ReadFull(r, buf); err != nil {
					return
				}
				c.add(string(buf))
			}
		}()
	}
}

func (c *collector) serveUDP(pc net.PacketConn) {
	c.pc = pc
	buf := make([]byte, 65536)
	for {
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		c.add(string(buf[:n]))
	}
}

func (c *collector) close() {
	if c.l != nil {
		c.l.Close()
	}
	if c.pc != nil {
		c.pc.Close()
	}
}

// rfc5424 is the header misend writes: <PRI>1 TIMESTAMP HOST misend PROCID MSGID - MSG.
var rfc5424 = regexp.MustCompile(`^<(\d{1,3})>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ misend \d+ (decision|audit) - (\{.*\})$`)

type fixture struct {
	db  *store.DB
	dl  *decisions.Log
	al  *audit.Log
	ctx context.Context
	n   int
}

func newFixture(t *testing.T) *fixture {
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.Path(t, t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	dl, err := decisions.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dl.Close() })
	al, err := audit.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{db: db, dl: dl, al: al, ctx: ctx}
}

// mail records a decision with a confidential-terms finding and an audit
// entry.
func (f *fixture) mail(t *testing.T, v policy.Verdict) {
	f.n++
	f.dl.Append(f.ctx, decisions.Record{At: time.Now(), Via: "smtp", MessageID: fmt.Sprintf("m%d@corp.example", f.n), Sender: "sato@corp.example",
		Department: "営業部", Decision: policy.Decision{Verdict: v, Decided: v, Rule: "band"}, Score: 0.93,
		Findings: []finding.Finding{{Code: finding.ConfidentialTerms, Severity: finding.High, Terms: []string{"極秘"}, Message: "m"}}})
	f.dl.Flush()
	if err := f.al.Record(f.ctx, audit.Entry{Actor: "boss@corp.example", Action: audit.Release, Target: fmt.Sprintf("q%d", f.n)}); err != nil {
		t.Fatal(err)
	}
}

func decode(t *testing.T, msg string) (int, Event) {
	t.Helper()
	m := rfc5424.FindStringSubmatch(msg)
	if m == nil {
		t.Fatalf("not RFC 5424 as misend writes it: %q", msg)
	}
	var e Event
	if err := json.Unmarshal([]byte(m[3]), &e); err != nil || e.Type != m[2] {
		t.Fatalf("message %q: %v", m[3], err)
	}
	pri, _ := strconv.Atoi(m[1])
	return pri, e
}

func TestSyslogOverTCPAndUDP(t *testing.T) {
	for _, network := range []string{"tcp", "udp"} {
		t.Run(network, func(t *testing.T) {
			f := newFixture(t)
			f.mail(t, policy.Pass) // before the export began: not sent
			c := &collector{}
			var dest string
			if network == "tcp" {
				l, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				go c.serveStream(l)
				dest = "tcp://" + l.Addr().String()
			} else {
				pc, err := net.ListenPacket("udp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				go c.serveUDP(pc)
				dest = "udp://" + pc.LocalAddr().String()
			}
			defer c.close()
			s, err := NewSyslog(dest, "")
			if err != nil {
				t.Fatal(err)
			}
			x, err := New(f.ctx, f.db, s)
			if err != nil {
				t.Fatal(err)
			}
			f.mail(t, policy.Hold)
			f.mail(t, policy.Pass)
			if n, err := x.Once(f.ctx, s); err != nil || n != 4 {
				t.Fatalf("sent %d, %v", n, err)
			}
			msgs := waitFor(t, c, 4)
			var types []string
			for _, m := range msgs {
				pri, e := decode(t, m)
				types = append(types, fmt.Sprintf("%s:%s%s:%d", e.Type, e.Verdict, e.Action, pri))
				if e.Type == "decision" && (len(e.Findings) != 1 || e.Findings[0].Terms != nil || e.Department != "営業部" || e.Codes[0] != "CONFIDENTIAL_TERMS") {
					t.Errorf("decision event %+v: terms must stay out by default", e)
				}
			}
			// local0 (16): hold is a warning (4), pass informational (6),
			// an audit entry a notice (5).
			want := "decision:hold:132,decision:pass:134,audit:release:133,audit:release:133"
			if got := strings.Join(types, ","); got != want {
				t.Errorf("got %s, want %s", got, want)
			}
			if n, err := x.Once(f.ctx, s); err != nil || n != 0 {
				t.Errorf("second round sent %d again (%v)", n, err)
			}
			s.Close()
		})
	}
}

func waitFor(t *testing.T, c *collector, n int) []string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if got := c.got(); len(got) >= n {
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("collector got %d messages, want %d: %q", len(c.got()), n, c.got())
	return nil
}

// With the collector down for a while nothing is lost: the events wait in
// the database and go once it listens again.
func TestCollectorOutageLosesNothing(t *testing.T) {
	f := newFixture(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	c := &collector{}
	go c.serveStream(l)
	s, err := NewSyslog("tcp://"+addr, "")
	if err != nil {
		t.Fatal(err)
	}
	s.timeout = time.Second
	x, err := New(f.ctx, f.db, s)
	if err != nil {
		t.Fatal(err)
	}
	f.mail(t, policy.Hold)
	if _, err := x.Once(f.ctx, s); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, 2)
	l.Close() // the collector goes away
	s.Close()
	for range 3 {
		f.mail(t, policy.Confirm)
		if _, err := x.Once(f.ctx, s); err == nil {
			t.Fatal("sent to a collector that is down")
		}
	}
	l2, err := net.Listen("tcp", addr) // back on the same address
	if err != nil {
		t.Skipf("port taken meanwhile: %v", err)
	}
	go c.serveStream(l2)
	defer l2.Close()
	if n, err := x.Once(f.ctx, s); err != nil || n != 6 {
		t.Fatalf("after the outage sent %d (%v), want 6", n, err)
	}
	msgs := waitFor(t, c, 8)
	ids := map[string]bool{}
	for _, m := range msgs {
		_, e := decode(t, m)
		ids[fmt.Sprintf("%s/%d", e.Type, e.ID)] = true
	}
	if len(ids) != 8 {
		t.Errorf("%d distinct events of 8: %v", len(ids), ids)
	}
	s.Close()
}

func TestSyslogOverTLS(t *testing.T) {
	f := newFixture(t)
	certPEM, cert := selfSigned(t)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, certPEM, 0o644)
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{}
	go c.serveStream(l)
	defer c.close()
	if s, _ := NewSyslog("tls://"+l.Addr().String(), ""); s != nil {
		x, _ := New(f.ctx, f.db, s)
		f.mail(t, policy.Pass)
		if _, err := x.Once(f.ctx, s); err == nil {
			t.Error("sent to a collector whose certificate nobody vouches for")
		}
	}
	s, err := NewSyslog("tls://"+l.Addr().String(), ca)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	x, err := New(f.ctx, f.db, s)
	if err != nil {
		t.Fatal(err)
	}
	f.mail(t, policy.Reject)
	// What the refused attempt could not send goes now, with the new mail.
	if n, err := x.Once(f.ctx, s); err != nil || n != 4 {
		t.Fatalf("sent %d, %v", n, err)
	}
	for _, m := range waitFor(t, c, 4) {
		decode(t, m)
	}
}

func TestFileAndTerms(t *testing.T) {
	f := newFixture(t)
	path := filepath.Join(t.TempDir(), "events.jsonl")
	x, err := New(f.ctx, f.db, File{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	x.IncludeTerms = true
	f.mail(t, policy.Hold)
	if n, err := x.Once(f.ctx, File{Path: path}); err != nil || n != 2 {
		t.Fatalf("sent %d, %v", n, err)
	}
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines: %s", len(lines), b)
	}
	var e Event
	if err := json.Unmarshal([]byte(lines[0]), &e); err != nil || e.Type != "decision" || len(e.Findings) != 1 || e.Findings[0].Terms[0] != "極秘" {
		t.Errorf("first line %s: %v", lines[0], err)
	}
}

func TestNewSyslogRefusesBadDestinations(t *testing.T) {
	for _, d := range []string{"siem.corp.example:514", "http://x:1", "tcp://nohostport", "tls://x:1 "} {
		if _, err := NewSyslog(d, ""); err == nil {
			t.Errorf("%q accepted", d)
		}
	}
}

func selfSigned(t *testing.T) ([]byte, tls.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "collector"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}))
	if err != nil {
		t.Fatal(err)
	}
	return certPEM, cert
}
