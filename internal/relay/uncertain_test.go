package relay

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/queue"
)

// startDropper runs an SMTP server that accepts everything up to the end of
// the message and then closes the connection without answering it: the
// upstream may or may not have taken the message.
func startDropper(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go dropAfterData(c)
		}
	}()
	return l.Addr().String()
}

func dropAfterData(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	c.Write([]byte("220 dropper ESMTP\r\n"))
	inData := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
		case inData && cmd == ".":
			return // the whole message came; no answer
		case inData:
		case strings.HasPrefix(cmd, "EHLO"):
			c.Write([]byte("250-dropper\r\n250 8BITMIME\r\n"))
		case cmd == "DATA":
			inData = true
			c.Write([]byte("354 go ahead\r\n"))
		default:
			c.Write([]byte("250 ok\r\n"))
		}
	}
}

// TestUncertainOnlyAfterTheMessageWentOut: a failure is uncertain, a possible
// duplicate when retried, only when the upstream saw the whole message and
// did not answer; refusals and failures before the data are not.
func TestUncertainOnlyAfterTheMessageWentOut(t *testing.T) {
	sk, sinkAddr := startSink(t)
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	down := l.Addr().String()
	l.Close()
	env := queue.Envelope{From: "a@corp.example", To: []string{"b@x.example"}}
	raw := []byte("Subject: hi\r\n\r\nhello\r\n")
	tests := []struct {
		name          string
		addr          string
		refuse        int
		wantErr       bool
		wantUncertain bool
	}{
		{"delivered", sinkAddr, 0, false, false},
		{"refused for now", sinkAddr, 451, true, false},
		{"refused for good", sinkAddr, 550, true, false},
		{"upstream down", down, 0, true, false},
		{"no answer after the data", "", 0, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := tc.addr
			if addr == "" {
				addr = startDropper(t)
			}
			sk.Refuse(tc.refuse)
			c := Client{Addr: addr, TLS: TLSNone, Timeout: 5 * time.Second}
			for _, d := range []queue.Deliverer{&c, NewPool(c, 1)} {
				res := d.Deliver(context.Background(), env, raw)
				if (res.Err != nil) != tc.wantErr || res.Uncertain != tc.wantUncertain {
					t.Errorf("%T: %+v, want error %v, uncertain %v", d, res, tc.wantErr, tc.wantUncertain)
				}
			}
		})
	}
}
