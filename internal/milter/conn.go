package milter

import (
	"net"
	"time"
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
	idle time.Duration
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	return &idleConn{Conn: c, idle: l.idle}, nil
}

// idleConn drops a peer that sends nothing for too long, so a stuck or
// hostile client cannot hold a goroutine and its buffers forever.
type idleConn struct {
	net.Conn
	idle time.Duration
}

func (c *idleConn) Read(p []byte) (int, error) {
	c.Conn.SetReadDeadline(time.Now().Add(c.idle))
	return c.Conn.Read(p)
}

func (c *idleConn) Write(p []byte) (int, error) {
	c.Conn.SetWriteDeadline(time.Now().Add(c.idle))
	return c.Conn.Write(p)
}
