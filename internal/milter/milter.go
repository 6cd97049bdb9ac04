// Package milter lets Postfix (smtpd_milters, non_smtpd_milters) ask misend
// about each message, over the Sendmail milter protocol.
//
// It collects the envelope and the message, asks a Decider, and answers
// within milliseconds: pass and warn are accepted, with X-Misend-* headers
// added when every recipient is inside the organisation; confirm, delay and hold are handed to a Holder (misend's durable
// queue) and then discarded from Postfix, so no SMTP session is ever held
// open waiting for a person; reject is refused with 550 5.7.1 and a generic
// reason. If the Holder cannot store the message, Postfix is told to try
// again later (4.3.0): a message is never lost and never let through by
// accident.
//
// Postfix main.cf for misend on 127.0.0.1:2526, with released mail coming
// back through a port that skips the milter (misend's upstream):
//
//	smtpd_milters = inet:127.0.0.1:2526
//	non_smtpd_milters = inet:127.0.0.1:2526
//	milter_default_action = tempfail    # misend down: clients retry, nothing leaks
//	milter_protocol = 6
//
//	# master.cf: where misend re-injects released mail
//	127.0.0.1:10026 inet n - n - - smtpd -o smtpd_milters= -o non_smtpd_milters=
//
// The packets are read and written by misend's own connection loop
// (conn.go), not go-milter's server: that one allocated a write buffer per
// packet, maps per message and a fresh goroutine per connection whose
// stack grew through every decision, and wrote each packet on its own, so
// the milter cost Postfix a quarter of its throughput. The loop speaks
// the same protocol (version 2 framing, the no-reply flags, the same
// actions); go-milter's client drives it in the tests and Postfix in the
// integration tests, and the packet reader is fuzzed.
//
// It deliberately does not parse MIME or judge content (the Decider does),
// and does not deliver anything (released messages leave through the
// queue's relay).
package milter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	gomilter "github.com/emersion/go-milter"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/decisions"
)

// Envelope is what the MTA told us about a message besides its content.
type Envelope = decide.Envelope

// Result is a decision on one message.
type Result = decide.Result

// Decider decides on one message. It must return promptly and must not fail
// silently: a detection problem is a fail-safe Result with Err set.
type Decider = decide.Decider

// Holder takes a message into misend's queue for a held verdict
// (confirm, delay, hold). On a nil error the message must be durable.
// raw is the milter's buffer, reused for the next message on the
// connection: a Holder keeps a copy, never raw itself.
type Holder interface {
	Hold(ctx context.Context, env Envelope, raw []byte, res Result) (queueID string, err error)
}

// Recorder records decisions for reports (decisions.Log).
type Recorder interface {
	Append(ctx context.Context, r decisions.Record) error
}

// Limits bound what one message may cost. The defaults mirror Postfix's.
type Limits struct {
	MaxMessageBytes int           // header plus body
	MaxRecipients   int           // RCPT TO per message
	IdleTimeout     time.Duration // longest wait for the next packet
	HoldTimeout     time.Duration // longest wait for the Holder
}

// DefaultLimits mirror Postfix's message_size_limit and
// smtpd_recipient_limit, and its milter content timeout.
var DefaultLimits = Limits{
	MaxMessageBytes: 10 << 20,
	MaxRecipients:   1000,
	IdleTimeout:     300 * time.Second,
	HoldTimeout:     10 * time.Second,
}

// Server answers milter connections.
type Server struct {
	Decider  Decider
	Holder   Holder   // required when a policy can hold
	Recorder Recorder // optional
	// Accepted, if set, is called for each message let through (pass and
	// warn), which leaves through Postfix: to learn from it and to tell
	// the sender of a warning. It must not block for long, and keeps a
	// copy of raw if it needs the message after it returns (see Holder).
	Accepted func(ctx context.Context, env Envelope, raw []byte, res Result)
	Limits   Limits // zero fields take DefaultLimits
	// StampOutside also adds the X-Misend-* headers to mail with a
	// recipient outside the organisation; off by default, so outsiders
	// learn nothing of the verdict.
	StampOutside bool
	Log          *slog.Logger
	// Now is the clock, for tests; nil means time.Now.
	Now func() time.Time

	mu     sync.Mutex
	ln     net.Listener
	closed bool
	done   chan struct{} // closed by Close
	idle   chan net.Conn // to a connection goroutine waiting for one

	stats struct{ connections, messages, answers atomic.Uint64 }
}

// Stats counts what the server did since it started.
type Stats struct {
	Connections uint64 // milter connections accepted, each one option negotiation
	Messages    uint64 // messages decided on (end of message reached)
	// Answers are the replies to events before the end of message, each
	// one a round trip the MTA waited for; events negotiated as needing
	// no reply are not among them.
	Answers uint64
}

// RoundTrips is how many times per message the MTA waited for the
// milter: the end of message, the answers before it, and the option
// negotiation of each connection.
func (s Stats) RoundTrips() float64 {
	if s.Messages == 0 {
		return 0
	}
	return float64(s.Messages+s.Answers+s.Connections) / float64(s.Messages)
}

// Stats returns the counts so far.
func (s *Server) Stats() Stats {
	return Stats{
		Connections: s.stats.connections.Load(),
		Messages:    s.stats.messages.Load(),
		Answers:     s.stats.answers.Load(),
	}
}

// Headers misend adds to passing mail. Any copy arriving from outside is
// removed first, so a sender cannot forge a verdict.
const (
	HeaderVerdict = "X-Misend-Verdict"
	HeaderScore   = "X-Misend-Score"
	HeaderWarning = "X-Misend-Warning"
	HeaderQueueID = "X-Misend-Queue-Id"
)

// protocol is what misend asks the MTA to send and to wait for. The MTA
// waits for an answer to every event it sends unless told not to, and each
// wait is a round trip on its SMTP session. misend answers only the end of
// the message, where it decides. The connection, MAIL FROM, each
// recipient, each header, the end of the headers and each body chunk are
// taken without an answer; HELO, DATA and unknown SMTP commands are not
// sent at all. What misend refuses before the end (a recipient that is a
// route, too many recipients, a message too big) it refuses there, the
// whole message at once: the MTA acknowledges nothing to its client
// before that answer, so a refused recipient still never leaves, and
// each recipient no longer costs the SMTP session a round trip.
// Postfix honours the no-reply flags whatever protocol version the milter
// names; misend names version 2 (conn.go), for which Postfix sends
// neither DATA nor unknown commands anyway, and answers DATA with
// "continue" and closes on an unknown command, which would break the
// no-reply conversation if it ever got them: they are refused here as
// well.
const protocol = gomilter.OptNoHelo | gomilter.OptNoUnknown | gomilter.OptNoData |
	gomilter.OptNoConnReply | gomilter.OptNoMailReply | gomilter.OptNoRcptReply | gomilter.OptNoHeaderReply |
	gomilter.OptNoEOHReply | gomilter.OptNoBodyReply

// Listen listens on addr for milter connections as the Server wants them:
// without TCP keep-alive probes, which would cost four system calls on
// every connection (Postfix may open one per message) where the idle
// timeout already drops a peer that went away.
func Listen(addr string) (net.Listener, error) {
	return (&net.ListenConfig{KeepAlive: -1}).Listen(context.Background(), "tcp", addr)
}

// actions are the modifications misend may ask of the MTA: adding its
// headers and removing forged copies.
const actions = gomilter.OptAddHeader | gomilter.OptChangeHeader

// Serve accepts milter connections on ln until Close.
func (s *Server) Serve(ln net.Listener) error {
	if s.Decider == nil {
		return errors.New("milter: no decider")
	}
	s.fill()
	s.mu.Lock()
	s.init()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return nil
	}
	s.ln = ln
	s.mu.Unlock()
	defer ln.Close()
	for {
		nc, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return nil
			}
			return fmt.Errorf("milter: serve: %w", err)
		}
		s.stats.connections.Add(1)
		s.dispatch(nc)
	}
}

// dispatch hands nc to an idle connection goroutine, or starts one. A
// goroutine serves connection after connection, so the stack a decision
// grew is there for the next one instead of growing again on every
// connection (Postfix may open one per message).
func (s *Server) dispatch(nc net.Conn) {
	select {
	case s.idle <- nc:
	default:
		go s.serve(nc)
	}
}

// serve handles nc, then waits a while for another connection.
func (s *Server) serve(nc net.Conn) {
	var t *time.Timer
	for {
		s.handle(nc)
		if t == nil {
			t = time.NewTimer(idleServer)
		} else {
			t.Reset(idleServer)
		}
		select {
		case nc = <-s.idle:
		case <-t.C:
			return
		case <-s.done:
			t.Stop()
			return
		}
	}
}

// idleServer is how long a connection goroutine waits for the next
// connection before it ends.
const idleServer = 30 * time.Second

// Close stops accepting connections; sessions in progress finish. A
// Close before Serve makes Serve return at once.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	if !s.closed {
		s.closed = true
		close(s.done)
	}
	if s.ln == nil {
		return nil
	}
	return s.ln.Close()
}

// init makes the channels the connection goroutines share; s.mu held.
func (s *Server) init() {
	if s.done == nil {
		s.done = make(chan struct{})
		s.idle = make(chan net.Conn)
	}
}

func (s *Server) fill() {
	d := DefaultLimits
	if s.Limits.MaxMessageBytes <= 0 {
		s.Limits.MaxMessageBytes = d.MaxMessageBytes
	}
	if s.Limits.MaxRecipients <= 0 {
		s.Limits.MaxRecipients = d.MaxRecipients
	}
	if s.Limits.IdleTimeout <= 0 {
		s.Limits.IdleTimeout = d.IdleTimeout
	}
	if s.Limits.HoldTimeout <= 0 {
		s.Limits.HoldTimeout = d.HoldTimeout
	}
	if s.Log == nil {
		s.Log = slog.Default()
	}
	if s.Now == nil {
		s.Now = time.Now
	}
}
