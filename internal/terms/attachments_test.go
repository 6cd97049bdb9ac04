package terms

import (
	"context"
	"encoding/base64"
	"os"
	"strings"
	"testing"

	"github.com/misend/misend/internal/attach"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
)

// withAttachment is a message from miura (部署A) to an outside partner
// whose body says nothing, carrying file as name, read as the decision
// path reads it (mail, then attach.Fill).
func withAttachment(t *testing.T, name, ctype string, file []byte) *mail.Message {
	t.Helper()
	raw := "From: miura@corp.example\r\nTo: tanaka@partner.example\r\nSubject: =?UTF-8?B?" +
		base64.StdEncoding.EncodeToString([]byte("資料の送付")) + "?=\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"資料をお送りします。\r\n--XX\r\nContent-Type: " + ctype + "\r\nContent-Transfer-Encoding: base64\r\n" +
		"Content-Disposition: attachment; filename*=UTF-8''" + pctEncode(name) + "\r\n\r\n" +
		base64.StdEncoding.EncodeToString(file) + "\r\n--XX--\r\n"
	msg := parseRaw(t, raw)
	msg.Attachments = attach.Fill(context.Background(), msg.Attachments, attach.Limits{})
	return msg
}

func pctEncode(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_') {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
		}
	}
	return b.String()
}

func TestTermsInAttachments(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile("../attach/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	fwd := "From: a@corp.example\r\nSubject: fw\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" +
		"Content-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: application/pdf; name=q.pdf\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString(read("quote.pdf")) + "\r\n--b--\r\n"
	list := []Term{{Scope: DepartmentScope("部署A"), Text: "プロジェクト桜", Weight: 0.9}}
	c := NewCheckerFrom(testDirectory(), list, nil, nil)
	tests := []struct {
		file, ctype string
		data        []byte
		want        string // the attachments named
	}{
		{"株式会社青葉食品様_お見積書.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", read("quote.docx"), "株式会社青葉食品様_お見積書.docx"},
		{"見積.pdf", "application/pdf", read("quote.pdf"), "見積.pdf"},
		{"一覧.xlsx", "application/octet-stream", read("list.xlsx"), "一覧.xlsx"},
		{"提案.pptx", "application/octet-stream", read("deck.pptx"), "提案.pptx"},
		{"提案.odp", "application/octet-stream", read("deck.odp"), "提案.odp"},
		{"見積.rtf", "application/rtf", read("quote.rtf"), "見積.rtf"},
		{"資料.zip", "application/zip", read("plain.zip"), "資料.zip"},
		{"memo.txt", "text/plain", read("sjis.txt"), "memo.txt"},
		{"fw.eml", "message/rfc822", []byte(fwd), "fw.eml"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			msg := withAttachment(t, tt.file, tt.ctype, tt.data)
			var got *finding.Finding
			for _, f := range c.CheckContent(msg) {
				if f.Code == finding.ConfidentialTerms {
					got = &f
				}
			}
			if got == nil {
				t.Fatalf("no CONFIDENTIAL_TERMS; attachments %+v", msg.Attachments)
			}
			if got.Key != "confidential_terms.attachment" || got.Args["file"] != tt.want || got.Args["attachments"] != tt.want {
				t.Errorf("key %q args %v", got.Key, got.Args)
			}
			if len(got.Terms) != 1 || got.Terms[0] != "プロジェクト桜" {
				t.Errorf("operator view terms %v", got.Terms)
			}
			// What the sender sees names the file and the scope, never the term.
			sv := finding.SenderView([]finding.Finding{*got})[0]
			ja := finding.Localize(sv, "ja")
			for _, s := range []string{sv.Message, sv.Suggestion, ja.Message, ja.Suggestion, strings.Join(mapValues(sv.Args), " ")} {
				if strings.Contains(s, "桜") || strings.Contains(s, "Sakura") {
					t.Errorf("sender sees the term: %q", s)
				}
			}
			if sv.Terms != nil || !strings.Contains(ja.Message, "添付ファイル "+tt.want) {
				t.Errorf("sender view %+v / %q", sv, ja.Message)
			}
		})
	}
}

func mapValues(m finding.Args) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func TestPersonalDataInAttachment(t *testing.T) {
	b, err := os.ReadFile("../attach/testdata/quote.docx")
	if err != nil {
		t.Fatal(err)
	}
	msg := withAttachment(t, "見積.docx", "application/octet-stream", b)
	c := NewCheckerFrom(testDirectory(), nil, nil, nil)
	fs := c.CheckContent(msg)
	if len(fs) != 1 || fs[0].Code != finding.PersonalData || fs[0].Key != "personal_data.attachment" || fs[0].Args["file"] != "見積.docx" {
		t.Fatalf("findings %+v", fs)
	}
	if fs[0].Severity != finding.High {
		t.Errorf("severity %s: a My Number and a card number", fs[0].Severity)
	}
}

// A term in the body keeps the sentence it always had; the attachment that
// also holds it is named for operators.
func TestTermsInBodyAndAttachment(t *testing.T) {
	b, err := os.ReadFile("../attach/testdata/quote.docx")
	if err != nil {
		t.Fatal(err)
	}
	msg := withAttachment(t, "見積.docx", "application/octet-stream", b)
	msg.Text += "\nプロジェクト桜の件です。"
	c := NewCheckerFrom(testDirectory(), []Term{{Scope: DepartmentScope("部署A"), Text: "プロジェクト桜", Weight: 0.9}}, nil, nil)
	for _, f := range c.CheckContent(msg) {
		if f.Code == finding.ConfidentialTerms && (f.Key != "confidential_terms" || f.Args["attachments"] != "見積.docx") {
			t.Errorf("key %q args %v", f.Key, f.Args)
		}
	}
}
