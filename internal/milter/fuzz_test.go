package milter

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// panicWatch catches go-milter's own recover() log line, which would
// otherwise hide a panic in our callbacks from the fuzzer.
type panicWatch struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *panicWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	return len(p), nil
}

func (w *panicWatch) panicked() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.buf.String()
	w.buf.Reset()
	if i := strings.Index(s, "panic"); i >= 0 {
		return s[i:]
	}
	return ""
}

func packet(code byte, data ...string) []byte {
	body := append([]byte{code}, strings.Join(data, "")...)
	var out [4]byte
	binary.BigEndian.PutUint32(out[:], uint32(len(body)))
	return append(out[:], body...)
}

func cat(ps ...[]byte) []byte { return bytes.Join(ps, nil) }

// FuzzPackets sends arbitrary bytes to a live milter server as if they were
// an MTA's packet stream. The server must neither panic nor hang.
func FuzzPackets(f *testing.F) {
	optneg := packet('O', "\x00\x00\x00\x06\x00\x00\x01\xff\x00\x1f\xff\xff")
	conn := packet('C', "mx.example\x00", "4", "\x00\x19", "127.0.0.1\x00")
	mail := packet('M', "<a@corp.example>\x00")
	rcpt := packet('R', "<b@partner.example>\x00")
	hdr := packet('L', "Subject\x00verdict=hold\x00")
	eoh := packet('N')
	body := packet('B', "hello\r\n")
	eob := packet('E')
	f.Add(cat(optneg, conn, mail, rcpt, hdr, eoh, body, eob))
	f.Add(cat(optneg, mail, rcpt, packet('L', "Subject\x00verdict=reject\x00"), eoh, eob, mail, rcpt, eoh, eob))
	f.Add(cat(optneg, packet('D', "Ei\x00ABC123\x00j\x00"), mail, rcpt, eoh, eob))
	f.Add(cat(optneg, hdr))                             // header before MAIL
	f.Add(cat(optneg, packet('C', "x")))                // truncated connect
	f.Add(cat(optneg, packet('C', "x\x004")))           // IPv4 without port
	f.Add(cat(optneg, packet('D')))                     // empty macro packet
	f.Add(cat(optneg, packet('L', "only-name")))        // header without NUL
	f.Add(cat(optneg, packet('L', "a\x00b\x00c\x00d"))) // extra NUL fields
	f.Add(cat(optneg, mail, packet('A'), eob))          // abort then EOB
	f.Add([]byte{0, 0, 0, 0})                           // zero-length packet
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 'O'})          // huge length
	f.Add(cat(optneg, mail, packet('Z')))               // unknown command
	f.Add(cat(optneg, mail, packet('R', "<", strings.Repeat("x", 5000))))
	f.Add(cat(optneg, mail, rcpt, packet('L', "X-Misend-Verdict\x00pass\x00"), eoh, eob))
	f.Add(cat(optneg, mail, rcpt, packet('L', "Subject\x00verdict=warn\x00"), eoh, eob, packet('Q')))

	watch := &panicWatch{}
	log.SetOutput(watch)
	f.Cleanup(func() { log.SetOutput(io.Discard) })

	s := &Server{Decider: subjectDecider{}, Holder: &memHolder{}, Limits: Limits{MaxMessageBytes: 64 << 10, IdleTimeout: 2 * time.Second}}
	addr := startServer(f, s)

	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		c.Write(in)
		c.(*net.TCPConn).CloseWrite()
		// The server answers and closes (EOF, bad packet) on its own.
		// A reset (closed with our bytes unread) is a fine way to finish; a
		// timeout is not.
		if _, err := io.Copy(io.Discard, c); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("server did not finish: %v", err)
			}
		}
		// go-milter logs a recovered panic after closing; give it a moment.
		time.Sleep(time.Millisecond)
		if p := watch.panicked(); p != "" {
			t.Fatalf("panic: %s", p)
		}
	})
}
