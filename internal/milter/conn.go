package milter

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Packet codes of the milter protocol misend reads and writes.
const (
	cmdAbort  = 'A' // SMFIC_ABORT
	cmdBody   = 'B' // SMFIC_BODY
	cmdConn   = 'C' // SMFIC_CONNECT
	cmdMacro  = 'D' // SMFIC_MACRO
	cmdEOB    = 'E' // SMFIC_BODYEOB
	cmdHelo   = 'H' // SMFIC_HELO
	cmdHeader = 'L' // SMFIC_HEADER
	cmdMail   = 'M' // SMFIC_MAIL
	cmdEOH    = 'N' // SMFIC_EOH
	cmdOptNeg = 'O' // SMFIC_OPTNEG
	cmdQuit   = 'Q' // SMFIC_QUIT
	cmdRcpt   = 'R' // SMFIC_RCPT
	cmdData   = 'T' // SMFIC_DATA

	actAccept       = 'a' // SMFIR_ACCEPT
	actContinue     = 'c' // SMFIR_CONTINUE
	actDiscard      = 'd' // SMFIR_DISCARD
	actReject       = 'r' // SMFIR_REJECT
	actTempFail     = 't' // SMFIR_TEMPFAIL
	actReplyCode    = 'y' // SMFIR_REPLYCODE
	actAddHeader    = 'h' // SMFIR_ADDHEADER
	actChangeHeader = 'm' // SMFIR_CHGHEADER
)

// version is the milter protocol version misend names in the option
// negotiation (see protocol for why the no-reply flags hold anyway).
const version = 2

// maxPacket bounds one packet from the MTA; a body chunk is at most 64 KiB.
const maxPacket = 1 << 20

// reply is one encoded answer packet: length, code and data.
type reply []byte

func newReply(code byte, data ...string) reply {
	return appendPacket(nil, code, data...)
}

// appendPacket appends to dst the packet of code whose data is the parts
// in turn, length first.
func appendPacket(dst []byte, code byte, parts ...string) []byte {
	n := 1
	for _, d := range parts {
		n += len(d)
	}
	dst = binary.BigEndian.AppendUint32(slices.Grow(dst, 4+n), uint32(n))
	dst = append(dst, code)
	for _, d := range parts {
		dst = append(dst, d...)
	}
	return dst
}

// replyText is a reply with an SMTP code and text for the client.
func replyText(text string) reply { return newReply(actReplyCode, text, "\x00") }

// final reports whether r ends the message: the MTA starts afresh after it.
func (r reply) final() bool {
	switch r[4] {
	case actAccept, actDiscard, actReject, actTempFail:
		return true
	}
	return false
}

var (
	respAccept   = newReply(actAccept)
	respContinue = newReply(actContinue)
	respDiscard  = newReply(actDiscard)
	// respOptNeg names the version, the modifications misend may ask for
	// and the protocol flags.
	respOptNeg = newReply(cmdOptNeg, string(binary.BigEndian.AppendUint32(
		binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, version), uint32(actions)), uint32(protocol))))
)

// readBuffer holds what the MTA sends without waiting for an answer: the
// headers, the end of the headers, the body and the end of the message
// arrive together and are read with one call.
const readBuffer = 8 << 10

// conn is one milter connection: the MTA's packets in, misend's answers
// out. Its buffers are reused across messages and, through connPool,
// across connections.
type conn struct {
	srv *Server
	nc  net.Conn
	rc  syscall.RawConn // nc's socket, for quickAck
	r   *bufio.Reader   // reads through deadlines
	dl  deadlines
	pkt []byte // the packet being handled
	// out holds the answer being built: at the end of a message the
	// headers misend adds or removes go in one write with the verdict.
	out []byte
	// macros is the data of the last macro packet, name and value
	// NUL-terminated in turn; the MTA sends the macros of each stage
	// just before its event.
	macros []byte
	sess   session
}

var connPool = sync.Pool{New: func() any {
	c := &conn{}
	c.r = bufio.NewReaderSize(&c.dl, readBuffer)
	return c
}}

// deadlines gives every read of the connection that can wait the idle
// deadline, so a stuck or hostile peer cannot hold a goroutine and its
// buffers forever.
type deadlines struct {
	nc   net.Conn
	idle time.Duration
}

func (d *deadlines) Read(p []byte) (int, error) {
	d.nc.SetReadDeadline(time.Now().Add(d.idle))
	return d.nc.Read(p)
}

// handle serves one connection until the MTA quits or breaks the protocol.
func (s *Server) handle(nc net.Conn) {
	c := connPool.Get().(*conn)
	c.srv, c.nc, c.rc = s, nc, rawConn(nc)
	c.dl = deadlines{nc: nc, idle: s.Limits.IdleTimeout}
	c.r.Reset(&c.dl)
	c.sess.srv = s
	defer func() {
		if v := recover(); v != nil {
			s.Log.Error("milter: panic handling a command", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		}
		nc.Close()
		c.srv, c.nc, c.rc, c.dl.nc = nil, nil, nil, nil
		c.sess.reset() // keeps the message buffer for the next connection
		c.sess.srv = nil
		c.out, c.macros = c.out[:0], c.macros[:0]
		if cap(c.pkt) > 64<<10+64 {
			c.pkt = nil // a rare big packet is not kept
		}
		if cap(c.out) > maxPending {
			c.out = nil
		}
		connPool.Put(c)
	}()
	for {
		code, data, err := c.read()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.Log.Debug("milter: read", "err", err)
			}
			return
		}
		r, err := c.process(code, data)
		if err != nil {
			if !errors.Is(err, errQuit) {
				s.Log.Debug("milter: command", "code", string(rune(code)), "err", err)
			}
			return
		}
		if r == nil {
			continue
		}
		if code != cmdEOB && code != cmdOptNeg {
			s.stats.answers.Add(1)
		}
		if err := c.send(r); err != nil {
			s.Log.Debug("milter: write", "err", err)
			return
		}
		if r.final() {
			c.sess.reset()
		}
	}
}

// maxPending bounds the modifications waiting in conn.out for the answer
// they precede; beyond it they leave at once.
const maxPending = 64 << 10

// errQuit ends a connection the MTA closes.
var errQuit = errors.New("milter: quit")

// read reads one packet; data is valid until the next read.
func (c *conn) read() (code byte, data []byte, err error) {
	if cap(c.pkt) < 4 {
		c.pkt = make([]byte, 0, 512)
	}
	hdr := c.pkt[:4]
	if _, err := io.ReadFull(c.r, hdr); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(hdr)
	if n == 0 {
		return 0, nil, errors.New("milter: zero-length packet")
	}
	if n > maxPacket {
		return 0, nil, fmt.Errorf("milter: packet length %d exceeds %d octets", n, maxPacket)
	}
	if uint32(cap(c.pkt)) < n {
		c.pkt = make([]byte, 0, n)
	}
	p := c.pkt[:n]
	if _, err := io.ReadFull(c.r, p); err != nil {
		return 0, nil, err
	}
	return p[0], p[1:], nil
}

// process hands one packet to the session and returns its answer, nil for
// none.
func (c *conn) process(code byte, data []byte) (reply, error) {
	s := &c.sess
	switch code {
	case cmdOptNeg:
		return respOptNeg, nil
	case cmdMacro:
		c.macros = c.macros[:0]
		if len(data) > 1 {
			c.macros = append(c.macros, bytes.Trim(data[1:], "\x00")...)
			c.macros = append(c.macros, 0)
		}
		return nil, nil
	case cmdConn:
		host := cstring(data)
		if len(data) < len(host)+2 {
			return nil, errors.New("milter: malformed connect")
		}
		data = data[len(host)+1:]
		family := data[0]
		data = data[1:]
		if family == '4' || family == '6' {
			if len(data) < 2 {
				return nil, errors.New("milter: connect without a port")
			}
			data = data[2:]
		}
		return s.Connect(net.ParseIP(string(cstring(data))))
	case cmdHelo:
		return s.Helo()
	case cmdMail:
		return s.MailFrom(strings.Trim(string(cstring(data)), "<>"), c)
	case cmdRcpt:
		return s.RcptTo(strings.Trim(string(cstring(data)), "<>"))
	case cmdHeader:
		// name NUL value NUL; a value is taken whole even if it holds a
		// NUL (the message is then refused for it).
		data = bytes.TrimSuffix(data, []byte{0})
		name, value, _ := bytes.Cut(data, []byte{0})
		return s.Header(name, value)
	case cmdEOH:
		return s.Headers()
	case cmdBody:
		return s.BodyChunk(data)
	case cmdEOB:
		c.srv.stats.messages.Add(1)
		return s.Body(c)
	case cmdAbort:
		c.macros = c.macros[:0]
		return nil, s.Abort()
	case cmdData:
		return respContinue, nil
	case cmdQuit:
		return nil, errQuit
	}
	return nil, fmt.Errorf("milter: unknown command %q", code)
}

// cstring is data up to its first NUL.
func cstring(data []byte) []byte {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return data[:i]
	}
	return data
}

// macro is the value of the named macro of the current stage, "" if the
// MTA did not send it.
func (c *conn) macro(name string) string {
	var v []byte
	for m := c.macros; len(m) > 0; {
		k, rest, _ := bytes.Cut(m, []byte{0})
		val, rest, _ := bytes.Cut(rest, []byte{0})
		if string(k) == name {
			v = val // the last one counts
		}
		m = rest
	}
	return string(v)
}

// modify queues a modification packet for the answer that follows it.
func (c *conn) modify(code byte, index int, name, value string) error {
	var idx [4]byte
	at := ""
	if code == actChangeHeader {
		binary.BigEndian.PutUint32(idx[:], uint32(index))
		at = string(idx[:])
	}
	c.out = appendPacket(c.out, code, at, name, "\x00", value, "\x00")
	if len(c.out) > maxPending {
		return c.flush()
	}
	return nil
}

// The MTA takes header values with bare LF line ends.
func (c *conn) addHeader(name, value string) error {
	return c.modify(actAddHeader, 0, name, strings.ReplaceAll(value, "\r\n", "\n"))
}

func (c *conn) changeHeader(index int, name, value string) error {
	return c.modify(actChangeHeader, index, name, strings.ReplaceAll(value, "\r\n", "\n"))
}

// send writes r after the modifications waiting for it, in one write.
func (c *conn) send(r reply) error {
	c.out = append(c.out, r...)
	return c.flush()
}

func (c *conn) flush() error {
	c.nc.SetWriteDeadline(time.Now().Add(c.srv.Limits.IdleTimeout))
	_, err := c.nc.Write(c.out)
	c.out = c.out[:0]
	quickAck(c.rc)
	return err
}
