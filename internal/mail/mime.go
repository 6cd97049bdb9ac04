package mail

import (
	"bytes"
	"mime"
	"strings"
)

// partWalker walks the MIME tree of one message. Bodies are slices of the
// raw message; decoding goes through one scratch buffer reused for every
// part, so only the text that is kept gets allocated.
type partWalker struct {
	lim     Limits
	msg     *Message
	parts   int
	kept    int // octets kept in Attachment.Data
	html    strings.Builder
	scratch []byte
	fields  []field
}

func (p *partWalker) walk(h *header, body []byte, depth int) error {
	if depth > p.lim.MaxDepth {
		return refuse(ErrTooDeep, "MIME nesting exceeds %d levels", p.lim.MaxDepth)
	}
	p.parts++
	if p.parts > p.lim.MaxParts {
		return refuse(ErrTooManyParts, "more than %d MIME parts", p.lim.MaxParts)
	}
	ctype, cparams := p.mediaType("content-type", h.get("Content-Type"))
	if ctype == "" {
		ctype = "text/plain"
	}
	if strings.HasPrefix(ctype, "multipart/") {
		if err := p.walkMultipart(body, cparams["boundary"], depth); err != nil {
			return err
		}
		if depth == 0 && p.msg.Text == "" && p.html.Len() > 0 {
			p.msg.Text = htmlToText(p.html.String())
		}
		return nil
	}
	disp, dparams := p.mediaType("content-disposition", h.get("Content-Disposition"))
	name := dparams["filename"]
	if name == "" {
		name = cparams["name"]
	}
	name = p.msg.decodeWords("filename", name)
	// A forwarded message is an attachment even when shown inline: what
	// it carries leaves with the mail.
	isAttachment := disp == "attachment" || name != "" || ctype == "message/rfc822"
	isText := strings.HasPrefix(ctype, "text/")
	if !isAttachment && !isText {
		return nil
	}
	dec := p.decode(body, h.get("Content-Transfer-Encoding"), ctype)
	text := func() string {
		label, ok := cparams["charset"]
		if !ok && bytes.Contains(dec, []byte("\x1b$")) {
			// Undeclared ISO-2022-JP is common in old Japanese mail;
			// its escapes give it away.
			label = "iso-2022-jp"
		}
		t, prob := toUTF8(dec, label)
		if prob != "" {
			p.msg.problem("%s part: %s", ctype, prob)
		}
		if len(t) > p.lim.MaxTextBytes {
			p.msg.problem("text of %s truncated to %d octets", ctype, p.lim.MaxTextBytes)
			t = strings.ToValidUTF8(t[:p.lim.MaxTextBytes], "")
		}
		return t
	}
	switch {
	case isAttachment:
		a := Attachment{Filename: name, ContentType: ctype, Size: len(dec)}
		if isText {
			a.Text = text()
		}
		if n := len(dec); n > 0 && p.kept+n <= p.lim.MaxAttachmentBytes {
			// dec lives in the scratch buffer or the caller's octets.
			a.Data = bytes.Clone(dec)
			p.kept += n
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
		if len(p.msg.Text) >= p.lim.MaxTextBytes {
			// Full already: a message of many text parts must not copy
			// the capped text once per part.
			return nil
		}
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

func (p *partWalker) walkMultipart(body []byte, boundary string, depth int) error {
	if boundary == "" {
		p.msg.problem("multipart without boundary, body skipped")
		return nil
	}
	it := multipartIter{body: body, delim: []byte("--" + boundary)}
	n := 0
	for {
		part, ok := it.next()
		if !ok {
			break
		}
		n++
		h, pbody, ok := readHeader(part, p.fields)
		p.fields = h.fields
		if !ok {
			// A part that starts with text instead of a header is read as
			// plain text, as mail clients show it.
			p.msg.problem("multipart: part %d has no header", n)
			h, pbody = header{}, part
		}
		if hl := len(part) - len(pbody); hl > p.lim.MaxHeaderBytes {
			return refuse(ErrHeaderTooLarge, "part header exceeds %d octets", p.lim.MaxHeaderBytes)
		}
		if h.bad > 0 {
			p.msg.problem("part %d header: %d malformed lines skipped", n, h.bad)
		}
		if err := p.walk(&h, pbody, depth+1); err != nil {
			return err
		}
	}
	switch {
	case n == 0:
		p.msg.problem("multipart: no part found for boundary %q", truncate(boundary, 70))
	case !it.closed:
		p.msg.problem("multipart: closing boundary missing")
	}
	return nil
}

// decode undoes the transfer encoding into the scratch buffer.
func (p *partWalker) decode(body []byte, cte, ctype string) []byte {
	out, prob := decodeTransfer(p.scratch, body, cte)
	if prob != "" {
		p.msg.problem("%s part: %s", ctype, prob)
	}
	if len(out) > 0 && (len(body) == 0 || &out[0] != &body[0]) {
		p.scratch = out[:0]
	}
	return out
}

// mediaType parses a Content-Type or Content-Disposition value. A value
// mime.ParseMediaType refuses still yields its lower-cased first word.
func (p *partWalker) mediaType(field, v string) (string, map[string]string) {
	if v == "" {
		return "", nil
	}
	t, params, err := mime.ParseMediaType(v)
	if err != nil {
		if err != mime.ErrInvalidMediaParameter {
			t, _, _ = strings.Cut(v, ";")
			t = strings.ToLower(strings.TrimSpace(t))
		}
		p.msg.problem("%s: %v", field, err)
	}
	return t, params
}

// multipartIter yields the bodies of a multipart entity (RFC 2046 section
// 5.1.1): what lies between delimiter lines, without the line break that
// belongs to the next delimiter. Preamble and epilogue are dropped.
type multipartIter struct {
	body   []byte
	delim  []byte
	pos    int
	start  int // start of the current part; -1 before the first delimiter
	begun  bool
	closed bool
	done   bool
}

func (it *multipartIter) next() ([]byte, bool) {
	for !it.done {
		k := bytes.Index(it.body[it.pos:], it.delim)
		if k < 0 {
			it.done = true
			if it.begun {
				return it.body[it.start:], true
			}
			return nil, false
		}
		at := it.pos + k
		after := at + len(it.delim)
		it.pos = after
		if at > 0 && it.body[at-1] != '\n' {
			continue
		}
		end := lineEnd(it.body, after)
		rest := it.body[after:end]
		closing := bytes.HasPrefix(rest, []byte("--"))
		if closing {
			rest = rest[2:]
		}
		if len(bytes.TrimRight(rest, " \t\r\n")) != 0 {
			continue // a longer boundary that merely starts with ours
		}
		it.pos = end
		var part []byte
		had := it.begun
		if had {
			e := at
			if e > it.start && it.body[e-1] == '\n' {
				e--
				if e > it.start && it.body[e-1] == '\r' {
					e--
				}
			}
			part = it.body[it.start:e]
		}
		it.begun, it.start = true, end
		if closing {
			it.closed, it.done = true, true
		}
		if had {
			return part, true
		}
	}
	return nil, false
}
