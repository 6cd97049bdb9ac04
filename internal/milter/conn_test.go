package milter

import (
	"encoding/binary"
	"io"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// countingListener counts the writes that reach its connections.
type countingListener struct {
	net.Listener
	mu     sync.Mutex
	writes int
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &writeCounter{Conn: c, l: l}, nil
}

func (l *countingListener) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.writes
}

type writeCounter struct {
	net.Conn
	l *countingListener
}

func (w *writeCounter) Write(p []byte) (int, error) {
	w.l.mu.Lock()
	w.l.writes++
	w.l.mu.Unlock()
	return w.Conn.Write(p)
}

// Every answer is one write: the headers misend adds or removes at the end
// of a message leave with the verdict.
func TestAnswerInOneWrite(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: ln}
	s := &Server{Decider: subjectDecider{}, Holder: &memHolder{}}
	go s.Serve(cl)
	t.Cleanup(func() { s.Close() })
	cs := openSession(t, ln.Addr().String())
	m := msg("warn")
	m.headers = append(m.headers, [2]string{"X-Misend-Verdict", "pass"}, [2]string{"X-Misend-Score", "0.00"})
	mods, act := send(t, cs, m)
	if act.Code != 'a' || len(mods) != 5 {
		t.Fatalf("action %c, %d modifications, want accept after 2 removed and 3 added headers", act.Code, len(mods))
	}
	// the negotiation and the end of the message
	if n, want := cl.count(), 2; n != want {
		t.Errorf("%d writes, want %d", n, want)
	}
}

// A connection's buffers are reused by the next one: nothing of a message
// cut off with its connection reaches the next connection's message.
func TestNothingLeaksBetweenConnections(t *testing.T) {
	holder := &memHolder{}
	addr := startServer(t, &Server{Decider: subjectDecider{}, Holder: holder})
	for range 3 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write(cat(packet('O', "\x00\x00\x00\x06\x00\x00\x01\xff\x00\x1f\xff\xff"),
			packet('M', "<x@corp.example>\x00"), packet('R', "<y@partner.example>\x00"),
			packet('L', "X-Cut-Off\x00yes\x00"), packet('B', "cut off\r\n")))
		c.Close()
	}
	cs := openSession(t, addr)
	send(t, cs, msg("hold"))
	if len(holder.got) != 1 {
		t.Fatalf("held %d messages", len(holder.got))
	}
	if h := holder.got[0]; strings.Contains(h.raw, "X-Cut-Off") || strings.Contains(h.raw, "cut off") || len(h.env.To) != 2 {
		t.Errorf("held message carries a cut-off one: %+v", h)
	}
}

// An MTA that leaves Nagle's algorithm on (Postfix does) and writes each
// unanswered event on its own is not held up waiting for misend's
// acknowledgements: a message takes well under the kernel's 40 ms
// delayed-acknowledgement timer.
func TestNoDelayedAckStall(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("quick acknowledgements are asked of Linux only")
	}
	addr := startServer(t, &Server{Decider: subjectDecider{}, Holder: &memHolder{}})
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c := nc.(*net.TCPConn)
	c.SetNoDelay(false)
	c.SetDeadline(time.Now().Add(30 * time.Second))
	reply := func() byte {
		t.Helper()
		var hdr [4]byte
		if _, err := io.ReadFull(c, hdr[:]); err != nil {
			t.Fatal(err)
		}
		body := make([]byte, binary.BigEndian.Uint32(hdr[:]))
		if _, err := io.ReadFull(c, body); err != nil {
			t.Fatal(err)
		}
		return body[0]
	}
	c.Write(packet('O', "\x00\x00\x00\x06\x00\x00\x01\xff\x00\x1f\xff\xff"))
	reply()
	var took []time.Duration
	for range 9 {
		t0 := time.Now()
		for _, p := range [][]byte{
			packet('D', "M", "{auth_authen}\x00\x00"), packet('M', "<taro@corp.example>\x00"),
			packet('D', "R", "{rcpt_addr}\x00a@partner.example\x00"), packet('R', "<a@partner.example>\x00"),
			packet('L', "From\x00taro@corp.example\x00"), packet('L', "Subject\x00verdict=pass\x00"),
			packet('N'), packet('B', "Hello\r\n"), packet('D', "E", "i\x00ABC\x00"), packet('E'),
		} {
			if _, err := c.Write(p); err != nil {
				t.Fatal(err)
			}
		}
		for reply() != actAccept {
		}
		took = append(took, time.Since(t0))
	}
	slices.Sort(took)
	if took[4] > 20*time.Millisecond {
		t.Errorf("a message took %v (median of %v): the MTA's writes waited for delayed acknowledgements", took[4], took)
	}
}
