// Package relay delivers spooled mail to the upstream smarthost over SMTP,
// with STARTTLS (required or opportunistic), optional AUTH PLAIN and
// timeouts, and sorts failures into temporary (retry) and permanent (bounce).
// Client opens a connection per message; Pool (pool.go) keeps a few open and
// reuses them, as the delivery workers do.
//
// It does not queue or retry by itself; the queue does, through the
// queue.Deliverer interface that Client and Pool implement.
package relay

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/misend/misend/internal/queue"
)

// TLSMode says how STARTTLS is used toward the upstream.
type TLSMode string

// TLS modes.
const (
	TLSNone          TLSMode = "none"
	TLSOpportunistic TLSMode = "opportunistic"
	TLSRequired      TLSMode = "required"
)

// Client sends mail to one upstream.
type Client struct {
	Addr      string // host:port
	TLS       TLSMode
	TLSConfig *tls.Config // nil: verify against the host name
	Username  string      // empty: no AUTH
	Password  string
	Timeout   time.Duration // per connection; 0 means 2 minutes
}

// Deliver sends one message; it implements queue.Deliverer. A 5xx answer
// from the upstream is permanent; everything else (4xx, network) is
// temporary.
func (c *Client) Deliver(ctx context.Context, env queue.Envelope, raw []byte) queue.Result {
	cl, err := c.connect(ctx)
	if err != nil {
		return result(err, notStarted)
	}
	defer cl.Close()
	st, err := sendOn(cl, env, raw)
	if err == nil {
		cl.Quit() // the 250 for the message came; a failed QUIT does not undo it
	}
	return result(err, st)
}

// result sorts an error into a queue.Result. An error after the whole
// message went out that is not an answer from the upstream leaves it
// unknown whether the upstream took the message.
func result(err error, st stage) queue.Result {
	if err == nil {
		return queue.Result{}
	}
	var se *smtp.SMTPError
	answered := errors.As(err, &se)
	return queue.Result{Permanent: answered && se.Code >= 500, Uncertain: st == bodySent && !answered, Err: err}
}

func (c *Client) timeout() time.Duration {
	if c.Timeout == 0 {
		return 2 * time.Minute
	}
	return c.Timeout
}

// connect opens a connection ready for MAIL: greeted, with TLS as
// configured, authenticated if configured.
func (c *Client) connect(ctx context.Context) (*smtp.Client, error) {
	timeout := c.timeout()
	useTLS := c.TLS == TLSOpportunistic || c.TLS == TLSRequired
	cl, err := c.dial(ctx, timeout, useTLS)
	if err != nil && c.TLS == TLSOpportunistic {
		// The upstream offers no (working) STARTTLS: go on in the clear, as
		// opportunistic TLS allows.
		cl, err = c.dial(ctx, timeout, false)
	}
	if err != nil {
		return nil, err
	}
	// Each command and the message get the whole timeout, also on a
	// connection reused for many messages.
	cl.CommandTimeout, cl.SubmissionTimeout = timeout, timeout
	if c.Username != "" {
		if err := cl.Auth(sasl.NewPlainClient("", c.Username, c.Password)); err != nil {
			cl.Close()
			return nil, fmt.Errorf("relay: auth: %w", err)
		}
	}
	return cl, nil
}

func (c *Client) dial(ctx context.Context, timeout time.Duration, useTLS bool) (*smtp.Client, error) {
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", c.Addr)
	if err != nil {
		return nil, fmt.Errorf("relay: dial %s: %w", c.Addr, err)
	}
	conn.SetDeadline(time.Now().Add(timeout))
	if !useTLS {
		cl := smtp.NewClient(conn)
		if err := cl.Hello("misend.localhost"); err != nil {
			cl.Close()
			return nil, fmt.Errorf("relay: hello: %w", err)
		}
		return cl, nil
	}
	cfg := c.TLSConfig
	if cfg == nil {
		host, _, _ := net.SplitHostPort(c.Addr)
		cfg = &tls.Config{ServerName: host}
	}
	cl, err := smtp.NewClientStartTLS(conn, cfg)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("relay: starttls with %s: %w", c.Addr, err)
	}
	return cl, nil
}
