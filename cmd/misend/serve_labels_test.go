package main

import (
	"encoding/base64"
	"net/smtp"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/store/pgtest"
)

// TestServeHoldsLabelledAttachment: through the SMTP gateway, a Word
// document carrying the Purview label 社外秘 in its custom properties is
// held when it is sent to a partner, by the configured mapping of that
// label's GUID, and passes between colleagues.
func TestServeHoldsLabelledAttachment(t *testing.T) {
	docx, err := os.ReadFile("../../internal/attach/testdata/quote-labelled.docx")
	if err != nil {
		t.Fatal(err)
	}
	// The label's GUID is mapped, as a tenant whose label names change
	// would map it; its level keeps mail inside the organisation, and the
	// department holds it for an approver.
	cfg, err := config.Parse([]byte(`
[policy.classification]
labels = { "2096f6a2-d2f7-48be-b329-b73aaa526e5d" = "社外秘" }
scopes = { "社外秘" = "organization" }

[policy.default]
levels = { "社外秘" = "hold" }
`))
	if err != nil {
		t.Fatal(err)
	}
	s := startServedWith(t, pgtest.Path(t, t.TempDir(), "m.db"), []directory.Person{
		{Address: "sato@corp.example", Name: "佐藤", Department: "営業部", Roles: []directory.Role{directory.RoleSender}},
		{Address: "ito@corp.example", Name: "伊藤", Department: "法務部", Roles: []directory.Role{directory.RoleApprover}},
	}, "", cfg)

	send := func(id, to string) {
		t.Helper()
		msg := "From: sato@corp.example\r\nTo: " + to + "\r\nSubject: =?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte("お見積りの件")) + "?=\r\n" +
			"Message-ID: <" + id + "@corp.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n" +
			"--XX\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nお見積りをお送りします。\r\n" +
			"--XX\r\nContent-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document; name=\"quote.docx\"\r\n" +
			"Content-Disposition: attachment; filename=\"quote.docx\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			wrap(base64.StdEncoding.EncodeToString(docx)) + "--XX--\r\n"
		if err := smtp.SendMail(s.SMTP.String(), nil, "sato@corp.example", []string{to}, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	find := func(id string) (queue.State, []finding.Finding) {
		for _, st := range []queue.State{queue.Queued, queue.Delivering, queue.Delivered, queue.Held, queue.Confirming, queue.Delayed} {
			for _, it := range s.Queue.List(st) {
				if it.Outcome.MessageID == id+"@corp.example" {
					return st, it.Outcome.Findings
				}
			}
		}
		return "", nil
	}

	send("partner", "tanaka@partner.example")
	st, fs := find("partner")
	if st != queue.Held {
		t.Fatalf("sent to a partner: %q, want held (%+v)", st, fs)
	}
	var label *finding.Finding
	for i := range fs {
		if fs[i].Code == finding.ClassificationLabel {
			label = &fs[i]
		}
	}
	if label == nil || label.Args["label"] != "社外秘" || label.Args["file"] != "quote.docx" || label.Recipient != "tanaka@partner.example" {
		t.Fatalf("findings %+v, want CLASSIFICATION_LABEL naming 社外秘 on quote.docx", fs)
	}
	if ja := finding.Localize(*label, "ja").Message; !strings.Contains(ja, "「社外秘」") || !strings.Contains(ja, "社内以外の宛先") {
		t.Errorf("in Japanese: %q", ja)
	}

	send("colleague", "ito@corp.example")
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, fs := find("colleague")
		if st == queue.Delivered || len(s.up.Messages()) > 0 {
			break
		}
		if st == queue.Held || st == queue.Confirming || time.Now().After(deadline) {
			t.Fatalf("sent to a colleague: %q (%+v)", st, fs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wrap breaks base64 into the 76-octet lines of RFC 2045.
func wrap(b64 string) string {
	var out strings.Builder
	for len(b64) > 76 {
		out.WriteString(b64[:76] + "\r\n")
		b64 = b64[76:]
	}
	out.WriteString(b64 + "\r\n")
	return out.String()
}
