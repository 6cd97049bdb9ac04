// Package gateway is misend's SMTP relay server: the smarthost an MTA points
// at. Each message is read within limits, decided on once (whatever the
// number of recipients), stored durably in the queue, and only then answered
// 250. Refused mail gets 550 5.7.1 with a generic text that never names
// confidential terms.
//
// Line length: RFC 5322 allows at most 998 octets per line (1000 with CRLF,
// RFC 5321 section 4.5.3.1.6). A message with a longer line is refused with
// "500 5.5.2 Line too long" rather than accepted and judged: MTAs and mail
// clients fold or encode long lines before they send (Postfix's SMTP client
// folds at smtp_line_length_limit = 998, Exchange does the same), so such a
// line means a broken or hostile client, and relaying it would hand the
// upstream a message it may mangle or refuse after misend said 250. The
// header section is capped like Postfix's header_size_limit (100 KiB), with
// "552 5.3.4". Both answers come before any decision and store nothing.
//
// It does not deliver mail (the queue and relay do) and does not decide by
// itself; decisions come through the Decider interface.
package gateway

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/smtpauth"
)

// Intake takes a decided message into misend's queue: queued for delivery,
// or waiting (held, confirming, delayed) by res. On a nil error the message
// must be durable.
type Intake interface {
	Take(ctx context.Context, env queue.Envelope, raw []byte, res decide.Result) (queue.ID, error)
}

// Recorder records decisions for reports (decisions.Log).
type Recorder interface {
	Append(ctx context.Context, r decisions.Record) error
}

// Config configures a Server.
type Config struct {
	Domain          string
	TLS             *tls.Config // nil: no STARTTLS
	Networks        []netip.Prefix
	MaxMessageBytes int64
	MaxRecipients   int
	// MaxLineLength is the longest line in octets without CRLF; 0 means
	// RFC 5322's 998.
	MaxLineLength int
	// MaxHeaderBytes caps the header section; 0 means 100 KiB, Postfix's
	// header_size_limit.
	MaxHeaderBytes int
	DecideTimeout  time.Duration
	Recorder       Recorder // optional
	// StampOutside also adds misend's X-Misend-* headers to mail with a
	// recipient outside the organisation. Off by default: the headers
	// would tell outsiders the verdict.
	StampOutside bool
	Log          *slog.Logger
	// Auth, when set, requires AUTH PLAIN (offered over TLS only) before
	// MAIL and checks logins: smtpauth.Users, with argon2id hashes and a
	// back-off per user and client.
	Auth Authenticator
}

// Authenticator checks an AUTH PLAIN login from client. An error wrapping
// smtpauth.ErrWait is answered as a temporary failure (454); any other as
// invalid credentials (535).
type Authenticator interface {
	Authenticate(user, password string, client net.IP) error
}

// Server is the SMTP gateway.
type Server struct {
	cfg     Config
	decider decide.Decider
	intake  Intake
	srv     *smtp.Server
}

// New builds a gateway on misend's one decision path: d decides
// (decide.Path), in stores. Call Serve to start it.
func New(cfg Config, d decide.Decider, in Intake) *Server {
	cfg = fill(cfg)
	g := &Server{cfg: cfg, decider: d, intake: in}
	srv := smtp.NewServer(g)
	srv.Domain = cfg.Domain
	srv.MaxMessageBytes = cfg.MaxMessageBytes
	srv.MaxRecipients = cfg.MaxRecipients
	// go-smtp's own limit guards command lines and is the hard cap while
	// reading DATA; the RFC 5322 limit is checked in Data, which answers
	// with a clear reply and keeps the session usable.
	srv.MaxLineLength = max(2000, cfg.MaxLineLength+2)
	srv.ReadTimeout = 5 * time.Minute
	srv.WriteTimeout = time.Minute
	srv.TLSConfig = cfg.TLS
	g.srv = srv
	return g
}

func fill(cfg Config) Config {
	if cfg.MaxMessageBytes == 0 {
		cfg.MaxMessageBytes = int64(mail.DefaultLimits.MaxMessageBytes)
	}
	if cfg.MaxRecipients == 0 {
		cfg.MaxRecipients = 1000
	}
	if cfg.DecideTimeout == 0 {
		cfg.DecideTimeout = 10 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Domain == "" {
		cfg.Domain = "misend.localhost"
	}
	if cfg.MaxLineLength <= 0 {
		cfg.MaxLineLength = 998
	}
	if cfg.MaxHeaderBytes <= 0 {
		cfg.MaxHeaderBytes = 100 << 10
	}
	return cfg
}

// Serve accepts connections on l until Shutdown.
func (g *Server) Serve(l net.Listener) error {
	err := g.srv.Serve(noDelayListener{l})
	if errors.Is(err, smtp.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil // shut down, perhaps before Serve began
	}
	return err
}

// Shutdown stops accepting and waits for sessions in flight until ctx ends.
func (g *Server) Shutdown(ctx context.Context) error { return g.srv.Shutdown(ctx) }

// noDelayListener sets TCP_NODELAY: SMTP is request/response, and Nagle with
// delayed ACKs costs a round trip per reply. Its connections hold replies
// until the server reads again (batchConn).
type noDelayListener struct{ net.Listener }

func (l noDelayListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
		return &batchConn{Conn: tc}, nil
	}
	return c, err
}

// batchConn holds what the server writes until it reads again, so the
// replies to pipelined commands leave together: Postfix sends MAIL, RCPT
// and DATA in one go, and their three replies were three writes (each a
// system call here and a wakeup of the client) where one does. Replies are
// never held back from a client that waits for them: the server reads,
// and so sends what it wrote, before it can wait for the client.
type batchConn struct {
	net.Conn
	mu  sync.Mutex
	out []byte
}

// maxBatch is what batchConn holds at most before it writes anyway.
const maxBatch = 16 << 10

func (c *batchConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.out = append(c.out, p...)
	if len(c.out) >= maxBatch {
		if err := c.flushLocked(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (c *batchConn) Read(p []byte) (int, error) {
	if err := c.flush(); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

func (c *batchConn) Close() error {
	c.flush()
	return c.Conn.Close()
}

func (c *batchConn) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flushLocked()
}

func (c *batchConn) flushLocked() error {
	if len(c.out) == 0 {
		return nil
	}
	_, err := c.Conn.Write(c.out)
	c.out = c.out[:0]
	return err
}

// NewSession implements smtp.Backend.
func (g *Server) NewSession(c *smtp.Conn) (smtp.Session, error) {
	if len(g.cfg.Networks) > 0 && !g.allowed(c.Conn().RemoteAddr()) {
		return nil, &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Relay access denied"}
	}
	var ip net.IP
	if ta, ok := c.Conn().RemoteAddr().(*net.TCPAddr); ok {
		ip = ta.IP
	}
	return &session{g: g, client: ip}, nil
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
	client net.IP
	login  string // the AUTH user, "" before AUTH
}

// authRequired tells whether clients must AUTH before MAIL.
func (g *Server) authRequired() bool { return g.cfg.Auth != nil }

// AuthMechanisms implements smtp.AuthSession.
func (s *session) AuthMechanisms() []string {
	if !s.g.authRequired() {
		return nil
	}
	return []string{sasl.Plain}
}

// Auth implements smtp.AuthSession.
func (s *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || !s.g.authRequired() {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if identity != "" && identity != user {
			return errAuthFailed
		}
		switch err := s.g.cfg.Auth.Authenticate(user, pass, s.client); {
		case errors.Is(err, smtpauth.ErrWait):
			return errAuthWait
		case err != nil:
			return errAuthFailed
		}
		s.login = user
		return nil
	}), nil
}

var errAuthWait = &smtp.SMTPError{Code: 454, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "Too many failed logins; try again later"}

var errAuthFailed = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}

var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}

func (s *session) Reset()        { s.env = queue.Envelope{} }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.g.authRequired() && s.login == "" {
		return errAuthRequired
	}
	s.env = queue.Envelope{From: from}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if _, routed := mail.Route(to); routed {
		// A route may leave the organisation through a host that honours
		// it while looking internal here: refused, never judged as the
		// mailbox it pretends to be. (A source route never gets here:
		// go-smtp drops it and hands over the final mailbox, which is
		// what is checked and relayed.)
		return errRouted
	}
	s.env.To = append(s.env.To, to)
	return nil
}

var errRouted = &smtp.SMTPError{Code: 553, EnhancedCode: smtp.EnhancedCode{5, 1, 3},
	Message: "Recipient address is a route (%, ! or @ in the local part); send to the mailbox itself"}

var errRejected = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Message refused by the organisation's mail policy; contact your administrator"}

var errTempStore = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Cannot store the message now, try again later"}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if errors.Is(err, smtp.ErrTooLongLine) {
		return errLineTooLong
	}
	if err != nil {
		return err // go-smtp answers 552 for an oversized message
	}
	if err := checkLines(raw, s.g.cfg.MaxLineLength, s.g.cfg.MaxHeaderBytes); err != nil {
		return err
	}
	if mail.BareCROrNUL(raw) {
		return errBareCRorNUL
	}
	raw, stamps := stripOurs(raw)
	dctx, cancel := context.WithTimeout(context.Background(), s.g.cfg.DecideTimeout)
	res := s.g.decider.Decide(dctx, decide.Envelope{From: s.env.From, To: s.env.To, Client: s.client, Login: s.login, Stamps: stamps}, raw)
	cancel()
	if res.Err != nil {
		s.g.cfg.Log.Warn("fail-safe verdict", "err", res.Err, "verdict", res.Decision.Verdict, "from", s.env.From)
	}
	rec := decisions.Of(res, "smtp", time.Now(), s.env.From)
	v := res.Decision.Verdict
	if v == policy.Reject {
		s.record(rec)
		s.g.cfg.Log.Info("rejected", "from", s.env.From, "rcpts", len(s.env.To), "score", res.Score)
		return errRejected
	}
	if v == policy.Warn && (!res.Outside || s.g.cfg.StampOutside) {
		// Only people of the organisation see it, unless the operator
		// chose otherwise: outside recipients learn nothing of the
		// verdict.
		raw = append([]byte("X-Misend-Warning: possible misdirected recipient\r\n"), raw...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	id, err := s.g.intake.Take(ctx, s.env, raw, res)
	if err != nil {
		s.g.cfg.Log.Error("spool", "err", err)
		return errTempStore
	}
	rec.QueueID = string(id)
	s.record(rec)
	s.g.cfg.Log.Info("accepted", "id", id, "verdict", v, "rcpts", len(s.env.To))
	return nil
}

func (s *session) record(r decisions.Record) {
	if s.g.cfg.Recorder == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.g.cfg.Recorder.Append(ctx, r); err != nil {
		// The verdict stands; a lost report line must not bounce mail.
		s.g.cfg.Log.Warn("record decision", "err", err, "message_id", r.MessageID)
	}
}

var (
	errLineTooLong = &smtp.SMTPError{Code: 500, EnhancedCode: smtp.EnhancedCode{5, 5, 2}, Message: "Line too long: lines must not exceed 998 octets (RFC 5322)"}
	errHeaderBig   = &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "Message header section too big"}
)

// checkLines refuses a message with a line longer than maxLine octets
// (without its line ending) or a header section longer than maxHeader.
func checkLines(raw []byte, maxLine, maxHeader int) error {
	inHeader := true
	for off := 0; off < len(raw); {
		n := bytes.IndexByte(raw[off:], '\n')
		end := off + n
		if n < 0 {
			end = len(raw)
		}
		line := raw[off:end]
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) > maxLine {
			return errLineTooLong
		}
		if inHeader {
			if len(line) == 0 {
				inHeader = false
			} else if end >= maxHeader {
				return errHeaderBig
			}
		}
		off = end + 1
	}
	return nil
}

// Waiting maps a decision to the queue state a message enters and, for a
// delay, when it may leave.
func Waiting(res decide.Result, now time.Time) (queue.State, time.Time) {
	switch res.Decision.Verdict {
	case policy.Hold:
		return queue.Held, time.Time{}
	case policy.Confirm:
		return queue.Confirming, time.Time{}
	case policy.Delay:
		d := res.Decision.Delay
		if d <= 0 {
			d = 5 * time.Minute
		}
		return queue.Delayed, now.Add(d)
	}
	return queue.Queued, time.Time{}
}
