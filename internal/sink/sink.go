// Package sink is a small capturing SMTP server: it keeps every message it
// receives in memory. Tests, the demo's built-in upstream and benchmarks
// deliver to it. It can be told to refuse mail for a while (outage tests).
//
// It is not a mail store: nothing is written to disk and nothing is relayed.
package sink

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one received message.
type Message struct {
	From string
	To   []string
	Data []byte
}

// Sink captures mail. Its zero value is not usable; call New.
type Sink struct {
	srv *smtp.Server

	mu      sync.Mutex
	msgs    []Message
	refuse  *smtp.SMTPError // non-nil: answer DATA with this
	refused int             // messages refused so far
}

// New returns a sink ready to Serve.
func New() *Sink {
	s := &Sink{}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "sink.localhost"
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	s.srv.MaxMessageBytes = 64 << 20
	return s
}

// Serve accepts connections on l until Close.
func (s *Sink) Serve(l net.Listener) error {
	err := s.srv.Serve(l)
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops the server.
func (s *Sink) Close() error { return s.srv.Close() }

// Refuse makes the sink answer every message with code (e.g. 451 or 550)
// until Refuse(0) is called.
func (s *Sink) Refuse(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		s.refuse = nil
		return
	}
	enh := smtp.EnhancedCode{4, 3, 0}
	if code >= 500 {
		enh = smtp.EnhancedCode{5, 7, 1}
	}
	s.refuse = &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: "sink told to refuse"}
}

// Refused returns how many messages the sink has refused so far: tests
// wait for attempts to happen rather than sleep and hope they did.
func (s *Sink) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// Messages returns a copy of what was received so far.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

type session struct {
	s    *Sink
	from string
	to   []string
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }
func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}
func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if ss.s.refuse != nil {
		ss.s.refused++
		return ss.s.refuse
	}
	ss.s.msgs = append(ss.s.msgs, Message{From: ss.from, To: append([]string(nil), ss.to...), Data: b})
	return nil
}
