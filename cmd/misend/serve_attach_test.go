package main

import (
	"context"
	"encoding/base64"
	"net/smtp"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/misend/misend/internal/config"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/store/pgtest"
	"github.com/misend/misend/internal/terms"
)

// TestServeAttachments: through the SMTP gateway as misend serve wires it,
// a Word document whose page header carries a department's term is held
// when it goes to a partner, and the department's approver (not another
// department's) is asked, while the sender is told without the term; a
// password-protected ZIP gets the verdict the department's policy gives
// ENCRYPTED_ATTACHMENT.
func TestServeAttachments(t *testing.T) {
	ctx := context.Background()
	docx, err := os.ReadFile("../../internal/attach/testdata/header.docx")
	if err != nil {
		t.Fatal(err)
	}
	ppap, err := os.ReadFile("../../internal/attach/testdata/ppap.zip")
	if err != nil {
		t.Fatal(err)
	}
	const term = "プロジェクト桜" // only in header.docx's page header
	dbPath := pgtest.Path(t, t.TempDir(), "m.db")
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := terms.Open(ctx, db)
	if err == nil {
		err = ts.Add(ctx, terms.DepartmentScope("営業部"), term, 0.9, "yamada@corp.example")
	}
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse([]byte(`
[notify]
base_url = "http://misend.corp.example"

[policy.department."営業部"]
codes = { ENCRYPTED_ATTACHMENT = "reject" }
`))
	if err != nil {
		t.Fatal(err)
	}
	s := startServedWith(t, dbPath, []directory.Person{
		{Address: "sato@corp.example", Name: "佐藤", Department: "営業部", Roles: []directory.Role{directory.RoleSender}},
		{Address: "yamada@corp.example", Name: "山田", Department: "営業部", Roles: []directory.Role{directory.RoleApprover}},
		{Address: "ito@corp.example", Name: "伊藤", Department: "法務部", Roles: []directory.Role{directory.RoleApprover}},
	}, "", cfg)

	send := func(id, to, name, ctype string, file []byte) error {
		msg := "From: sato@corp.example\r\nTo: " + to + "\r\nSubject: =?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte("資料の件")) + "?=\r\n" +
			"Message-ID: <" + id + "@corp.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n" +
			"--XX\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n資料をお送りします。\r\n" +
			"--XX\r\nContent-Type: " + ctype + "; name=\"" + name + "\"\r\n" +
			"Content-Disposition: attachment; filename=\"" + name + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			wrap(base64.StdEncoding.EncodeToString(file)) + "--XX--\r\n"
		return smtp.SendMail(s.SMTP.String(), nil, "sato@corp.example", []string{to}, []byte(msg))
	}

	const docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	if err := send("doc", "tanaka@partner.example", "plan.docx", docxType, docx); err != nil {
		t.Fatal(err)
	}
	var held *queue.Item
	for _, it := range s.Queue.List(queue.Held) {
		if it.Outcome.MessageID == "doc@corp.example" {
			held = &it
		}
	}
	if held == nil {
		t.Fatal("the document with the department's term in its page header was not held")
	}
	var terms *finding.Finding
	for i, f := range held.Outcome.Findings {
		if f.Code == finding.ConfidentialTerms {
			terms = &held.Outcome.Findings[i]
		}
	}
	if terms == nil {
		t.Fatalf("held without CONFIDENTIAL_TERMS: %+v", held.Outcome.Findings)
	}
	if !strings.Contains(strings.Join(strings.Fields(finding.Localize(*terms, "en").Message), " "), "plan.docx") {
		t.Errorf("the finding does not name the attachment: %q", finding.Localize(*terms, "en").Message)
	}

	// The notices leave through the upstream: the request to the
	// department's approver, the sender's notice without the term.
	awaitAt(t, s, "yamada@corp.example", "からのメールが承認待ちです")
	if told := awaitAt(t, s, "sato@corp.example", "plan.docx"); strings.Contains(told, term) {
		t.Errorf("the sender's notice names the term:\n%s", told)
	}
	for _, m := range s.up.Messages() {
		if slices.Contains(m.To, "ito@corp.example") {
			t.Error("another department's approver was asked")
		}
	}

	// The encrypted ZIP: the department's policy rejects it at the door.
	err = send("zip", "tanaka@partner.example", "資料.zip", "application/zip", ppap)
	if err == nil || !strings.Contains(err.Error(), "550") {
		t.Fatalf("the password-protected ZIP: %v, want it refused with 550", err)
	}
	// Between colleagues the same archive passes: the finding is about mail
	// leaving the organisation.
	if err := send("zip-in", "yamada@corp.example", "資料.zip", "application/zip", ppap); err != nil {
		t.Fatalf("the password-protected ZIP to a colleague: %v", err)
	}
}
