package gateway

import (
	"bufio"
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
)

// writesListener counts the writes that reach its connections.
type writesListener struct {
	net.Listener
	writes atomic.Int64
}

func (l *writesListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countedConn{TCPConn: c.(*net.TCPConn), n: &l.writes}, nil
}

type countedConn struct {
	*net.TCPConn
	n *atomic.Int64
}

func (c *countedConn) Write(p []byte) (int, error) {
	c.n.Add(1)
	return c.TCPConn.Write(p)
}

// The replies to pipelined commands leave in one write; a client that
// waits for each reply still gets each.
func TestPipelinedRepliesInOneWrite(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	q, err := queue.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	wl := &writesListener{Listener: ln}
	g := New(Config{}, fixed{v: policy.Pass}, spoolIntake{q})
	// The counting connection is not a *net.TCPConn: Serve would not
	// batch it, so batch it here as Serve does.
	go g.srv.Serve(batching{wl})
	t.Cleanup(func() { g.Shutdown(context.Background()) })

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	expect := func(code string) {
		t.Helper()
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("want %s: %v", code, err)
			}
			if !strings.HasPrefix(line, code) {
				t.Fatalf("got %q, want %s", line, code)
			}
			if line[3] == ' ' {
				return
			}
		}
	}
	expect("220")
	c.Write([]byte("EHLO client.example\r\n"))
	expect("250")
	before := wl.writes.Load()
	c.Write([]byte("MAIL FROM:<a@corp.example>\r\nRCPT TO:<b@partner.example>\r\nDATA\r\n"))
	expect("250")
	expect("250")
	expect("354")
	if n := wl.writes.Load() - before; n != 1 {
		t.Errorf("replies to MAIL, RCPT and DATA in %d writes, want 1", n)
	}
	c.Write([]byte(msg + ".\r\n"))
	expect("250")
	c.Write([]byte("QUIT\r\n"))
	expect("221")
}

// batching wraps its connections as noDelayListener wraps TCP ones.
type batching struct{ net.Listener }

func (l batching) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &batchConn{Conn: c}, nil
}
