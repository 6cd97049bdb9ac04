// Package gateway is misend's SMTP relay server: the smarthost an MTA points
// at. Each message is read within limits, decided on once (whatever the
// number of recipients), stored durably in the queue, and only then answered
// 250. Refused mail gets 550 5.7.1 with a generic text that never names
// confidential terms.
//
// It does not deliver mail (the queue and relay do) and does not decide by
// itself; decisions come through the Decider interface.
package gateway

import (
	"bytes"
	"context"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/misend/misend/internal/check"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
)

// Decider decides on one message. msg is nil when the message could not be
// parsed; the decider still answers (fail-safe).
type Decider interface {
	Decide(ctx context.Context, env queue.Envelope, msg *mail.Message) (check.Outcome, error)
}

// Spool is the part of the queue the gateway needs.
type Spool interface {
	Accept(ctx context.Context, env queue.Envelope, raw []byte, out check.Outcome, state queue.State, notBefore time.Time) (queue.ID, error)
}

// Config configures a Server.
type Config struct {
	Domain          string
	TLS             *tls.Config // nil: no STARTTLS
	Networks        []netip.Prefix
	MaxMessageBytes int64
	MaxRecipients   int
	MaxLineLength   int
	DecideTimeout   time.Duration
	FailSafe        policy.Verdict // verdict when the decider fails; default hold
	Delay           time.Duration  // how long a delay verdict waits
	Log             *slog.Logger
	// Users, when set, requires AUTH PLAIN (offered over TLS only) with one
	// of these user → password pairs before MAIL.
	Users map[string]string
	// Parse reads a message; nil means mail.Parse with its default limits.
	Parse func(io.Reader) (*mail.Message, error)
}

// Server is the SMTP gateway.
type Server struct {
	cfg     Config
	decider Decider
	spool   Spool
	srv     *smtp.Server
}

// New builds a gateway; call Serve to start it.
func New(cfg Config, d Decider, s Spool) *Server {
	if cfg.MaxMessageBytes == 0 {
		cfg.MaxMessageBytes = int64(mail.DefaultLimits.MaxMessageBytes)
	}
	if cfg.MaxRecipients == 0 {
		cfg.MaxRecipients = 1000
	}
	if cfg.DecideTimeout == 0 {
		cfg.DecideTimeout = 10 * time.Second
	}
	if cfg.FailSafe == "" {
		cfg.FailSafe = policy.Hold
	}
	if cfg.Parse == nil {
		cfg.Parse = func(r io.Reader) (*mail.Message, error) { return mail.Parse(r, mail.Limits{}) }
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Domain == "" {
		cfg.Domain = "misend.localhost"
	}
	g := &Server{cfg: cfg, decider: d, spool: s}
	srv := smtp.NewServer(g)
	srv.Domain = cfg.Domain
	srv.MaxMessageBytes = cfg.MaxMessageBytes
	srv.MaxRecipients = cfg.MaxRecipients
	if cfg.MaxLineLength > 0 {
		srv.MaxLineLength = cfg.MaxLineLength
	}
	srv.ReadTimeout = 5 * time.Minute
	srv.WriteTimeout = time.Minute
	srv.TLSConfig = cfg.TLS
	g.srv = srv
	return g
}

// Serve accepts connections on l until Shutdown.
func (g *Server) Serve(l net.Listener) error {
	err := g.srv.Serve(noDelayListener{l})
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting and waits for sessions in flight until ctx ends.
func (g *Server) Shutdown(ctx context.Context) error { return g.srv.Shutdown(ctx) }

// noDelayListener sets TCP_NODELAY: SMTP is request/response, and Nagle with
// delayed ACKs costs a round trip per reply.
type noDelayListener struct{ net.Listener }

func (l noDelayListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	return c, err
}

// NewSession implements smtp.Backend.
func (g *Server) NewSession(c *smtp.Conn) (smtp.Session, error) {
	if len(g.cfg.Networks) > 0 && !g.allowed(c.Conn().RemoteAddr()) {
		return nil, &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Relay access denied"}
	}
	return &session{g: g}, nil
}

func (g *Server) allowed(a net.Addr) bool {
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return false
	}
	for _, p := range g.cfg.Networks {
		if p.Contains(ap.Addr().Unmap()) {
			return true
		}
	}
	return false
}

type session struct {
	g      *Server
	env    queue.Envelope
	authed bool
}

// AuthMechanisms implements smtp.AuthSession.
func (s *session) AuthMechanisms() []string {
	if len(s.g.cfg.Users) == 0 {
		return nil
	}
	return []string{sasl.Plain}
}

// Auth implements smtp.AuthSession.
func (s *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || len(s.g.cfg.Users) == 0 {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		want, ok := s.g.cfg.Users[user]
		if !ok || subtle.ConstantTimeCompare([]byte(want), []byte(pass)) != 1 || (identity != "" && identity != user) {
			return errAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

var errAuthFailed = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}

var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}

func (s *session) Reset()        { s.env = queue.Envelope{} }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if len(s.g.cfg.Users) > 0 && !s.authed {
		return errAuthRequired
	}
	s.env = queue.Envelope{From: from}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.env.To = append(s.env.To, to)
	return nil
}

var errRejected = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Message refused by the organisation's mail policy; contact your administrator"}

var errTempStore = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Cannot store the message now, try again later"}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err // go-smtp answers 552 for an oversized message
	}
	out := s.decide(raw)
	state, notBefore := queue.Queued, time.Time{}
	switch out.Verdict {
	case policy.Reject:
		s.g.cfg.Log.Info("rejected", "from", s.env.From, "rcpts", len(s.env.To), "score", out.Score)
		return errRejected
	case policy.Warn:
		raw = append([]byte("X-Misend-Warning: possible misdirected recipient\r\n"), raw...)
	case policy.Hold:
		state = queue.Held
	case policy.Confirm:
		state = queue.Confirming
	case policy.Delay:
		state, notBefore = queue.Delayed, time.Now().Add(s.g.cfg.Delay)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	id, err := s.g.spool.Accept(ctx, s.env, raw, out, state, notBefore)
	if err != nil {
		s.g.cfg.Log.Error("spool", "err", err)
		return errTempStore
	}
	s.g.cfg.Log.Info("accepted", "id", id, "verdict", out.Verdict, "state", state, "rcpts", len(s.env.To))
	return nil
}

// decide parses and decides; any failure becomes the fail-safe verdict, so
// a message is never dropped for being broken or for a failing detector.
func (s *session) decide(raw []byte) check.Outcome {
	msg, perr := s.g.cfg.Parse(bytes.NewReader(raw))
	if perr != nil {
		msg = nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.g.cfg.DecideTimeout)
	defer cancel()
	out, err := s.g.decider.Decide(ctx, s.env, msg)
	if err == nil && perr == nil {
		return out
	}
	if err == nil {
		err = fmt.Errorf("parse: %w", perr)
	}
	s.g.cfg.Log.Warn("fail-safe verdict", "err", err, "verdict", s.g.cfg.FailSafe)
	return check.Outcome{Sender: s.env.From, Verdict: s.g.cfg.FailSafe, Findings: out.Findings}
}
