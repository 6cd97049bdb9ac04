package api

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	netmail "net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Draft is a message not sent yet, as an add-in sees it before Send.
type Draft struct {
	MessageID   string   `json:"message_id,omitempty"`
	From        string   `json:"from,omitempty"`
	To          []string `json:"to,omitempty"`
	Cc          []string `json:"cc,omitempty"`
	Bcc         []string `json:"bcc,omitempty"`
	Subject     string   `json:"subject,omitempty"`
	Body        string   `json:"body,omitempty"`
	Attachments []string `json:"attachments,omitempty"` // file names
	InReplyTo   string   `json:"in_reply_to,omitempty"`
	References  []string `json:"references,omitempty"`
}

// Limits on a draft, in the spirit of the gateway's: Postfix's 1,000
// recipients, attachment names a person could have chosen.
const (
	maxRecipients  = 1000
	maxAttachments = 100
	maxAddrLen     = 320
	maxSubjectLen  = 2000
	maxNameLen     = 255
	maxIDLen       = 250
	maxReferences  = 100
)

// compose writes the draft as an RFC 5322 message, so it is read by the
// same parser as mail arriving at the gateway and decided alike. Every
// header value is checked or encoded here: nothing from the draft can
// start a header of its own.
func compose(d Draft, from string, now time.Time) ([]byte, string, error) {
	var b bytes.Buffer
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	fa, err := address("from", from)
	if err != nil {
		return nil, "", err
	}
	hdr("From", fa)
	n := 0
	for _, f := range []struct {
		name string
		list []string
	}{{"To", d.To}, {"Cc", d.Cc}, {"Bcc", d.Bcc}} {
		if len(f.list) == 0 {
			continue
		}
		n += len(f.list)
		if n > maxRecipients {
			return nil, "", errBadRequest(fmt.Sprintf("more than %d recipients", maxRecipients))
		}
		out := make([]string, 0, len(f.list))
		for i, a := range f.list {
			s, err := address(fmt.Sprintf("%s[%d]", strings.ToLower(f.name), i), a)
			if err != nil {
				return nil, "", err
			}
			out = append(out, s)
		}
		hdr(f.name, strings.Join(out, ",\r\n "))
	}
	if n == 0 {
		return nil, "", errBadRequest("the draft has no recipients")
	}
	if len(d.Subject) > maxSubjectLen || !utf8.ValidString(d.Subject) {
		return nil, "", errBadRequest(fmt.Sprintf("subject must be UTF-8 and at most %d bytes", maxSubjectLen))
	}
	if d.Subject != "" {
		subj := strings.Map(func(r rune) rune {
			if r == '\r' || r == '\n' {
				return ' '
			}
			return r
		}, d.Subject)
		hdr("Subject", mime.BEncoding.Encode("utf-8", subj))
	}
	hdr("Date", now.Format(time.RFC1123Z))
	id := d.MessageID
	if id == "" {
		id = randomHex(12) + "@api.misend.invalid"
	}
	if err := msgID("message_id", id); err != nil {
		return nil, "", err
	}
	hdr("Message-ID", "<"+strings.Trim(id, "<>")+">")
	if d.InReplyTo != "" {
		if err := msgID("in_reply_to", d.InReplyTo); err != nil {
			return nil, "", err
		}
		hdr("In-Reply-To", "<"+strings.Trim(d.InReplyTo, "<>")+">")
	}
	if len(d.References) > maxReferences {
		return nil, "", errBadRequest(fmt.Sprintf("more than %d references", maxReferences))
	}
	if len(d.References) > 0 {
		refs := make([]string, len(d.References))
		for i, r := range d.References {
			if err := msgID(fmt.Sprintf("references[%d]", i), r); err != nil {
				return nil, "", err
			}
			refs[i] = "<" + strings.Trim(r, "<>") + ">"
		}
		hdr("References", strings.Join(refs, "\r\n "))
	}
	if !utf8.ValidString(d.Body) {
		return nil, "", errBadRequest("body must be UTF-8")
	}
	if len(d.Attachments) > maxAttachments {
		return nil, "", errBadRequest(fmt.Sprintf("more than %d attachments", maxAttachments))
	}
	hdr("MIME-Version", "1.0")
	text := "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64Lines(d.Body)
	if len(d.Attachments) == 0 {
		b.WriteString(text)
		return b.Bytes(), strings.Trim(id, "<>"), nil
	}
	boundary := "misend-" + randomHex(16)
	hdr("Content-Type", mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": boundary}))
	b.WriteString("\r\n--" + boundary + "\r\n" + text)
	for i, name := range d.Attachments {
		if name == "" || len(name) > maxNameLen || !utf8.ValidString(name) || strings.ContainsAny(name, "\r\n\x00") {
			return nil, "", errBadRequest(fmt.Sprintf("attachments[%d]: a file name of 1 to %d bytes of UTF-8 without line breaks", i, maxNameLen))
		}
		disp := mime.FormatMediaType("attachment", map[string]string{"filename": name})
		if disp == "" {
			return nil, "", errBadRequest(fmt.Sprintf("attachments[%d]: unusable file name", i))
		}
		b.WriteString("\r\n--" + boundary + "\r\nContent-Type: application/octet-stream\r\nContent-Disposition: " + disp + "\r\n\r\n")
	}
	b.WriteString("\r\n--" + boundary + "--\r\n")
	return b.Bytes(), strings.Trim(id, "<>"), nil
}

// address checks one address ("a@b" or "Name <a@b>") and formats it for a
// header, encoding a non-ASCII name.
func address(field, s string) (string, error) {
	if len(s) > maxAddrLen || strings.ContainsAny(s, "\r\n\x00") {
		return "", errBadRequest(fmt.Sprintf("%s: not an address", field))
	}
	a, err := netmail.ParseAddress(s)
	if err != nil || !strings.Contains(a.Address, "@") {
		return "", errBadRequest(fmt.Sprintf("%s: not an address", field))
	}
	return a.String(), nil
}

// addrSpec returns the lower-cased address part of s.
func addrSpec(field, s string) (string, error) {
	if _, err := address(field, s); err != nil {
		return "", err
	}
	a, _ := netmail.ParseAddress(s)
	return strings.ToLower(a.Address), nil
}

func msgID(field, s string) error {
	s = strings.Trim(s, "<>")
	if s == "" || len(s) > maxIDLen {
		return errBadRequest(fmt.Sprintf("%s: 1 to %d characters", field, maxIDLen))
	}
	for _, r := range s {
		if r <= ' ' || r >= 0x7f || r == '<' || r == '>' {
			return errBadRequest(fmt.Sprintf("%s: printable ASCII without spaces or angle brackets", field))
		}
	}
	return nil
}

func base64Lines(s string) string {
	enc := base64.StdEncoding.EncodeToString([]byte(s))
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
