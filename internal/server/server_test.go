package server

import (
	dto "github.com/prometheus/client_model/go"

	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/relay"
	"github.com/misend/misend/internal/sink"
)

// bySubject holds mail whose subject says HOLD and passes the rest.
type bySubject struct{}

// approver releases held mail in these tests: an approver of the whole
// organisation, through held.Service as every release goes.
var approver = held.Actor{Principal: auth.Principal{Address: "approver@corp.example", Roles: []auth.Role{auth.RoleApprover}, ApprovesOrganization: true}}

func (bySubject) Decide(_ context.Context, _ decide.Envelope, raw []byte) decide.Result {
	if strings.Contains(string(raw), "Subject: HOLD\r\n") {
		return decide.Result{Subject: "HOLD", Decision: policy.Decision{Verdict: policy.Hold, Decided: policy.Hold}}
	}
	return decide.Result{Decision: policy.Decision{Verdict: policy.Pass, Decided: policy.Pass}}
}

func startSink(t testing.TB) (*sink.Sink, string) { return startSinkOn(t, "127.0.0.1:0") }

func startSinkOn(t testing.TB, addr string) (*sink.Sink, string) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := sink.New()
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	return s, l.Addr().String()
}

// startServer starts a server that holds mail whose subject is HOLD and
// passes the rest; with may change its options first.
func startServer(t testing.TB, spool, upstream string, with ...func(*Options)) *Server {
	t.Helper()
	o := Options{
		SMTPAddr: "127.0.0.1:0",
		SpoolDir: spool,
		Upstream: relay.Client{Addr: upstream, TLS: relay.TLSNone},
		Retry:    queue.Retry{First: 50 * time.Millisecond, Max: 200 * time.Millisecond, MaxAge: time.Hour},
		Decide:   bySubject{},
	}
	for _, f := range with {
		f(&o)
	}
	s, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func send(t *testing.T, addr net.Addr, subject string) {
	t.Helper()
	c, err := smtp.Dial(addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body := "From: a@corp.example\r\nSubject: " + subject + "\r\n\r\nhi\r\n"
	if err := c.SendMail("a@corp.example", []string{"b@partner.example"}, strings.NewReader(body)); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestPassDeliversHoldSurvivesRestart(t *testing.T) {
	sk, up := startSink(t)
	spool := t.TempDir()
	s := startServer(t, spool, up)
	send(t, s.SMTP, "hello")
	send(t, s.SMTP, "HOLD")
	waitFor(t, "delivery", func() bool { return len(sk.Messages()) == 1 })
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	s = startServer(t, spool, up)
	defer s.Shutdown(context.Background())
	held := s.Queue.List(queue.Held)
	if len(held) != 1 {
		t.Fatalf("held after restart: %v", s.Queue.Depth())
	}
	if _, err := s.Held.Release(context.Background(), string(held[0].ID), approver, ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "released delivery", func() bool { return len(sk.Messages()) == 2 })
	if got := string(sk.Messages()[1].Data); !strings.Contains(got, "Subject: HOLD") {
		t.Errorf("released message: %q", got)
	}
}

func TestUpstreamOutageLosesNothing(t *testing.T) {
	sk, up := startSink(t)
	sk.Refuse(451)
	s := startServer(t, t.TempDir(), up)
	defer s.Shutdown(context.Background())
	const n = 20
	for i := 0; i < n; i++ {
		send(t, s.SMTP, "msg")
	}
	// Every message has been tried and refused once: the outage was met.
	waitFor(t, "first attempts", func() bool { return sk.Refused() >= n })
	if got := len(sk.Messages()); got != 0 {
		t.Fatalf("refusing sink stored %d", got)
	}
	if q := len(s.Queue.List(queue.Queued)) + len(s.Queue.List(queue.Delivering)); q != n {
		t.Errorf("queued during outage: %v", s.Queue.Depth())
	}
	sk.Refuse(0)
	waitFor(t, "queue to drain", func() bool { return len(sk.Messages()) == n })
	// The upstream has each message before the spool records the delivery.
	waitFor(t, "deliveries recorded", func() bool { return s.Queue.Depth()[queue.Delivered] == n })
	if got := len(sk.Messages()); got != n {
		t.Errorf("upstream got %d, want %d (no duplicates)", got, n)
	}
}

func TestPermanentRefusalBouncesOnce(t *testing.T) {
	sk, up := startSink(t)
	sk.Refuse(550)
	s := startServer(t, t.TempDir(), up)
	defer s.Shutdown(context.Background())
	send(t, s.SMTP, "msg")
	// The message bounces; its DSN (null sender) is refused too and must
	// not bounce again.
	waitFor(t, "message and its DSN to bounce", func() bool { return len(s.Queue.List(queue.Bounced)) == 2 })
	// A second message and its DSN bounce the same way; by then the first
	// DSN's bounce, a moment earlier, has made whatever it was going to.
	send(t, s.SMTP, "barrier")
	waitFor(t, "the second message and its DSN to bounce", func() bool { return len(s.Queue.List(queue.Bounced)) == 4 })
	var dsn *queue.Item
	for _, it := range s.Queue.List(queue.Bounced) {
		if it.Envelope.From == "" {
			dsn = &it
		}
	}
	if dsn == nil || dsn.Envelope.To[0] != "a@corp.example" {
		t.Fatalf("no DSN to the sender: %+v", s.Queue.List(queue.Bounced))
	}
	if n := len(s.Queue.List(queue.Bounced)) + len(s.Queue.List(queue.Queued)); n != 4 {
		t.Errorf("a bounce was bounced: %v", s.Queue.Depth())
	}
}

// A shutdown right after Start, before the listeners' Serve has begun,
// still stops everything; a second Shutdown returns at once.
func TestShutdownRightAfterStart(t *testing.T) {
	_, up := startSink(t)
	for range 20 {
		s, err := Start(Options{
			SMTPAddr: "127.0.0.1:0", MilterAddr: "127.0.0.1:0", SpoolDir: t.TempDir(),
			Upstream: relay.Client{Addr: up, TLS: relay.TLSNone},
			Decide:   bySubject{},
		})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			s.Shutdown(context.Background())
			done <- s.Shutdown(context.Background())
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Shutdown right after Start hangs")
		}
		if c, err := net.DialTimeout("tcp", s.SMTP.String(), time.Second); err == nil {
			c.Close()
			t.Fatal("SMTP still accepts after Shutdown")
		}
	}
}

// knownSender is bySubject for senders the directory knows or not.
type knownSender struct{ known bool }

func (k knownSender) Decide(ctx context.Context, env decide.Envelope, raw []byte) decide.Result {
	res := bySubject{}.Decide(ctx, env, raw)
	res.Sender, res.SenderKnown = env.From, k.known
	return res
}

// misend's notices about held mail go only to people of the directory:
// never to an envelope sender or From: that is nobody's (an outside
// client's, or one made up), since a notice names the recipients and why
// the message waits. Before, the notice went to whatever address the
// message gave.
func TestNoticesOnlyToPeople(t *testing.T) {
	for _, known := range []bool{true, false} {
		t.Run(fmt.Sprint("known=", known), func(t *testing.T) {
			_, up := startSink(t)
			s := startServer(t, t.TempDir(), up, func(o *Options) {
				o.Decide = knownSender{known}
				o.Notify = &Notify{Key: bytes.Repeat([]byte{7}, 32), BaseURL: "http://misend.invalid", From: "misend@corp.example"}
			})
			raw := "From: someone@partner.example\r\nTo: b@partner.example\r\nSubject: HOLD\r\n\r\nx\r\n"
			c, err := smtp.Dial(s.SMTP.String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.SendMail("someone@partner.example", []string{"b@partner.example"}, strings.NewReader(raw)); err != nil {
				t.Fatal(err)
			}
			var m dto.Metric
			if err := s.Metrics.Notices.Write(&m); err != nil {
				t.Fatal(err)
			}
			notices := int(m.GetCounter().GetValue())
			if want := map[bool]int{true: 1, false: 0}[known]; notices != want {
				t.Errorf("%d notices queued, want %d", notices, want)
			}
		})
	}
}
