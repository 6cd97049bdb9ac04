package relay

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/sink"
)

// countingListener counts the connections the upstream accepts.
type countingListener struct {
	net.Listener
	n atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

func startCountingSink(t *testing.T, addr string) (*sink.Sink, *countingListener) {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: l}
	s := sink.New()
	go s.Serve(cl)
	t.Cleanup(func() { s.Close() })
	return s, cl
}

func TestPoolReusesAndClassifies(t *testing.T) {
	s, l := startCountingSink(t, "127.0.0.1:0")
	p := NewPool(Client{Addr: l.Addr().String(), TLS: TLSNone}, 2)
	defer p.Close()
	ctx := context.Background()
	env := queue.Envelope{From: "a@corp.example", To: []string{"b@x.example", "c@x.example"}}
	tests := []struct {
		refuse    int
		wantErr   bool
		permanent bool
	}{{0, false, false}, {451, true, false}, {550, true, true}, {0, false, false}, {0, false, false}}
	for i, tc := range tests {
		s.Refuse(tc.refuse)
		res := p.Deliver(ctx, env, fmt.Appendf(nil, "Subject: %d\r\n\r\nhello\r\n", i))
		if (res.Err != nil) != tc.wantErr || res.Permanent != tc.permanent {
			t.Errorf("message %d refused with %d: %+v", i, tc.refuse, res)
		}
	}
	s.Refuse(0)
	// Every message went over the one session, refusals included, each
	// transaction on its own.
	if n := l.n.Load(); n != 1 {
		t.Errorf("%d connections for %d messages, want 1", n, len(tests))
	}
	msgs := s.Messages()
	if len(msgs) != 3 || len(msgs[2].To) != 2 || msgs[2].From != env.From || string(msgs[2].Data) != "Subject: 4\r\n\r\nhello\r\n" {
		t.Errorf("sink got %d messages, last %+v", len(msgs), msgs[len(msgs)-1])
	}
}

// TestPoolReconnectsAfterUpstreamRestart: idle sessions closed by the
// upstream are noticed at RSET and replaced; nothing is lost or refused.
func TestPoolReconnectsAfterUpstreamRestart(t *testing.T) {
	s, l := startCountingSink(t, "127.0.0.1:0")
	addr := l.Addr().String()
	p := NewPool(Client{Addr: addr, TLS: TLSNone}, 4)
	defer p.Close()
	ctx := context.Background()
	env := queue.Envelope{From: "a@corp.example", To: []string{"b@x.example"}}
	if res := p.Deliver(ctx, env, []byte("Subject: 1\r\n\r\nx\r\n")); res.Err != nil {
		t.Fatal(res.Err)
	}
	s.Close()
	s2, _ := startCountingSink(t, addr)
	if res := p.Deliver(ctx, env, []byte("Subject: 2\r\n\r\nx\r\n")); res.Err != nil {
		t.Fatalf("after the upstream restarted: %v", res.Err)
	}
	if n := len(s2.Messages()); n != 1 {
		t.Errorf("new upstream got %d messages", n)
	}
}

func TestPoolConcurrent(t *testing.T) {
	s, l := startCountingSink(t, "127.0.0.1:0")
	const workers, each = 4, 25
	p := NewPool(Client{Addr: l.Addr().String(), TLS: TLSNone}, workers)
	defer p.Close()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				env := queue.Envelope{From: "a@corp.example", To: []string{"b@x.example"}}
				if res := p.Deliver(context.Background(), env, fmt.Appendf(nil, "Subject: %d-%d\r\n\r\nx\r\n", w, i)); res.Err != nil {
					t.Error(res.Err)
				}
			}
		})
	}
	wg.Wait()
	if n := len(s.Messages()); n != workers*each {
		t.Errorf("sink got %d, want %d", n, workers*each)
	}
	if n := l.n.Load(); n > workers {
		t.Errorf("%d connections for %d workers", n, workers)
	}
}

func TestPoolDownUpstreamIsTemporary(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	res := NewPool(Client{Addr: addr}, 1).Deliver(context.Background(), queue.Envelope{From: "a@x", To: []string{"b@y"}}, []byte("x\r\n"))
	if res.Err == nil || res.Permanent {
		t.Errorf("%+v, want temporary error", res)
	}
}
