package model

import (
	"bytes"
	"testing"
	"time"

	"github.com/misend/misend/internal/mail"
)

func TestAttachmentKindsSent(t *testing.T) {
	cfg := Config{OrgDomains: []string{"corp.example"}}
	m := New(cfg)
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	send := func(id, to string, files ...string) {
		msg := &mail.Message{MessageID: id, Date: at, From: mail.Address{Addr: "sato@corp.example"}, To: []mail.Address{{Addr: to}}}
		for _, f := range files {
			msg.Attachments = append(msg.Attachments, mail.Attachment{Filename: f, ContentType: "application/octet-stream"})
		}
		m.Learn(msg)
	}
	send("1@x", "tanaka@partner.example", "見積.pdf", "明細.xlsx")
	send("2@x", "tanaka@partner.example", "photo.JPG")
	send("3@x", "ito@corp.example", "人事.docx") // inside: not recorded
	send("4@x", "suzuki@other.example")

	check := func(m *Model) {
		t.Helper()
		tests := []struct {
			domain string
			want   uint16
		}{
			{"partner.example", AttachPDF | AttachSpreadsheet | AttachImage},
			{"corp.example", 0},
			{"other.example", 0},
			{"unknown.example", 0},
		}
		for _, tt := range tests {
			if got := m.AttachmentKindsSent("sato@corp.example", tt.domain); got != tt.want {
				t.Errorf("AttachmentKindsSent(%s) = %b, want %b", tt.domain, got, tt.want)
			}
		}
		if got := m.AttachmentKindsSent("ito@corp.example", "partner.example"); got != 0 {
			t.Errorf("someone else's record: %b", got)
		}
	}
	check(m)
	var buf bytes.Buffer
	if err := m.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := Decode(&buf, cfg)
	if err != nil {
		t.Fatal(err)
	}
	check(back)
}

func TestAttachmentKinds(t *testing.T) {
	tests := []struct {
		name, file, ctype string
		want              uint16
	}{
		{"by extension", "提案.PPTX", "application/octet-stream", AttachPresentation},
		{"by type", "", "message/rfc822", AttachMessage},
		{"a signature is none", "smime.p7s", "application/pkcs7-signature", 0},
		{"unknown", "a.bin", "application/octet-stream", AttachOther},
	}
	for _, tt := range tests {
		if got := AttachmentKinds([]mail.Attachment{{Filename: tt.file, ContentType: tt.ctype}}); got != tt.want {
			t.Errorf("%s: %b, want %b", tt.name, got, tt.want)
		}
	}
}
