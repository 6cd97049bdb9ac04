package milter

import (
	"bufio"
	"encoding/binary"
	"net"
	"net/textproto"
	"sync/atomic"
	"time"

	gomilter "github.com/emersion/go-milter"
)

// listener sets TCP_NODELAY and an idle deadline on every connection.
//
// Milter traffic is many tiny request/response packets; with Nagle's
// algorithm and delayed ACKs each exchange can stall for tens of
// milliseconds, which is what made a fresh milter connection per message cost
// Postfix much of its throughput. Go enables TCP_NODELAY by default; setting
// it here keeps that true whatever the default becomes.
type listener struct {
	net.Listener
	idle     time.Duration
	accepted *atomic.Uint64
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.accepted.Add(1)
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	return &idleConn{Conn: c, idle: l.idle, r: bufio.NewReaderSize(c, readBuffer)}, nil
}

// readBuffer holds what the MTA sends without waiting for an answer: the
// headers, the end of the headers, the body and the end of the message
// arrive together. go-milter reads each packet's length and then its data,
// two reads of the connection per packet unbuffered.
const readBuffer = 8 << 10

// idleConn drops a peer that sends nothing for too long, so a stuck or
// hostile client cannot hold a goroutine and its buffers forever, reads
// through a buffer, and sends the answer at the end of a message in one
// write.
type idleConn struct {
	net.Conn
	idle time.Duration
	r    *bufio.Reader // reads c.Conn

	// go-milter writes each packet on its own, so the headers misend adds
	// or removes and the verdict after them would be a write each. The
	// modification packets wait in out for the packet after them; the
	// MTA reads them all before it goes on anyway.
	out   []byte
	rest  int  // octets of the packet being written still to come
	mod   bool // that packet is a modification
	plain bool // packets could not be told apart: every write goes at once
}

// maxPending bounds what waits in idleConn.out.
const maxPending = 64 << 10

// modification reports whether a milter reply code asks the MTA to change
// the message, which it does only before a final answer that follows.
func modification(code byte) bool {
	switch code {
	case '+', '-', '2', 'b', 'e', 'h', 'i', 'm', 'q':
		return true
	}
	return false
}

func (c *idleConn) Write(p []byte) (int, error) {
	c.out = append(c.out, p...)
	for q := p; len(q) > 0 && !c.plain; {
		if c.rest == 0 {
			if len(q) < 5 {
				// A packet's length and code split over writes, which
				// go-milter does not do: no guessing from here on.
				c.plain = true
				break
			}
			c.rest = 4 + int(binary.BigEndian.Uint32(q))
			c.mod = modification(q[4])
		}
		n := min(c.rest, len(q))
		c.rest -= n
		q = q[n:]
	}
	if !c.plain && (c.mod || c.rest > 0) && len(c.out) <= maxPending {
		return len(p), nil
	}
	c.Conn.SetWriteDeadline(time.Now().Add(c.idle))
	_, err := c.Conn.Write(c.out)
	c.out = c.out[:0]
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

func (c *idleConn) Read(p []byte) (int, error) {
	if c.r.Buffered() == 0 {
		// Only a read of the connection itself can wait.
		c.Conn.SetReadDeadline(time.Now().Add(c.idle))
	}
	return c.r.Read(p)
}

// counted counts a session's answers and messages for Stats. An answer
// that is not sent (nil) costs the MTA nothing, so it is not counted.
type counted struct {
	*session
}

func (c counted) count(r gomilter.Response, err error) (gomilter.Response, error) {
	if r != nil && err == nil {
		c.srv.stats.answers.Add(1)
	}
	return r, err
}

func (c counted) Connect(host, family string, port uint16, addr net.IP, m *gomilter.Modifier) (gomilter.Response, error) {
	return c.count(c.session.Connect(host, family, port, addr, m))
}

func (c counted) Helo(name string, m *gomilter.Modifier) (gomilter.Response, error) {
	return c.count(c.session.Helo(name, m))
}

func (c counted) MailFrom(from string, m *gomilter.Modifier) (gomilter.Response, error) {
	return c.count(c.session.MailFrom(from, m))
}

func (c counted) RcptTo(rcpt string, m *gomilter.Modifier) (gomilter.Response, error) {
	return c.count(c.session.RcptTo(rcpt, m))
}

func (c counted) Header(name, value string, m *gomilter.Modifier) (gomilter.Response, error) {
	return c.count(c.session.Header(name, value, m))
}

func (c counted) Headers(h textproto.MIMEHeader, m *gomilter.Modifier) (gomilter.Response, error) {
	return c.count(c.session.Headers(h, m))
}

func (c counted) BodyChunk(chunk []byte, m *gomilter.Modifier) (gomilter.Response, error) {
	return c.count(c.session.BodyChunk(chunk, m))
}

func (c counted) Body(m *gomilter.Modifier) (gomilter.Response, error) {
	c.srv.stats.messages.Add(1)
	return c.session.Body(m)
}
