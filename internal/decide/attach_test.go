package decide

import (
	"context"
	"encoding/base64"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/terms"
)

// rawWith is a message from taro to to carrying one attachment.
func rawWith(to, name, ctype string, data []byte) []byte {
	return []byte("From: taro@corp.example\r\nTo: " + to + "\r\nSubject: files\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nAttached.\r\n" +
		"--XX\r\nContent-Type: " + ctype + "; name=\"" + name + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(data) + "\r\n--XX--\r\n")
}

func TestAttachmentFindings(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile("../attach/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	pol, err := policy.New(policy.Config{
		Default: policy.DefaultConfig().Default,
		Departments: map[string]policy.Rules{
			// A department that stopped PPAP holds it.
			"経理部": {Codes: map[finding.Code]policy.Verdict{finding.EncryptedAttachment: policy.Hold}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var seen *mail.Message
	det := DetectorFunc(func(m *mail.Message, now time.Time) (float64, []finding.Finding) {
		seen = m
		return 0, nil
	})
	tests := []struct {
		name, dept, to, file, ctype string
		data                        []byte
		code                        finding.Code
		file2                       string // the file the finding names
		verdict                     policy.Verdict
	}{
		{"PPAP zip warns by default", "営業部", "a@partner.example", "資料.zip", "application/zip", read("ppap.zip"), finding.EncryptedAttachment, "資料.zip/quote.docx", policy.Warn},
		{"PPAP zip held where the department says", "経理部", "a@partner.example", "資料.zip", "application/zip", read("ppap.zip"), finding.EncryptedAttachment, "資料.zip/quote.docx", policy.Hold},
		{"encrypted PDF", "営業部", "a@partner.example", "見積.pdf", "application/pdf", read("quote-encrypted.pdf"), finding.EncryptedAttachment, "見積.pdf", policy.Warn},
		{"damaged file warns", "営業部", "a@partner.example", "見積.docx", "application/octet-stream", []byte("PK\x03\x04 cut short"), finding.AttachmentUnreadable, "見積.docx", policy.Warn},
		{"inside the organisation nothing is said", "営業部", "b@corp.example", "資料.zip", "application/zip", read("ppap.zip"), "", "", policy.Pass},
		{"a readable document says nothing", "営業部", "a@partner.example", "見積.docx", "application/octet-stream", read("quote.docx"), "", "", policy.Pass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := people{"taro@corp.example": {"taro@corp.example", tt.dept}}
			p := &Path{Detector: det, Policy: pol, People: dir}
			res := p.Decide(context.Background(), Envelope{From: "taro@corp.example"}, rawWith(tt.to, tt.file, tt.ctype, tt.data))
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if res.Decision.Verdict != tt.verdict {
				t.Errorf("verdict %s, want %s (%+v)", res.Decision.Verdict, tt.verdict, res.Findings)
			}
			var got []finding.Finding
			for _, f := range res.Findings {
				if f.Code == finding.EncryptedAttachment || f.Code == finding.AttachmentUnreadable {
					got = append(got, f)
				}
			}
			switch {
			case tt.code == "" && len(got) > 0:
				t.Errorf("findings %+v", got)
			case tt.code != "" && (len(got) != 1 || got[0].Code != tt.code || got[0].Args["file"] != tt.file2 || got[0].Recipient != tt.to):
				t.Errorf("findings %+v, want %s naming %s", got, tt.code, tt.file2)
			}
			if tt.code == "" && tt.ctype != "application/zip" && len(seen.Attachments) == 1 && seen.Attachments[0].Text == "" {
				t.Errorf("the detector saw no attachment text")
			}
		})
	}
}

// TestTermInAHeader: a department's confidential term printed only in a
// document's page header (社外秘 and a project's name on every page, as
// Japanese companies print them), in a sheet's header or in a
// presentation's speaker notes is found in what leaves. The message is
// held; the finding names the attachment, and what the sender sees names
// it too, never the term.
func TestTermInAHeader(t *testing.T) {
	const term = "プロジェクト桜"
	dir := directory.New([]directory.Person{
		{Address: "sato@corp.example", Department: "営業部"}, {Address: "suzuki@corp.example", Department: "営業部"},
	}, []string{"corp.example"})
	content := terms.NewCheckerFrom(dir, []terms.Term{{Scope: "department:営業部", Text: term, Weight: 0.9}},
		map[terms.Scope]terms.Rule{"department:営業部": {Scope: "department:営業部", Any: true}}, nil)
	pol, err := policy.New(policy.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	who := people{"sato@corp.example": {"sato@corp.example", "営業部"}, "suzuki@corp.example": {"suzuki@corp.example", "営業部"}}
	p := &Path{Policy: pol, People: who, Content: []ContentChecker{content},
		Detector: DetectorFunc(func(m *mail.Message, _ time.Time) (float64, []finding.Finding) {
			return 0, content.CheckContent(m)
		})}
	// LibreOffice wrote these with the term in the page header, a sheet's
	// header or the notes alone (attach/testdata/README.md).
	for _, tt := range []struct{ fixture, name string }{
		{"header.docx", "議事録.docx"},
		{"header.odt", "議事録.odt"},
		{"header.xlsx", "一覧.xlsx"},
		{"header.ods", "一覧.ods"},
		{"notes.pptx", "提案.pptx"},
	} {
		t.Run(tt.fixture, func(t *testing.T) {
			data, err := os.ReadFile("../attach/testdata/" + tt.fixture)
			if err != nil {
				t.Fatal(err)
			}
			res := p.Decide(context.Background(), Envelope{From: "sato@corp.example"},
				rawWith("tanaka@partner.example", tt.name, "application/octet-stream", data))
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if res.Decision.Verdict != policy.Hold {
				t.Errorf("verdict %s, want hold (%+v)", res.Decision.Verdict, res.Findings)
			}
			var got *finding.Finding
			for _, f := range res.Findings {
				if f.Code == finding.ConfidentialTerms {
					got = &f
				}
			}
			if got == nil {
				t.Fatalf("no %s among %+v", finding.ConfidentialTerms, res.Findings)
			}
			if got.Args["file"] != tt.name || len(got.Terms) != 1 || got.Terms[0] != term {
				t.Errorf("operators see file %q, terms %v; want %s, %s", got.Args["file"], got.Terms, tt.name, term)
			}
			sv := finding.SenderView([]finding.Finding{*got})[0]
			for _, lang := range []string{"ja", "en"} {
				l := finding.Localize(sv, lang)
				said := l.Message + " " + l.Suggestion
				for _, v := range l.Args {
					said += " " + v
				}
				if !strings.Contains(said, tt.name) || strings.Contains(said, "桜") || l.Terms != nil {
					t.Errorf("the sender (%s) sees %q, terms %v: the attachment, never the term", lang, said, l.Terms)
				}
			}
			// The same file to a colleague of the department is fine.
			res = p.Decide(context.Background(), Envelope{From: "sato@corp.example"},
				rawWith("suzuki@corp.example", tt.name, "application/octet-stream", data))
			if res.Decision.Verdict != policy.Pass {
				t.Errorf("to a colleague: verdict %s (%+v)", res.Decision.Verdict, res.Findings)
			}
		})
	}
}
