package relay

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/queue"
)

// Pool delivers through connections to the upstream kept open between
// messages, so the spool's delivery workers do not pay a TCP, EHLO,
// STARTTLS and AUTH handshake per message. After a completed transaction
// the session is ready for the next MAIL; after one the upstream refused
// it is reset (RSET) first. If MAIL fails on a reused session for any
// reason but an answer from the upstream (it closed the idle session),
// nothing was sent on it, so the message goes once more on a new
// connection. A connection that failed otherwise is closed, never reused.
//
// It is safe for concurrent use; it opens as many connections as there are
// concurrent deliveries and keeps up to Size idle.
type Pool struct {
	c    Client
	size int

	mu     sync.Mutex
	idle   []idleConn
	closed bool
}

type idleConn struct {
	cl    *smtp.Client
	since time.Time
}

// maxIdle is how long a connection may wait unused: upstreams close idle
// sessions (Postfix after 300 s), and probing one long gone costs a round
// trip for nothing.
const maxIdle = time.Minute

// NewPool returns a pool delivering with c's settings, keeping up to size
// idle connections.
func NewPool(c Client, size int) *Pool {
	return &Pool{c: c, size: max(size, 1)}
}

// Deliver sends one message; it implements queue.Deliverer and sorts
// errors as Client.Deliver does.
func (p *Pool) Deliver(ctx context.Context, env queue.Envelope, raw []byte) queue.Result {
	cl, reused, err := p.get(ctx)
	if err != nil {
		return result(err, notStarted)
	}
	st, err := sendOn(cl, env, raw)
	var se *smtp.SMTPError
	answered := errors.As(err, &se) && se.Code != 421
	if err != nil && reused && st == notStarted && !answered {
		cl.Close()
		if cl, err = p.c.connect(ctx); err != nil {
			return result(err, notStarted)
		}
		st, err = sendOn(cl, env, raw)
		answered = errors.As(err, &se) && se.Code != 421
	}
	switch {
	case err == nil:
		p.put(cl)
	case answered && cl.Reset() == nil:
		// The upstream refused this message; the session is good for
		// the next one.
		p.put(cl)
	default:
		cl.Close()
	}
	return result(err, st)
}

// stage is how far a transaction got before it failed.
type stage int

const (
	notStarted stage = iota // MAIL not accepted: nothing was sent
	started                 // MAIL accepted; the message did not all go out
	bodySent                // the whole message went out, its answer is awaited
)

// sendOn runs one transaction on an open connection and tells how far it
// got.
//
// Addresses go out as they were checked: a local part that needs quotes
// gets them back (mail.SMTPPath), where the SMTP server that took the
// message had removed them.
func sendOn(cl *smtp.Client, env queue.Envelope, raw []byte) (stage, error) {
	if err := cl.Mail(mail.SMTPPath(env.From), nil); err != nil {
		return notStarted, fmt.Errorf("relay: send: %w", err)
	}
	for _, to := range env.To {
		if err := cl.Rcpt(mail.SMTPPath(to), nil); err != nil {
			return started, fmt.Errorf("relay: send: %w", err)
		}
	}
	w, err := cl.Data()
	if err != nil {
		return started, fmt.Errorf("relay: send: %w", err)
	}
	if _, err := w.Write(raw); err != nil {
		w.Close()
		return started, fmt.Errorf("relay: send: %w", err)
	}
	if err := w.Close(); err != nil {
		return bodySent, fmt.Errorf("relay: send: %w", err)
	}
	return bodySent, nil
}

// get returns a connection ready for MAIL: an idle one, or a new one.
func (p *Pool) get(ctx context.Context) (cl *smtp.Client, reused bool, err error) {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, false, errors.New("relay: pool closed")
		}
		n := len(p.idle)
		if n == 0 {
			p.mu.Unlock()
			cl, err := p.c.connect(ctx)
			return cl, false, err
		}
		ic := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		if time.Since(ic.since) < maxIdle {
			return ic.cl, true, nil
		}
		ic.cl.Quit()
		ic.cl.Close()
	}
}

func (p *Pool) put(cl *smtp.Client) {
	p.mu.Lock()
	if !p.closed && len(p.idle) < p.size {
		p.idle = append(p.idle, idleConn{cl, time.Now()})
		cl = nil
	}
	p.mu.Unlock()
	if cl != nil {
		cl.Quit()
		cl.Close()
	}
}

// Close ends the idle sessions with QUIT; deliveries after it fail.
func (p *Pool) Close() error {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, ic := range idle {
		ic.cl.Quit()
		ic.cl.Close()
	}
	return nil
}
