package gateway

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
)

// FuzzSMTPSession feeds arbitrary command streams to one gateway session
// over an in-memory connection: the server must answer or hang up, never
// panic, within a bounded time.
func FuzzSMTPSession(f *testing.F) {
	for _, s := range []string{
		"EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n",
		"HELO\r\nMAIL FROM:<>\r\nRCPT TO:<>\r\nDATA\r\n.\r\n",
		"EHLO x\r\nRCPT TO:<c@d>\r\nDATA\r\n",
		"EHLO x\r\nMAIL FROM:<a@b> SIZE=99999999999999999999\r\n",
		"EHLO x\r\nMAIL FROM:<a@b> BODY=8BITMIME SMTPUTF8\r\nRCPT TO:<\xff\xfe@d>\r\nDATA\r\n..\r\n.\r\n",
		"AUTH PLAIN AGFAYg==\r\nSTARTTLS\r\nBDAT 10 LAST\r\n0123456789",
		"EHLO " + string(make([]byte, 3000)) + "\r\n",
		"\x00\x01\x02\r\n\n\n\r.\r\n",
	} {
		f.Add([]byte(s))
	}
	q, err := queue.Open(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	g := New(Config{MaxMessageBytes: 4096, MaxRecipients: 5, Log: slog.New(slog.DiscardHandler)}, fixed{v: policy.Pass}, spoolIntake{q})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	go g.Serve(l)
	defer g.Shutdown(context.Background())
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		go func() {
			c.Write(in)
			c.Write([]byte("\r\n.\r\nQUIT\r\n"))
		}()
		// The server must answer and end the session; a panic would kill
		// the test binary, a hang trips the deadline.
		if _, err := io.Copy(io.Discard, bufio.NewReader(c)); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("session still open after 5 s")
			}
		}
	})
}
