package mail

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	netmail "net/mail"
	"strings"
	"sync"
	"time"
)

// readBufs holds read buffers between calls to Parse: nothing a Message
// keeps points into the raw octets, so the buffer can serve the next one.
var readBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// walkers hold the decoding scratch space between messages.
var walkers = sync.Pool{New: func() any { return new(partWalker) }}

// Parse reads one RFC 5322 message from r. A zero lim means DefaultLimits.
func Parse(r io.Reader, lim Limits) (*Message, error) {
	if lim == (Limits{}) {
		lim = DefaultLimits
	}
	buf := readBufs.Get().(*bytes.Buffer)
	defer func() {
		// A huge message must not pin its buffer for good.
		if buf.Cap() <= 1<<20 {
			buf.Reset()
			readBufs.Put(buf)
		}
	}()
	buf.Reset()
	// Read at most one octet past the cap so an oversize message is told
	// apart from one exactly at the cap, without buffering the excess.
	if _, err := buf.ReadFrom(io.LimitReader(r, int64(lim.MaxMessageBytes)+1)); err != nil {
		return nil, fmt.Errorf("mail: read message: %w", err)
	}
	return ParseBytes(buf.Bytes(), lim)
}

// ParseBytes parses one message held in raw. The Message keeps no reference
// to raw, so the caller may reuse it.
func ParseBytes(raw []byte, lim Limits) (*Message, error) { return parseBytes(raw, lim, true) }

// ParseHeaderBytes is ParseBytes for callers that need no more of a
// message than its header: who sent it to whom, when, in which thread.
// The Message has no Text, no Attachments and no Problems of the body;
// as the body is not looked at, a message ParseBytes refuses for its MIME
// structure (ErrTooDeep, ErrTooManyParts) is taken.
func ParseHeaderBytes(raw []byte, lim Limits) (*Message, error) { return parseBytes(raw, lim, false) }

func parseBytes(raw []byte, lim Limits, withBody bool) (*Message, error) {
	if lim == (Limits{}) {
		lim = DefaultLimits
	}
	if len(raw) > lim.MaxMessageBytes {
		return nil, refuse(ErrTooLarge, "message exceeds %d octets", lim.MaxMessageBytes)
	}
	p := walkers.Get().(*partWalker)
	defer func() {
		if cap(p.scratch) > 1<<20 {
			p.scratch = nil
		}
		// Field names point into raw: let the caller's buffer go.
		clear(p.fields[:cap(p.fields)])
		if cap(p.fields) > 1024 {
			p.fields = nil
		}
		p.msg, p.html = nil, strings.Builder{}
		walkers.Put(p)
	}()
	h, body, ok := readHeader(raw, p.fields)
	p.fields = h.fields
	if !ok {
		return nil, refuse(ErrNotMessage, "not a message: the first line is not a header field")
	}
	if n := len(raw) - len(body); n > lim.MaxHeaderBytes {
		return nil, refuse(ErrHeaderTooLarge, "header exceeds %d octets", lim.MaxHeaderBytes)
	}
	m := &Message{Size: len(raw)}
	if h.bad > 0 {
		m.problem("header: %d malformed lines skipped", h.bad)
	}
	parseHeader(m, &h)
	if !withBody {
		return m, nil
	}
	p.lim, p.msg, p.parts, p.kept = lim, m, 0, 0
	if err := p.walk(&h, body, 0); err != nil {
		return nil, err
	}
	if len(m.Text) > lim.MaxTextBytes {
		m.Text = strings.ToValidUTF8(m.Text[:lim.MaxTextBytes], "")
		m.problem("text truncated to %d octets", lim.MaxTextBytes)
	}
	return m, nil
}

func (m *Message) problem(format string, args ...any) {
	if len(m.Problems) < 50 {
		m.Problems = append(m.Problems, fmt.Sprintf(format, args...))
	}
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

// decodeWords decodes RFC 2047 encoded words; a broken word is kept as is and
// recorded, so the rest of the header survives.
func (m *Message) decodeWords(field, s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	d, err := wordDecoder.DecodeHeader(s)
	if err != nil {
		m.problem("%s: bad encoded word: %v", field, err)
		return s
	}
	return d
}

func parseHeader(m *Message, h *header) {
	m.Subject = m.decodeWords("subject", h.get("Subject"))
	// Label names in Japanese come encoded; the GUIDs, not the names,
	// are what a mapping is best keyed on.
	m.Labels = ParseMSIPLabels(m.decodeWords("msip_labels", h.get("msip_labels")))
	m.MessageID = firstID(h.get("Message-Id"))
	m.InReplyTo = firstID(firstField(h.get("In-Reply-To")))
	m.References = appendIDs(nil, h.get("References"))
	m.Date = parseDate(h.get("Date"))
	if from := m.addressList("from", h.get("From")); len(from) > 0 {
		m.From = from[0]
	}
	if s := m.addressList("sender", h.get("Sender")); len(s) > 0 {
		m.Sender = s[0]
	}
	m.ReplyTo = m.addressList("reply-to", h.get("Reply-To"))
	// A second To or Cc field is against RFC 5322 but mail clients show
	// it, so its recipients count.
	m.To = m.addressFields("to", h.getAll("To"))
	m.Cc = m.addressFields("cc", h.getAll("Cc"))
	m.Bcc = m.addressFields("bcc", h.getAll("Bcc"))
}

func (m *Message) addressFields(field string, vs []string) []Address {
	switch len(vs) {
	case 0:
		return nil
	case 1:
		return m.addressList(field, vs[0])
	}
	var out []Address
	for _, v := range vs {
		out = append(out, m.addressList(field, v)...)
	}
	return out
}

func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

// firstID is the first <msg-id> of s without its brackets, ignoring what
// follows it (a comment, or junk some mailers add); a value without
// brackets is taken whole, as mailers that omit them mean it.
func firstID(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "<") {
		if j := strings.IndexByte(s, '>'); j > 0 {
			return strings.TrimSpace(s[1:j])
		}
	}
	return trimID(s)
}

// appendIDs appends the message identifiers of a References field: each
// <msg-id>, written with or without blanks between them (RFC 5322 allows
// "<a@x><b@y>"), and bare identifiers separated by blanks. Comments are
// dropped.
func appendIDs(out []string, s string) []string {
	for _, f := range strings.Fields(s) {
		for f != "" {
			j := strings.IndexByte(f, '>')
			if f[0] != '<' || j < 0 {
				if id := trimID(f); id != "" && !strings.ContainsAny(f, "()") {
					out = append(out, id)
				}
				break
			}
			if id := strings.TrimSpace(f[1:j]); id != "" {
				out = append(out, id)
			}
			f = f[j+1:]
		}
	}
	return out
}

func trimID(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "<")
	s = strings.TrimSuffix(s, ">")
	return strings.TrimSpace(s)
}

var dateLayouts = []string{
	time.RFC1123Z, time.RFC1123, "Mon, 2 Jan 2006 15:04:05 -0700", "2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 -0700 (MST)", "Mon, 2 Jan 2006 15:04 -0700", "Mon, 2 Jan 06 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST", time.RFC3339, time.ANSIC, time.UnixDate,
}

// parseDate tries the shape nearly all mail uses first, then net/mail's
// parser, then a list of shapes seen in real mail; the zero time means none
// matched.
func parseDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	// MTAs such as Postfix add a comment naming the zone: "… +0900 (JST)".
	// A failed time.Parse costs more than the rest of the header.
	plain := s
	if i := strings.LastIndex(s, " ("); i > 0 && strings.HasSuffix(s, ")") && !strings.Contains(s[i+2:len(s)-1], "(") {
		plain = strings.TrimRight(s[:i], " ")
	}
	if t, err := time.Parse("Mon, 2 Jan 2006 15:04:05 -0700", plain); err == nil {
		return t
	}
	if t, err := netmail.ParseDate(s); err == nil {
		return t
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
