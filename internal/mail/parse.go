package mail

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // ISO-2022-JP, Shift_JIS, EUC-JP, ISO-8859-x
	gomail "github.com/emersion/go-message/mail"
)

// Parse reads one RFC 5322 message from r. A zero lim means DefaultLimits.
func Parse(r io.Reader, lim Limits) (*Message, error) {
	if lim == (Limits{}) {
		lim = DefaultLimits
	}
	// Read at most one octet past the cap so an oversize message is told
	// apart from one exactly at the cap, without buffering the excess.
	raw, err := io.ReadAll(io.LimitReader(r, int64(lim.MaxMessageBytes)+1))
	if err != nil {
		return nil, fmt.Errorf("mail: read message: %w", err)
	}
	if len(raw) > lim.MaxMessageBytes {
		return nil, fmt.Errorf("mail: message exceeds %d octets", lim.MaxMessageBytes)
	}
	if n := headerLen(raw); n > lim.MaxHeaderBytes {
		return nil, fmt.Errorf("mail: header exceeds %d octets", lim.MaxHeaderBytes)
	}
	ent, err := message.Read(bytes.NewReader(raw))
	if ent == nil {
		return nil, fmt.Errorf("mail: read header: %w", err)
	}
	m := &Message{Size: len(raw)}
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		m.problem("header: %v", err)
	}
	parseHeader(m, gomail.Header{Header: ent.Header})
	p := partWalker{lim: lim, msg: m}
	if err := p.walk(ent, 0); err != nil {
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

// headerLen is the length of the header block: up to the first empty line.
func headerLen(raw []byte) int {
	if bytes.HasPrefix(raw, []byte("\n")) || bytes.HasPrefix(raw, []byte("\r\n")) {
		return 0
	}
	i := bytes.Index(raw, []byte("\n\n"))
	j := bytes.Index(raw, []byte("\n\r\n"))
	switch {
	case i < 0 && j < 0:
		return len(raw)
	case i < 0:
		return j
	case j < 0 || i < j:
		return i
	}
	return j
}

var wordDecoder = &mime.WordDecoder{CharsetReader: message.CharsetReader}

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

func parseHeader(m *Message, h gomail.Header) {
	m.Subject = m.decodeWords("subject", h.Get("Subject"))
	m.MessageID = trimID(h.Get("Message-Id"))
	m.InReplyTo = trimID(firstField(h.Get("In-Reply-To")))
	for _, f := range strings.Fields(h.Get("References")) {
		if id := trimID(f); id != "" {
			m.References = append(m.References, id)
		}
	}
	m.Date = parseDate(h.Get("Date"))
	if from := m.addressList("from", h.Get("From")); len(from) > 0 {
		m.From = from[0]
	}
	if s := m.addressList("sender", h.Get("Sender")); len(s) > 0 {
		m.Sender = s[0]
	}
	m.ReplyTo = m.addressList("reply-to", h.Get("Reply-To"))
	m.To = m.addressList("to", h.Get("To"))
	m.Cc = m.addressList("cc", h.Get("Cc"))
	m.Bcc = m.addressList("bcc", h.Get("Bcc"))
}

func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
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

// parseDate tries net/mail's parser first, then a list of shapes seen in real
// mail; the zero time means none matched.
func parseDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	var h gomail.Header
	h.Set("Date", s)
	if t, err := h.Date(); err == nil {
		return t
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// addressList parses an address header; when the strict parser rejects the
// whole list, each comma-separated piece is salvaged on its own.
func (m *Message) addressList(field, v string) []Address {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	var h gomail.Header
	h.Set("X", v)
	if l, err := h.AddressList("X"); err == nil {
		out := make([]Address, 0, len(l))
		for _, a := range l {
			out = append(out, Address{Name: a.Name, Addr: strings.ToLower(a.Address)})
		}
		return out
	}
	var out []Address
	for _, piece := range splitList(v) {
		if a, ok := salvageAddress(m.decodeWords(field, piece)); ok {
			out = append(out, a)
		} else if strings.TrimSpace(piece) != "" && !strings.HasSuffix(strings.TrimSpace(piece), ":;") {
			m.problem("%s: unreadable address %q", field, truncate(piece, 80))
		}
	}
	return out
}

// splitList splits on commas outside quotes and angle brackets.
func splitList(v string) []string {
	var out []string
	var quoted bool
	depth, start := 0, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '<':
			depth++
		case c == '>' && depth > 0:
			depth--
		case (c == ',' || c == ';') && depth == 0:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	return append(out, v[start:])
}

func salvageAddress(s string) (Address, bool) {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, ":"); i >= 0 && !strings.Contains(s[:i], "@") && !strings.Contains(s[:i], "<") {
		s = strings.TrimSpace(s[i+1:]) // group display name
	}
	var name, addr string
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		name = strings.Trim(strings.TrimSpace(s[:i]), `"`)
		addr = s[i+1:]
		if j := strings.IndexByte(addr, '>'); j >= 0 {
			addr = addr[:j]
		}
	} else {
		f := strings.Fields(s)
		for _, w := range f {
			if strings.Contains(w, "@") {
				addr = w
			}
		}
	}
	addr = strings.Trim(strings.TrimSpace(addr), `"'<>()`)
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 || strings.ContainsAny(addr, " \t") {
		return Address{}, false
	}
	return Address{Name: name, Addr: strings.ToLower(addr)}, true
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

type partWalker struct {
	lim   Limits
	msg   *Message
	parts int
	html  strings.Builder
}

func (p *partWalker) walk(e *message.Entity, depth int) error {
	if depth > p.lim.MaxDepth {
		return fmt.Errorf("mail: MIME nesting exceeds %d levels", p.lim.MaxDepth)
	}
	p.parts++
	if p.parts > p.lim.MaxParts {
		return fmt.Errorf("mail: more than %d MIME parts", p.lim.MaxParts)
	}
	if mr := e.MultipartReader(); mr != nil {
		for {
			child, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				if message.IsUnknownCharset(err) || message.IsUnknownEncoding(err) {
					p.msg.problem("part: %v", err)
					if child == nil {
						continue
					}
				} else {
					p.msg.problem("multipart: %v", err)
					break
				}
			}
			if err := p.walk(child, depth+1); err != nil {
				return err
			}
		}
		if depth == 0 && p.msg.Text == "" && p.html.Len() > 0 {
			p.msg.Text = htmlToText(p.html.String())
		}
		return nil
	}
	ctype, cparams, _ := e.Header.ContentType()
	if ctype == "" {
		ctype = "text/plain"
	}
	disp, dparams, _ := e.Header.ContentDisposition()
	name := dparams["filename"]
	if name == "" {
		name = cparams["name"]
	}
	name = p.msg.decodeWords("filename", name)
	isAttachment := disp == "attachment" || name != ""
	if !isAttachment && !strings.HasPrefix(ctype, "text/") {
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(e.Body, int64(p.lim.MaxMessageBytes)))
	if err != nil {
		p.msg.problem("part %s: %v", ctype, err)
	}
	text := func() string {
		if len(body) > p.lim.MaxTextBytes {
			p.msg.problem("text of %s truncated to %d octets", ctype, p.lim.MaxTextBytes)
			return strings.ToValidUTF8(string(body[:p.lim.MaxTextBytes]), "")
		}
		return strings.ToValidUTF8(string(body), "\uFFFD")
	}
	switch {
	case isAttachment:
		a := Attachment{Filename: name, ContentType: ctype, Size: len(body)}
		if strings.HasPrefix(ctype, "text/") {
			a.Text = text()
		}
		p.msg.Attachments = append(p.msg.Attachments, a)
	case ctype == "text/html":
		if p.html.Len() < p.lim.MaxTextBytes {
			p.html.WriteString(text())
		}
		if depth == 0 {
			p.msg.Text = htmlToText(p.html.String())
		}
	default:
		t := text()
		if p.msg.Text != "" {
			t = p.msg.Text + "\n" + t
		}
		if len(t) > p.lim.MaxTextBytes {
			t = strings.ToValidUTF8(t[:p.lim.MaxTextBytes], "")
			p.msg.problem("text truncated to %d octets", p.lim.MaxTextBytes)
		}
		p.msg.Text = t
	}
	return nil
}

// htmlToText strips tags and decodes the common entities; cheap, not a renderer.
func htmlToText(s string) string {
	var b strings.Builder
	inTag := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '<':
			inTag = true
		case c == '>' && inTag:
			inTag = false
			b.WriteByte(' ')
		case !inTag:
			b.WriteByte(c)
		}
	}
	r := strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'", "&nbsp;", " ")
	return strings.TrimSpace(r.Replace(b.String()))
}
