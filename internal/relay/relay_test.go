package relay

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/sink"
)

func startSink(t *testing.T) (*sink.Sink, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := sink.New()
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	return s, l.Addr().String()
}

func TestDeliverClassifies(t *testing.T) {
	s, addr := startSink(t)
	c := &Client{Addr: addr, TLS: TLSOpportunistic}
	env := queue.Envelope{From: "a@corp.example", To: []string{"b@x.example", "c@x.example"}}
	raw := []byte("Subject: hi\r\n\r\nhello\r\n")
	tests := []struct {
		name       string
		refuse     int
		wantErr    bool
		permanent  bool
		wantStored int
	}{
		{"accepted", 0, false, false, 1},
		{"temporary", 451, true, false, 1},
		{"permanent", 550, true, true, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.Refuse(tc.refuse)
			res := c.Deliver(context.Background(), env, raw)
			if (res.Err != nil) != tc.wantErr || res.Permanent != tc.permanent {
				t.Errorf("result %+v, want err %v permanent %v", res, tc.wantErr, tc.permanent)
			}
			if n := len(s.Messages()); n != tc.wantStored {
				t.Errorf("sink holds %d messages, want %d", n, tc.wantStored)
			}
		})
	}
	if m := s.Messages()[0]; m.From != env.From || len(m.To) != 2 || string(m.Data) != string(raw) {
		t.Errorf("received %+v", m)
	}
}

func TestTLSRequiredWithoutStartTLS(t *testing.T) {
	_, addr := startSink(t)
	c := &Client{Addr: addr, TLS: TLSRequired}
	res := c.Deliver(context.Background(), queue.Envelope{From: "a@x", To: []string{"b@y"}}, []byte("x\r\n"))
	if res.Err == nil || res.Permanent {
		t.Errorf("delivery without required TLS: %+v, want temporary error", res)
	}
}

func TestDeliverDownUpstreamIsTemporary(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	res := (&Client{Addr: addr}).Deliver(context.Background(), queue.Envelope{From: "a@x", To: []string{"b@y"}}, []byte("x\r\n"))
	if res.Err == nil || res.Permanent {
		t.Errorf("%+v, want temporary error", res)
	}
}

// The upstream reads the address misend checked: a local part whose quotes
// the receiving SMTP server removed ("john doe"@corp.example arrives as
// john doe@corp.example) goes out quoted again, not as another address.
func TestDeliverQuotesLocalParts(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	lines := make(chan string, 20)
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		fmt.Fprintf(c, "220 upstream ESMTP\r\n")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			cmd := strings.ToUpper(strings.TrimSpace(line))
			switch {
			case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
				fmt.Fprintf(c, "250 upstream\r\n")
			case strings.HasPrefix(cmd, "MAIL"), strings.HasPrefix(cmd, "RCPT"):
				lines <- strings.TrimSpace(line)
				fmt.Fprintf(c, "250 ok\r\n")
			case cmd == "DATA":
				fmt.Fprintf(c, "354 go\r\n")
				for {
					l, err := r.ReadString('\n')
					if err != nil || l == ".\r\n" {
						break
					}
				}
				fmt.Fprintf(c, "250 queued\r\n")
			case cmd == "QUIT":
				fmt.Fprintf(c, "221 bye\r\n")
				return
			default:
				fmt.Fprintf(c, "250 ok\r\n")
			}
		}
	}()
	env := queue.Envelope{From: "a b@corp.example", To: []string{"john doe@corp.example", "sato@partner.example"}}
	if res := (&Client{Addr: l.Addr().String(), TLS: TLSNone}).Deliver(context.Background(), env, []byte("Subject: x\r\n\r\nx\r\n")); res.Err != nil {
		t.Fatal(res.Err)
	}
	want := []string{`MAIL FROM:<"a b"@corp.example>`, `RCPT TO:<"john doe"@corp.example>`, `RCPT TO:<sato@partner.example>`}
	for _, w := range want {
		if got := <-lines; !strings.HasPrefix(got, w) {
			t.Errorf("upstream read %q, want %q", got, w)
		}
	}
}
