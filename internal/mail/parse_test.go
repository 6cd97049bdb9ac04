package mail

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"
)

func TestParse(t *testing.T) {
	jis, err := japanese.ISO2022JP.NewEncoder().String("田中です。よろしく")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, raw   string
		from, to0   string
		ntos        int
		text, attch string
	}{
		{"plain", "From: A <A@Corp.Example>\r\nTo: b@x.example, c@y.example\r\nSubject: hi\r\nMessage-ID: <id1@x>\r\n\r\nhello\r\n",
			"a@corp.example", "b@x.example", 2, "hello", ""},
		{"enron double dot salvaged", "From: a@enron.com\nTo: k..allen@enron.com, bob@enron.com,\n\nbody\n",
			"a@enron.com", "k..allen@enron.com", 2, "body", ""},
		{"iso-2022-jp", "From: =?UTF-8?B?55Sw5Lit?= <t@x.jp>\nTo: u@y.jp\nContent-Type: text/plain; charset=ISO-2022-JP\n\n" + jis + "\n",
			"t@x.jp", "u@y.jp", 1, "田中です。よろしく", ""},
		{"attachment", "From: a@b.c\nTo: d@e.f\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/plain\n\nbody\n--XX\nContent-Type: application/pdf\nContent-Disposition: attachment; filename*=UTF-8''%E8%A6%8B%E7%A9%8D.pdf\nContent-Transfer-Encoding: base64\n\nAAAA\n--XX--\n",
			"a@b.c", "d@e.f", 1, "body", "見積.pdf"},
		{"html only", "From: a@b.c\nTo: d@e.f\nContent-Type: text/html\n\n<p>Hi &amp; bye</p>\n",
			"a@b.c", "d@e.f", 1, "Hi & bye", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(strings.NewReader(tt.raw), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if m.From.Addr != tt.from || len(m.To) != tt.ntos || m.To[0].Addr != tt.to0 {
				t.Errorf("from %q to %v", m.From.Addr, m.To)
			}
			if !strings.Contains(m.Text, tt.text) {
				t.Errorf("text %q, want %q", m.Text, tt.text)
			}
			if tt.attch != "" && (len(m.Attachments) != 1 || m.Attachments[0].Filename != tt.attch) {
				t.Errorf("attachments %+v", m.Attachments)
			}
			if m.Size != len(tt.raw) {
				t.Errorf("size %d", m.Size)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	big := "From: a@b.c\nX: " + strings.Repeat("x", 200<<10) + "\n\nbody\n"
	if _, err := Parse(strings.NewReader(big), Limits{}); err == nil || !strings.Contains(err.Error(), "header exceeds") {
		t.Errorf("err %v", err)
	}
}
