package synth

import (
	"bytes"
	"encoding/base64"
	"mime"
	"mime/quotedprintable"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/encoding/japanese"
)

// Folder is where a copy of a message sits in its owner's mailbox.
type Folder string

const (
	Sent  Folder = "sent"
	Inbox Folder = "inbox"
)

// Copy is one mailbox holding a message: the sender's sent folder, each
// insider recipient's inbox. User is the local part of the address.
type Copy struct {
	User   string
	Folder Folder
}

// Mail is one generated message.
type Mail struct {
	Date      time.Time
	MessageID string
	From      string
	// Raw is the message as delivered (RFC 5322, CRLF line ends). The
	// callback of Messages must not keep it: copy it if needed.
	Raw []byte
	// Bcc lists the blind copies; only the sender's sent copy shows them,
	// as mail clients save it.
	Bcc    []string
	Copies []Copy
}

// Bytes is the message as it sits in folder f.
func (m *Mail) Bytes(f Folder) []byte {
	if f != Sent || len(m.Bcc) == 0 {
		return m.Raw
	}
	h := "Bcc: " + strings.Join(m.Bcc, ",\r\n ") + "\r\n"
	return append([]byte(h), m.Raw...)
}

// Messages generates the history in date order and calls fn for each
// message. It stops at fn's first error and returns it.
func (o *Org) Messages(fn func(m *Mail) error) error {
	g := o.newGen(true)
	var buf bytes.Buffer
	var m Mail
	return g.run(func(e *event) error {
		buf.Reset()
		g.write(&buf, e)
		m = Mail{Date: e.at, MessageID: e.msgID, From: g.addr(e.from), Raw: buf.Bytes(), Copies: g.copies(e, m.Copies[:0])}
		m.Bcc = m.Bcc[:0]
		for _, b := range e.bcc {
			m.Bcc = append(m.Bcc, g.addr(b))
		}
		return fn(&m)
	})
}

func (g *gen) addr(p party) string {
	o := g.org
	switch p.kind {
	case pPerson:
		return o.People[p.id].Address
	case pContact:
		return o.Contacts[p.id].Address
	case pDeptList:
		return o.Departments[p.id].List
	case pGroupList:
		return o.Groups[p.id].List
	}
	return o.AllList
}

func (g *gen) listName(p party) string {
	o := g.org
	switch p.kind {
	case pDeptList:
		return o.Departments[p.id].Name
	case pGroupList:
		return o.Groups[p.id].Name
	case pAllList:
		return "全社員"
	}
	return ""
}

// copies lists the mailboxes holding e: the sender's sent folder and every
// insider's inbox, lists expanded to their members.
func (g *gen) copies(e *event, out []Copy) []Copy {
	o := g.org
	var ids []int
	add := func(p party) {
		switch p.kind {
		case pPerson:
			ids = append(ids, p.id)
		case pDeptList:
			ids = append(ids, o.Departments[p.id].Members...)
		case pGroupList:
			ids = append(ids, o.Groups[p.id].Members...)
		case pAllList:
			for i := range o.People {
				ids = append(ids, i)
			}
		}
	}
	for _, l := range [][]party{e.to, e.cc, e.bcc} {
		for _, p := range l {
			add(p)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if e.from.kind == pPerson {
		out = append(out, Copy{localPart(o.People[e.from.id].Address), Sent})
	}
	for _, id := range ids {
		if e.from.kind == pPerson && id == e.from.id {
			continue
		}
		out = append(out, Copy{localPart(o.People[id].Address), Inbox})
	}
	return out
}

func localPart(a string) string {
	if i := strings.LastIndexByte(a, '@'); i >= 0 {
		return a[:i]
	}
	return a
}

type encoding uint8

const (
	encB64 encoding = iota
	encQP
	encISO2022JP
	enc7bit
)

func (g *gen) pickEncoding(e *event) encoding {
	x := g.text.IntN(100)
	if e.lang == langEN {
		if x < 80 {
			return enc7bit
		}
		return encQP
	}
	switch {
	case x < 55:
		return encB64
	case x < 80:
		return encQP
	}
	return encISO2022JP
}

// write renders e as RFC 5322 with MIME.
func (g *gen) write(b *bytes.Buffer, e *event) {
	enc := g.pickEncoding(e)
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("Date", e.at.Format(time.RFC1123Z))
	hdr("From", g.mailbox(e.from, enc))
	if len(e.to) > 0 {
		hdr("To", g.mailboxes(e.to, enc))
	}
	if len(e.cc) > 0 {
		hdr("Cc", g.mailboxes(e.cc, enc))
	}
	hdr("Subject", encodeWord(e.subject, enc))
	hdr("Message-ID", e.msgID)
	if e.parent != nil {
		hdr("In-Reply-To", e.parent.msgID)
		hdr("References", strings.Join(e.refs, "\r\n "))
	}
	hdr("MIME-Version", "1.0")
	if e.from.kind == pPerson {
		hdr("X-Mailer", pick(g.text, []string{"Microsoft Outlook 16.0", "Thunderbird 115.6.0", "Becky! ver. 2.81"}))
	}
	boundary := ""
	if e.attach != "" {
		boundary = "----=_Part_" + strings.TrimPrefix(strings.SplitN(e.msgID, "@", 2)[0], "<")
		hdr("Content-Type", `multipart/mixed; boundary="`+boundary+`"`)
		b.WriteString("\r\nThis is a multi-part message in MIME format.\r\n\r\n--" + boundary + "\r\n")
	}
	writeText(b, e.text, enc)
	if boundary != "" {
		b.WriteString("\r\n--" + boundary + "\r\n")
		ct := "application/octet-stream"
		switch {
		case strings.HasSuffix(e.attach, ".pdf"):
			ct = "application/pdf"
		case strings.HasSuffix(e.attach, ".xlsx"):
			ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		case strings.HasSuffix(e.attach, ".docx"):
			ct = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		}
		b.WriteString("Content-Type: " + mime.FormatMediaType(ct, map[string]string{"name": e.attach}) + "\r\n")
		b.WriteString("Content-Disposition: " + mime.FormatMediaType("attachment", map[string]string{"filename": e.attach}) + "\r\n")
		b.WriteString("Content-Transfer-Encoding: base64\r\n\r\n")
		writeBase64(b, g.fakeFile(e))
		b.WriteString("\r\n--" + boundary + "--\r\n")
	}
}

// fakeFile is a small stand-in for a document: a PDF header and filler.
func (g *gen) fakeFile(e *event) []byte {
	n := 300 + g.text.IntN(900)
	f := make([]byte, n)
	copy(f, "%PDF-1.4\n% synthetic "+e.attach+"\n")
	for i := 40; i < n; i++ {
		f[i] = byte(g.text.Uint32())
	}
	return f
}

func writeText(b *bytes.Buffer, text string, enc encoding) {
	text = strings.ReplaceAll(text, "\n", "\r\n")
	switch enc {
	case encISO2022JP:
		out, err := japanese.ISO2022JP.NewEncoder().String(text)
		if err != nil {
			// A character outside JIS X 0208: send UTF-8 as clients do.
			writeText(b, strings.ReplaceAll(text, "\r\n", "\n"), encB64)
			return
		}
		b.WriteString("Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n")
		b.WriteString(out)
	case encQP:
		b.WriteString("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
		w := quotedprintable.NewWriter(b)
		w.Write([]byte(text))
		w.Close()
	case enc7bit:
		if isASCII(text) {
			b.WriteString("Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n")
			b.WriteString(text)
			break
		}
		writeText(b, strings.ReplaceAll(text, "\r\n", "\n"), encQP)
		return
	default:
		b.WriteString("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
		writeBase64(b, []byte(text))
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
}

func writeBase64(b *bytes.Buffer, data []byte) {
	s := base64.StdEncoding.EncodeToString(data)
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	b.WriteString(s + "\r\n")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// encodeWord encodes a header phrase as RFC 2047 when it is not ASCII, in
// the message's charset.
func encodeWord(s string, enc encoding) string {
	if isASCII(s) {
		return s
	}
	if enc == encISO2022JP {
		if out, err := japanese.ISO2022JP.NewEncoder().String(s); err == nil {
			return "=?ISO-2022-JP?B?" + base64.StdEncoding.EncodeToString([]byte(out)) + "?="
		}
	}
	return mime.BEncoding.Encode("UTF-8", s)
}

func (g *gen) mailbox(p party, enc encoding) string {
	name := g.displayName(p)
	a := g.addr(p)
	if name == "" {
		return a
	}
	if isASCII(name) {
		if strings.ContainsAny(name, `()<>[]:;@\,."`) {
			return `"` + strings.ReplaceAll(name, `"`, `\"`) + `" <` + a + ">"
		}
		return name + " <" + a + ">"
	}
	return encodeWord(name, enc) + " <" + a + ">"
}

func (g *gen) mailboxes(ps []party, enc encoding) string {
	var s []string
	for _, p := range ps {
		s = append(s, g.mailbox(p, enc))
	}
	return strings.Join(s, ",\r\n ")
}
