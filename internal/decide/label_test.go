package decide

import (
	"archive/zip"
	"bytes"
	"context"
	"mime"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/japanese"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/policy"
)

// TestClassificationLabels decides on labelled mail with the built-in
// classification: the label, wherever it is written, and the recipients
// together make the verdict.
func TestClassificationLabels(t *testing.T) {
	docx, err := os.ReadFile("../attach/testdata/quote-labelled.docx") // Purview label 社外秘 in its custom properties
	if err != nil {
		t.Fatal(err)
	}
	plain, err := os.ReadFile("../attach/testdata/quote.docx")
	if err != nil {
		t.Fatal(err)
	}
	const msip = "MSIP_Label_2096f6a2-d2f7-48be-b329-b73aaa526e5d_Enabled=true; MSIP_Label_2096f6a2-d2f7-48be-b329-b73aaa526e5d_Name=Highly Confidential;"
	withHeader := func(raw []byte, name, value string) []byte {
		return append([]byte(name+": "+value+"\r\n"), raw...)
	}
	withSubject := func(raw []byte, subject string) []byte {
		return []byte(strings.Replace(string(raw), "Subject: files", "Subject: "+mime.BEncoding.Encode("UTF-8", subject), 1))
	}
	dir := people{"taro@corp.example": {"taro@corp.example", "営業部"}, "hanako@corp.example": {"hanako@corp.example", "営業部"},
		"jiro@corp.example": {"jiro@corp.example", "人事部"}}
	det := DetectorFunc(func(*mail.Message, time.Time) (float64, []finding.Finding) { return 0, nil })
	tests := []struct {
		name    string
		raw     []byte
		verdict policy.Verdict
		label   string // the label the finding names; "" for no finding
	}{
		{"a 社外秘 document to a partner is held", rawWith("tanaka@partner.example", "見積.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx), policy.Hold, "社外秘"},
		{"the same document to a colleague passes", rawWith("jiro@corp.example", "見積.docx", "application/octet-stream", docx), policy.Pass, ""},
		{"an unlabelled document to a partner passes", rawWith("tanaka@partner.example", "見積.docx", "application/octet-stream", plain), policy.Pass, ""},
		{"a tagged file name", rawWith("tanaka@partner.example", "【社外秘】見積.docx", "application/octet-stream", plain), policy.Hold, "社外秘"},
		{"a subject tag 社内限定 asks the sender", withSubject(rawWith("tanaka@partner.example", "見積.docx", "application/octet-stream", plain), "[社内限定] 議事録"), policy.Confirm, "社内限定"},
		{"極秘 leaves the department", withSubject(rawWith("jiro@corp.example", "a.txt", "text/plain", []byte("x")), "（極秘）人事案"), policy.Hold, "極秘"},
		{"極秘 within the department", withSubject(rawWith("hanako@corp.example", "a.txt", "text/plain", []byte("x")), "（極秘）人事案"), policy.Pass, ""},
		{"the msip_labels header", withHeader(rawWith("tanaka@partner.example", "a.txt", "text/plain", []byte("x")), "msip_labels", msip), policy.Hold, "Highly Confidential"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Path{Detector: det, Policy: &policy.Policy{}, People: dir}
			res := p.Decide(context.Background(), Envelope{From: "taro@corp.example"}, tt.raw)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			var labels []string
			for _, f := range res.Findings {
				if f.Code == finding.ClassificationLabel {
					labels = append(labels, f.Args["label"])
				}
			}
			if res.Decision.Verdict != tt.verdict || (tt.label == "") != (len(labels) == 0) || (tt.label != "" && labels[0] != tt.label) {
				t.Errorf("verdict %s by %s, labels %q; want %s, %q (%+v)", res.Decision.Verdict, res.Decision.Rule, labels, tt.verdict, tt.label, res.Findings)
			}
		})
	}
}

// TestArchiveEntryLabels: a ZIP holding 【社外秘】見積.xlsx is labelled as
// an attachment of that name is, its Shift_JIS-named twin from Japanese
// Windows too; the finding names the file inside the archive.
func TestArchiveEntryLabels(t *testing.T) {
	xlsx, err := os.ReadFile("../attach/testdata/list.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	zipOf := func(name string, sjis bool) []byte {
		var buf bytes.Buffer
		w := zip.NewWriter(&buf)
		if sjis {
			if name, err = japanese.ShiftJIS.NewEncoder().String(name); err != nil {
				t.Fatal(err)
			}
		}
		f, err := w.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, NonUTF8: sjis})
		if err != nil {
			t.Fatal(err)
		}
		f.Write(xlsx)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	dir := people{"taro@corp.example": {"taro@corp.example", "営業部"}, "jiro@corp.example": {"jiro@corp.example", "人事部"}}
	det := DetectorFunc(func(*mail.Message, time.Time) (float64, []finding.Finding) { return 0, nil })
	decide := func(raw []byte) (policy.Verdict, []finding.Finding) {
		p := &Path{Detector: det, Policy: &policy.Policy{}, People: dir}
		res := p.Decide(context.Background(), Envelope{From: "taro@corp.example"}, raw)
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		var fs []finding.Finding
		for _, f := range res.Findings {
			if f.Code == finding.ClassificationLabel {
				fs = append(fs, f)
			}
		}
		return res.Decision.Verdict, fs
	}
	const ctype = "application/zip"
	top, topFs := decide(rawWith("tanaka@partner.example", "【社外秘】見積.xlsx", "application/octet-stream", xlsx))
	if top != policy.Hold || len(topFs) != 1 {
		t.Fatalf("the tagged attachment itself: %s, %+v", top, topFs)
	}
	for _, tt := range []struct {
		name string
		raw  []byte
		want policy.Verdict
	}{
		{"in a ZIP to a partner", rawWith("tanaka@partner.example", "見積.zip", ctype, zipOf("【社外秘】見積.xlsx", false)), policy.Hold},
		{"in a Shift_JIS ZIP to a partner", rawWith("tanaka@partner.example", "見積.zip", ctype, zipOf("【社外秘】見積.xlsx", true)), policy.Hold},
		{"in a ZIP to a colleague", rawWith("jiro@corp.example", "見積.zip", ctype, zipOf("【社外秘】見積.xlsx", false)), policy.Pass},
		{"an untagged file in a ZIP", rawWith("tanaka@partner.example", "見積.zip", ctype, zipOf("見積.xlsx", false)), policy.Pass},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, fs := decide(tt.raw)
			if v != tt.want {
				t.Fatalf("verdict %s, want %s (%+v)", v, tt.want, fs)
			}
			if tt.want == policy.Pass {
				if len(fs) != 0 {
					t.Errorf("findings %+v", fs)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("findings %+v", fs)
			}
			got, want := fs[0], topFs[0]
			if got.Args["file"] != "見積.zip/【社外秘】見積.xlsx" || want.Args["file"] != "【社外秘】見積.xlsx" {
				t.Errorf("files %q and %q", got.Args["file"], want.Args["file"])
			}
			got.Args["file"], got.Message = want.Args["file"], want.Message
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("not labelled as the attachment itself (-top +zip):\n%s", diff)
			}
		})
	}
}
