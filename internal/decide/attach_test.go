package decide

import (
	"context"
	"encoding/base64"
	"os"
	"testing"
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/policy"
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
