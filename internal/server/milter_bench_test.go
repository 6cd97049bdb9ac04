package server

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	gomilter "github.com/emersion/go-milter"

	"github.com/misend/misend/internal/decisions"
	"github.com/misend/misend/internal/store"
)

// BenchmarkMilter runs messages through the milter as `misend serve`
// assembles it (the learned decision path, every decision recorded in a
// SQLite decisions log, passed mail learned), from a client that replays
// what Postfix sends, prepared in advance so that the client costs little:
// cpu-µs/op is nearly all misend's. Over one connection, and over one
// connection per message.
func BenchmarkMilter(b *testing.B) {
	for _, perConn := range []bool{false, true} {
		name := "persistent"
		if perConn {
			name = "conn-per-message"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			rec, err := decisions.Open(ctx, db)
			if err != nil {
				b.Fatal(err)
			}
			defer rec.Close()
			o := newOrg(b)
			_, up := startSink(b)
			s := startServer(b, b.TempDir(), up, func(op *Options) {
				op.MilterAddr, op.Decide, op.Decisions, op.Model = "127.0.0.1:0", o.svc, rec, o.model
				op.Log = slog.New(slog.DiscardHandler)
			})
			defer s.Shutdown(ctx)
			var c *milterClient
			i := 0
			b.ReportAllocs()
			cpu0 := processCPU()
			for b.Loop() {
				if c == nil {
					if c, err = dialMilter(s.Milter.String()); err != nil {
						b.Fatal(err)
					}
				}
				if code, err := c.message(i); err != nil || code != 'a' {
					b.Fatalf("message %d: answer %q, %v", i, code, err)
				}
				i++
				if perConn {
					c.close()
					c = nil
				}
			}
			b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
			if c != nil {
				c.close()
			}
		})
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// milterClient speaks to the milter as Postfix does (milter_protocol 6,
// the macros Postfix sends by default).
type milterClient struct {
	c   net.Conn
	r   *bufio.Reader
	out []byte
	in  []byte
	// rcptReply is whether the milter answers each recipient, as it
	// negotiated.
	rcptReply bool
}

func dialMilter(addr string) (*milterClient, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	// Closed without TIME_WAIT: thousands of connections a run would
	// otherwise use up the loopback's ephemeral ports.
	nc.(*net.TCPConn).SetLinger(0)
	c := &milterClient{c: nc, r: bufio.NewReader(nc)}
	c.packet('O', "\x00\x00\x00\x06\x00\x00\x01\xff\x00\x1f\xff\xff")
	if code, err := c.answer(); err != nil || code != 'O' || len(c.in) < 13 {
		return nil, fmt.Errorf("option negotiation: %q, %v", code, err)
	}
	c.rcptReply = gomilter.OptProtocol(binary.BigEndian.Uint32(c.in[9:13]))&gomilter.OptNoRcptReply == 0
	c.packet('D', "Cj\x00mta.test.example\x00{daemon_name}\x00mta.test.example\x00v\x00Postfix 3.8\x00")
	c.packet('C', "localhost\x00", "4", "\x9c\x40", "127.0.0.1\x00")
	return c, nil
}

func (c *milterClient) packet(code byte, data ...string) {
	n := 1
	for _, d := range data {
		n += len(d)
	}
	c.out = binary.BigEndian.AppendUint32(c.out, uint32(n))
	c.out = append(c.out, code)
	for _, d := range data {
		c.out = append(c.out, d...)
	}
}

// answer sends what waits and reads the answer: the code of the last
// packet, after any modifications.
func (c *milterClient) answer() (byte, error) {
	if _, err := c.c.Write(c.out); err != nil {
		return 0, err
	}
	c.out = c.out[:0]
	for {
		var hdr [4]byte
		if _, err := io.ReadFull(c.r, hdr[:]); err != nil {
			return 0, err
		}
		n := binary.BigEndian.Uint32(hdr[:])
		if cap(c.in) < int(n) {
			c.in = make([]byte, n)
		}
		if _, err := io.ReadFull(c.r, c.in[:n]); err != nil {
			return 0, err
		}
		switch code := c.in[0]; code {
		case 'h', 'm', 'i':
			continue
		default:
			return code, nil
		}
	}
}

func (c *milterClient) message(i int) (byte, error) {
	id := strconv.Itoa(i)
	c.packet('D', "Mi\x00", "4Q"+id, "\x00{auth_type}\x00\x00{mail_addr}\x00"+sato+"\x00")
	c.packet('M', "<"+sato+">\x00")
	c.packet('D', "R{rcpt_addr}\x00tanaka@partner-a.example\x00")
	c.packet('R', "<tanaka@partner-a.example>\x00")
	if c.rcptReply {
		if code, err := c.answer(); err != nil || code != 'c' {
			return code, err
		}
	}
	for _, h := range [][2]string{
		{"Received", "from localhost (localhost [127.0.0.1])\n\tby mta.test.example (Postfix) with ESMTP id 4Q" + id + "\n\tfor <tanaka@partner-a.example>; Mon,  7 Dec 2026 03:30:05 +0000 (UTC)"},
		{"From", "佐藤 <" + sato + ">"},
		{"To", "田中 <tanaka@partner-a.example>"},
		{"Subject", "打ち合わせ"},
		{"Message-ID", "<b" + id + "@corp.example>"},
		{"Date", "Mon,  7 Dec 2026 03:30:05 +0000 (UTC)"},
	} {
		c.packet('L', h[0], "\x00", h[1], "\x00")
	}
	c.packet('N')
	c.packet('B', "来週の打ち合わせの件、資料を添付します。\r\nよろしくお願いします。\r\n")
	c.packet('D', "Ei\x00", "4Q"+id, "\x00")
	c.packet('E')
	return c.answer()
}

func (c *milterClient) close() {
	c.packet('Q')
	c.c.Write(c.out)
	c.c.Close()
}
