package siem

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Syslog sends events as RFC 5424 messages, the JSON of the event as the
// message text, over UDP (one datagram each), TCP or TLS (RFC 5425
// octet-counted framing, which rsyslog, syslog-ng and the SIEM agents
// read). log/syslog is not used: it is missing on Windows and speaks the
// older BSD format.
type Syslog struct {
	network string // udp, tcp, tls
	addr    string
	tls     *tls.Config
	host    string
	pid     string
	// Facility is the RFC 5424 facility; default 16 (local0).
	Facility int
	conn     net.Conn
	timeout  time.Duration
}

// NewSyslog parses a destination such as "tcp://siem.corp.example:514",
// "udp://127.0.0.1:514" or "tls://siem.corp.example:6514"; caFile, if
// given, holds the PEM certificates a TLS collector's is checked against
// (default: the system's).
func NewSyslog(dest, caFile string) (*Syslog, error) {
	u, err := url.Parse(dest)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("syslog destination %q: want udp://, tcp:// or tls://host:port", dest)
	}
	s := &Syslog{network: u.Scheme, addr: u.Host, Facility: 16, timeout: 10 * time.Second, pid: strconv.Itoa(os.Getpid())}
	if _, _, err := net.SplitHostPort(u.Host); err != nil {
		return nil, fmt.Errorf("syslog destination %q: want host:port", dest)
	}
	switch u.Scheme {
	case "udp", "tcp":
	case "tls":
		s.tls = &tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS12}
		if caFile != "" {
			pem, err := os.ReadFile(caFile)
			if err != nil {
				return nil, fmt.Errorf("syslog CA: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("syslog CA %s: no PEM certificate", caFile)
			}
			s.tls.RootCAs = pool
		}
	default:
		return nil, fmt.Errorf("syslog destination %q: want udp://, tcp:// or tls://", dest)
	}
	if s.host, err = os.Hostname(); err != nil || s.host == "" {
		s.host = "-"
	}
	return s, nil
}

// Name implements Sink.
func (s *Syslog) Name() string { return "syslog:" + s.network + "://" + s.addr }

// Send implements Sink: every event, or an error after which the
// connection is dropped and the batch sent again from its start.
func (s *Syslog) Send(ctx context.Context, events []Event) error {
	if s.conn != nil && s.network != "udp" && peerGone(s.conn) {
		// A collector that restarted closed our connection; writes to it
		// would still succeed into the socket buffer and be lost.
		s.Close()
	}
	if s.conn == nil {
		d := net.Dialer{Timeout: s.timeout}
		var err error
		if s.tls != nil {
			s.conn, err = (&tls.Dialer{NetDialer: &d, Config: s.tls}).DialContext(ctx, "tcp", s.addr)
		} else {
			s.conn, err = d.DialContext(ctx, s.network, s.addr)
		}
		if err != nil {
			return fmt.Errorf("syslog %s: %w", s.addr, err)
		}
	}
	s.conn.SetWriteDeadline(time.Now().Add(s.timeout))
	for _, e := range events {
		msg, err := s.format(e)
		if err != nil {
			return err
		}
		if s.network != "udp" {
			msg = append([]byte(strconv.Itoa(len(msg))+" "), msg...)
		}
		if _, err := s.conn.Write(msg); err != nil {
			s.Close()
			return fmt.Errorf("syslog %s: %w", s.addr, err)
		}
	}
	return nil
}

// peerGone tells whether the collector closed conn: a collector never
// writes to us, so anything but a timeout on a short read means it is gone.
func peerGone(conn net.Conn) bool {
	conn.SetReadDeadline(time.Now().Add(time.Millisecond))
	defer conn.SetReadDeadline(time.Time{})
	var b [1]byte
	_, err := conn.Read(b[:])
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// format writes e as RFC 5424: <PRI>1 TIMESTAMP HOST APP PROCID MSGID - JSON.
func (s *Syslog) format(e Event) ([]byte, error) {
	js, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("syslog: encode event: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<%d>1 %s %s misend %s %s - ", s.Facility*8+e.severity(), e.At.UTC().Format("2006-01-02T15:04:05.000Z"),
		header(s.host, 255), s.pid, e.Type)
	b.Write(js)
	return []byte(b.String()), nil
}

// header makes s a valid RFC 5424 header field: printable US-ASCII, no
// spaces, at most n octets, "-" when empty.
func header(s string, n int) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(out) < n; i++ {
		if c := s[i]; c > 32 && c < 127 {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return "-"
	}
	return string(out)
}

// Close implements Sink.
func (s *Syslog) Close() error {
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn = nil
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
