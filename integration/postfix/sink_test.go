package postfix

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// captured is one message the sink received.
type captured struct {
	From string
	To   []string
	Data []byte
	At   time.Time
}

// sink is an SMTP server on loopback that keeps what it is sent.
type sink struct {
	Addr string
	mu   sync.Mutex
	msgs []captured
	ch   chan captured
}

func startSink(t testing.TB) *sink {
	t.Helper()
	s := &sink{ch: make(chan captured, 100000)}
	srv := smtp.NewServer(s)
	srv.Domain = "sink.test.example"
	srv.AllowInsecureAuth = true
	srv.MaxRecipients = 1000
	srv.MaxMessageBytes = 20 << 20
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

// wait returns the next captured message, or fails after d.
func (s *sink) wait(t testing.TB, d time.Duration) captured {
	t.Helper()
	select {
	case m := <-s.ch:
		return m
	case <-time.After(d):
		t.Fatalf("sink received nothing within %v", d)
	}
	return captured{}
}

// none fails if anything arrives within d.
func (s *sink) none(t testing.TB, d time.Duration) {
	t.Helper()
	select {
	case m := <-s.ch:
		t.Fatalf("sink received a message that should not have left: %s", m.Data)
	case <-time.After(d):
	}
}

func (s *sink) NewSession(c *smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }

type sinkSession struct {
	s *sink
	m captured
}

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.m = captured{From: from}
	return nil
}
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.m.To = append(ss.m.To, to)
	return nil
}
func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.m.Data, ss.m.At = b, time.Now()
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, ss.m)
	ss.s.mu.Unlock()
	ss.s.ch <- ss.m
	return nil
}
func (ss *sinkSession) Reset()        { ss.m = captured{} }
func (ss *sinkSession) Logout() error { return nil }
