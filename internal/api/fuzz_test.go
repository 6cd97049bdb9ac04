package api

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/mail"
)

// FuzzCompose feeds arbitrary JSON drafts through decoding, composition and
// the mail parser: no panic, and an accepted draft comes back from the
// parser with the recipients it was given and no header smuggled in.
func FuzzCompose(f *testing.F) {
	for _, s := range []string{
		`{"to":["a@b.example"],"subject":"x","body":"y"}`,
		`{"to":["田中 <tanaka@partner-a.example>"],"cc":["c@d.example"],"bcc":["e@f.example"],"subject":"見積","body":"本文","attachments":["見積書.pdf"]}`,
		`{"to":["a@b.example"],"subject":"x\r\nBcc: evil@x.example","attachments":["a\"; filename=evil.exe"]}`,
		`{"to":["\"x\r\nBcc: y@z\" <a@b.example>"]}`,
		`{"to":["a@b.example"],"message_id":"<id@x>","in_reply_to":"p@x","references":["r1@x","r2@x"]}`,
		`{"to":["=?utf-8?q?=0D=0ABcc:_e@x?= <a@b.example>"]}`,
	} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		var d Draft
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if dec.Decode(&d) != nil {
			return
		}
		raw, _, err := compose(d, "sato@corp.example", now)
		if err != nil {
			if asError(err).Status != 400 {
				t.Fatalf("compose error is not a bad request: %v", err)
			}
			return
		}
		msg, err := mail.Parse(bytes.NewReader(raw), mail.Limits{})
		if err != nil {
			t.Fatalf("composed draft does not parse: %v\n%s", err, raw)
		}
		if n := len(msg.To) + len(msg.Cc) + len(msg.Bcc); n != len(d.To)+len(d.Cc)+len(d.Bcc) {
			t.Fatalf("%d recipients in, %d parsed:\n%s", len(d.To)+len(d.Cc)+len(d.Bcc), n, raw)
		}
		if msg.From.Addr != "sato@corp.example" {
			t.Fatalf("From became %q", msg.From.Addr)
		}
		head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
		for _, line := range strings.Split(head, "\r\n") {
			if line == "" || line[0] == ' ' {
				continue
			}
			name, _, _ := strings.Cut(line, ":")
			switch name {
			case "From", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding":
			default:
				t.Fatalf("header %q smuggled in:\n%s", name, head)
			}
		}
	})
}
