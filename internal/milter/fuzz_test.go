package milter

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
)

// panicWatch catches the server's log line for a recovered panic, which
// would otherwise hide a panic in our callbacks from the fuzzer. The server
// writes it before closing the connection.
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
	s := &Server{Decider: subjectDecider{}, Holder: &memHolder{}, Limits: Limits{MaxMessageBytes: 64 << 10, IdleTimeout: 2 * time.Second},
		Log: slog.New(slog.NewTextHandler(watch, nil))}
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
		// The server logs a recovered panic before it closes the
		// connection, so the log has it once the reading above ended.
		if p := watch.panicked(); p != "" {
			t.Fatalf("panic: %s", p)
		}
	})
}

// fuzzDecider takes its verdict from a "verdict=" word anywhere in the
// message, so fuzzed conversations reach every branch of the end of message.
type fuzzDecider struct{}

func (fuzzDecider) Decide(ctx context.Context, env Envelope, raw []byte) Result {
	v := policy.Pass
	if i := bytes.Index(raw, []byte("verdict=")); i >= 0 {
		rest := raw[i+len("verdict="):]
		if j := bytes.IndexAny(rest, "\r\n "); j >= 0 {
			rest = rest[:j]
		}
		v = policy.Verdict(rest)
	}
	return Result{Sender: env.From, Score: 0.5, Decision: policy.Decision{Verdict: v, Decided: v, Rule: "fuzz"},
		Findings: []finding.Finding{{Code: finding.NewDomain, Message: string(raw[:min(len(raw), 300)])}}}
}

// countingHolder counts what it keeps, and refuses messages that ask it to,
// as a full disk would.
type countingHolder struct {
	mu sync.Mutex
	n  int
}

func (h *countingHolder) Hold(ctx context.Context, env Envelope, raw []byte, res Result) (string, error) {
	if bytes.Contains(raw, []byte("disk-full")) {
		return "", errors.New("disk full")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.n++
	return fmt.Sprintf("Q%d", h.n), nil
}

func (h *countingHolder) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

// script reads a fuzzer's bytes as the choices of an MTA: which packet
// comes next and what it carries. Every packet is framed correctly, so the
// fuzzer's effort goes into the order and content of packets rather than
// into breaking the length prefix, which FuzzPackets covers.
type script struct{ in []byte }

func (s *script) next() byte {
	if len(s.in) == 0 {
		return 0
	}
	b := s.in[0]
	s.in = s.in[1:]
	return b
}

// str is a length-prefixed string of the input.
func (s *script) str() string {
	n := min(int(s.next()), len(s.in))
	out := string(s.in[:n])
	s.in = s.in[n:]
	return out
}

func (s *script) pick(choices ...string) string {
	i := int(s.next())
	if i < len(choices) {
		return choices[i]
	}
	return s.str()
}

var verdicts = []string{"pass", "warn", "confirm", "delay", "hold", "reject", "disk-full hold"}

// conversation renders the script as a packet stream, starting with an
// option negotiation.
func (s *script) conversation() []byte {
	var out [][]byte
	if s.next()%4 == 0 {
		// Fuzzed negotiation: version, actions, protocol flags.
		out = append(out, packet('O', s.str()))
	} else {
		out = append(out, packet('O', "\x00\x00\x00\x06\x00\x00\x01\xff\x00\x1f\xff\xff"))
	}
	for steps := 0; len(s.in) > 0 && steps < 200; steps++ {
		switch s.next() % 15 {
		case 0:
			var port [2]byte
			port[0], port[1] = s.next(), s.next()
			out = append(out, packet('C', s.str(), "\x00", s.pick("4", "6", "L", "U"), string(port[:]), s.pick("127.0.0.1", "::1", "/run/x"), "\x00"))
		case 1:
			out = append(out, packet('D', s.pick("C", "H", "M", "R", "N", "E", "T"), s.pick("i", "j", "{auth_authen}"), "\x00", s.str(), "\x00"))
		case 2:
			out = append(out, packet('M', "<", s.str(), ">\x00", s.pick("", "SIZE=100\x00", "BODY=8BITMIME\x00")))
		case 3:
			out = append(out, packet('R', "<", s.str(), ">\x00"))
		case 4:
			name := s.pick("Subject", "X-Misend-Verdict", "x-misend-score", "From", "To", "Message-ID")
			val := s.str()
			if s.next()%2 == 0 {
				val = "verdict=" + s.pick(verdicts...) + " " + val
			}
			out = append(out, packet('L', name, "\x00", val, "\x00"))
		case 5:
			out = append(out, packet('N'))
		case 6:
			out = append(out, packet('B', s.str()))
		case 7:
			out = append(out, packet('E'))
		case 8:
			out = append(out, packet('A'))
		case 9:
			out = append(out, packet('H', s.str(), "\x00"))
		case 10:
			out = append(out, packet('T'))
		case 11:
			out = append(out, packet('Q'))
		case 12:
			// A body larger than the limit, in 60 KB chunks as Postfix sends.
			chunk := strings.Repeat("x", 60000)
			for range 1 + s.next()%3 {
				out = append(out, packet('B', chunk))
			}
		case 13:
			out = append(out, packet('K'))
		default:
			out = append(out, packet(s.next(), s.str()))
		}
	}
	return cat(out...)
}

// replies reads the server's answers until it closes and checks that each
// is a well-formed packet with a reply code a milter may send. It returns
// the number of discards (each of which must be a message the Holder kept).
func replies(t *testing.T, c net.Conn) int {
	t.Helper()
	discards := 0
	for {
		var hdr [4]byte
		if _, err := io.ReadFull(c, hdr[:]); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("server did not finish: %v", err)
			}
			return discards
		}
		n := binary.BigEndian.Uint32(hdr[:])
		if n == 0 || n > 1<<20 {
			t.Fatalf("reply packet of %d bytes", n)
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(c, body); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("server stopped mid-packet: %v", err)
			}
			t.Fatalf("truncated reply packet: %v", err)
		}
		switch body[0] {
		case 'd':
			discards++
		case 'y':
			// An SMTP reply: a 4xx or 5xx code and text, NUL-terminated.
			if !regexp.MustCompile(`^[45]\d\d [45]\.\d\.\d [ -~]*\x00$`).Match(body[1:]) {
				t.Fatalf("malformed reply code packet %q", body)
			}
		case 'O', 'a', 'c', 't', 'r', 'h', 'm', 'i', 'p', 's':
		default:
			t.Fatalf("unexpected reply %q", body)
		}
	}
}

// FuzzConversations drives a live milter server with well-framed packets in
// any order and with any content. Besides no panic and no hang, every reply
// must be a valid packet, and every discard must be a message the Holder
// stored: Postfix forgets a discarded message, so a discard without a
// durable hold would lose it.
func FuzzConversations(f *testing.F) {
	f.Add([]byte{1, 0, 1, 'a', 1, 1, 'b', 2, 0, 5, 'h', 'e', 'l', 'l', 'o', 4, 0, 1, 0, 4, 5, 6, 3, 'a', 'b', 'c', 7})
	f.Add([]byte{1, 2, 1, 'a', 3, 1, 'b', 4, 0, 0, 4, 0, 5, 7, 2, 1, 'a', 3, 1, 'c', 4, 0, 0, 4, 0, 5, 7})
	f.Add([]byte{1, 2, 1, 'a', 3, 1, 'b', 4, 0, 0, 6, 0, 5, 7})
	f.Add([]byte{1, 2, 1, 'a', 3, 1, 'b', 12, 2, 7})
	f.Add([]byte{1, 2, 1, 'a', 3, 1, 'b', 4, 1, 1, 0, 2, 4, 0, 1, 0, 5, 7, 8, 7})
	f.Add([]byte{0, 3, 0, 0, 0})
	f.Add([]byte{1, 7, 2, 1, 'a', 5, 6, 3, 'x', 'y', 'z', 8, 13})

	watch := &panicWatch{}
	h := &countingHolder{}
	s := &Server{Decider: fuzzDecider{}, Holder: h, Limits: Limits{MaxMessageBytes: 64 << 10, MaxRecipients: 5, IdleTimeout: 2 * time.Second},
		Log: slog.New(slog.NewTextHandler(watch, nil))}
	addr := startServer(f, s)

	f.Fuzz(func(t *testing.T, in []byte) {
		conv := (&script{in: in}).conversation()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		before := h.count()
		// Write while reading: a long conversation's replies could fill
		// the socket buffers both ways.
		go func() {
			c.Write(conv)
			c.(*net.TCPConn).CloseWrite()
		}()
		discards := replies(t, c)
		if p := watch.panicked(); p != "" {
			t.Fatalf("panic: %s", p)
		}
		if held := h.count() - before; held != discards {
			t.Fatalf("%d discards but %d messages held", discards, held)
		}
	})
}
