package notify

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"strings"
	"time"
)

// Mail is one notification ready for the queue.
type Mail struct {
	From string   // envelope and header sender
	To   []string // envelope and header recipients
	Raw  []byte
}

// compose builds a UTF-8 text/plain message. Subject and display text may
// be Japanese: the subject is an RFC 2047 encoded word, the body
// quoted-printable so that no line exceeds 76 octets.
func compose(from string, to []string, subject, body string, now time.Time) ([]byte, error) {
	for _, a := range append([]string{from}, to...) {
		if strings.ContainsAny(a, "\r\n<>,\"") || !strings.Contains(a, "@") {
			return nil, fmt.Errorf("notify: bad address %q", a)
		}
	}
	var id [12]byte
	rand.Read(id[:])
	var b bytes.Buffer
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("From", "misend <"+from+">")
	hdr("To", strings.Join(to, ", "))
	hdr("Subject", mime.BEncoding.Encode("UTF-8", oneLine(subject)))
	hdr("Date", now.Format(time.RFC1123Z))
	hdr("Message-ID", "<"+hex.EncodeToString(id[:])+"."+domainOf(from)+">")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", `text/plain; charset="UTF-8"`)
	hdr("Content-Transfer-Encoding", "quoted-printable")
	// RFC 3834: never auto-reply to this, and keep it out of vacation loops.
	hdr("Auto-Submitted", "auto-generated")
	hdr("X-Auto-Response-Suppress", "All")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n"))); err != nil {
		return nil, fmt.Errorf("notify: encode body: %w", err)
	}
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("notify: encode body: %w", err)
	}
	return b.Bytes(), nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return "misend.invalid"
}
