package label

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/policy"
)

func TestTags(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"【社外秘】見積書の件", []string{"社外秘", "【社外秘】見積書の件"}},
		{"Re: [Confidential] Q3 plan", []string{"Confidential", "q3"}},
		{"（極秘）人事異動案", []string{"極秘", "(極秘)人事異動案"}},
		{"＜機密＞設計資料", []string{"機密", "<機密>設計資料"}},
		{"社内限定_議事録.docx", []string{"社内限定"}},
		{"公開 資料のご案内", []string{"公開"}},
		{"[社外秘・取扱注意] 提案書", []string{"社外秘・取扱注意", "社外秘", "取扱注意", "提案書"}},
		{"機密保持契約書.docx", []string{"機密保持契約書"}},
		{"お見積もりのご送付", []string{"お見積もりのご送付"}},
		{"(" + strings.Repeat("長", 40) + ")", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := Tags(tt.in); !cmp.Equal(got, tt.want) {
			t.Errorf("Tags(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// recipients knows corp.example as the organisation, and the
// departments of its people.
type recipients map[string]string

func (r recipients) Outside(msg *mail.Message, scope, dept string) string {
	for _, a := range msg.Recipients() {
		d, inside := r[a.Addr]
		if !inside || (scope == policy.ScopeDepartment && d != dept) {
			return a.Addr
		}
	}
	return ""
}

func TestFindings(t *testing.T) {
	const guid = "2096f6a2-d2f7-48be-b329-b73aaa526e5d"
	people := recipients{"sato@corp.example": "営業部", "ito@corp.example": "法務部"}
	pol, err := policy.New(policy.Config{Classification: policy.Classification{Labels: map[string]string{guid: "極秘"}}})
	if err != nil {
		t.Fatal(err)
	}
	msg := func(subject string, to ...string) *mail.Message {
		m := &mail.Message{Subject: subject}
		for _, a := range to {
			m.To = append(m.To, mail.Address{Addr: a})
		}
		return m
	}
	withDoc := func(m *mail.Message, file string, ls ...mail.SensitivityLabel) *mail.Message {
		m.Attachments = append(m.Attachments, mail.Attachment{Filename: file, Labels: ls})
		return m
	}
	// What a message tagged 社外秘 sent to a partner is found to carry.
	secretToPartner := []finding.Finding{{
		Code: finding.ClassificationLabel, Severity: finding.High, Recipient: "tanaka@partner.example", Scope: "organization",
		Message:    "the message is labelled 社外秘 (機密), and tanaka@partner.example is outside the organisation",
		Suggestion: "make sure it may go outside the organisation; if not, remove the recipients outside it",
		Key:        "classification_label", SuggestionKey: "suggest.classification_label",
		Args: finding.Args{"label": "社外秘", "level": "機密", "recipient": "tanaka@partner.example", "scope": "scope.organization"}}}
	tests := []struct {
		name string
		msg  *mail.Message
		want []finding.Finding
	}{
		{"社外秘 to a partner", msg("【社外秘】お見積り", "tanaka@partner.example"), secretToPartner},
		{"社外秘 between colleagues", msg("【社外秘】お見積り", "ito@corp.example"), nil},
		{"a reply keeps the partner's own tag", msg("Re: [Confidential] ご提案", "tanaka@partner.example"), nil},
		{"a forward sends the tagged mail on", msg("Fw: 【社外秘】お見積り", "tanaka@partner.example"), secretToPartner},
		{"公開 goes anywhere", msg("[公開] プレスリリース", "tanaka@partner.example"), nil},
		{"極秘 to another department", msg("(極秘) 人事案", "sato@corp.example", "ito@corp.example"), []finding.Finding{{
			Code: finding.ClassificationLabel, Severity: finding.High, Recipient: "ito@corp.example", Scope: "department:営業部",
			Message:    "the message is labelled 極秘 (極秘), and ito@corp.example is outside department 営業部",
			Suggestion: "make sure it may go outside department 営業部; if not, remove the recipients outside it",
			Key:        "classification_label", SuggestionKey: "suggest.classification_label",
			Args: finding.Args{"label": "極秘", "level": "極秘", "recipient": "ito@corp.example", "scope": "scope.department", "scope_name": "営業部"}}}},
		{"極秘 inside the department", msg("(極秘) 人事案", "sato@corp.example"), nil},
		{"a Purview label on a document, by name", withDoc(msg("資料", "tanaka@partner.example"), "見積.docx", mail.SensitivityLabel{ID: "11111111-2222-3333-4444-555555555555", Name: "Confidential"}), []finding.Finding{{
			Code: finding.ClassificationLabel, Severity: finding.High, Recipient: "tanaka@partner.example", Scope: "organization",
			Message:    "the attachment 見積.docx is labelled Confidential (機密), and tanaka@partner.example is outside the organisation",
			Suggestion: "make sure it may go outside the organisation; if not, remove the recipients outside it",
			Key:        "classification_label.attachment", SuggestionKey: "suggest.classification_label",
			Args: finding.Args{"label": "Confidential", "level": "機密", "recipient": "tanaka@partner.example", "scope": "scope.organization", "file": "見積.docx"}}}},
		{"a Purview label by GUID, no name: the level names it", withDoc(msg("資料", "sato@corp.example"), "人事.xlsx", mail.SensitivityLabel{ID: guid}), nil},
		{"an unknown Purview label says nothing", withDoc(msg("資料", "tanaka@partner.example"), "a.docx", mail.SensitivityLabel{ID: "11111111-2222-3333-4444-555555555555", Name: "Project Z"}), nil},
		{"a tagged file name", withDoc(msg("資料", "tanaka@partner.example"), "社内限定_議事録.docx"), []finding.Finding{{
			Code: finding.ClassificationLabel, Severity: finding.High, Recipient: "tanaka@partner.example", Scope: "organization",
			Message:    "the attachment 社内限定_議事録.docx is labelled 社内限定 (社内限定), and tanaka@partner.example is outside the organisation",
			Suggestion: "make sure it may go outside the organisation; if not, remove the recipients outside it",
			Key:        "classification_label.attachment", SuggestionKey: "suggest.classification_label",
			Args: finding.Args{"label": "社内限定", "level": "社内限定", "recipient": "tanaka@partner.example", "scope": "scope.organization", "file": "社内限定_議事録.docx"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Findings(tt.msg, pol.Current(), "営業部", people)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Findings (-want +got):\n%s", diff)
			}
		})
	}
	// The GUID-only label is found, named by its level, when it leaves.
	got := Findings(withDoc(msg("資料", "tanaka@partner.example"), "人事.xlsx", mail.SensitivityLabel{ID: guid}), pol.Current(), "営業部", people)
	if len(got) != 1 || got[0].Args["label"] != "極秘" {
		t.Errorf("GUID-only label: %+v", got)
	}
	if ja := finding.Localize(got[0], "ja"); ja.Message != "添付ファイル 人事.xlsx には「極秘」（極秘）の表示がありますが、tanaka@partner.example は営業部以外の宛先です" {
		t.Errorf("in Japanese: %q", ja.Message)
	}
}

// TestEntryTags finds tags in the names of the files inside archives, and
// of their folders, as in attachment names: the finding names the archive
// and the file for operators, the level alone for senders.
func TestEntryTags(t *testing.T) {
	pol, err := policy.New(policy.Config{})
	if err != nil {
		t.Fatal(err)
	}
	people := recipients{"ito@corp.example": "法務部"}
	tests := []struct {
		name    string
		file    string
		entries []string
		want    []Found
	}{
		{"a tagged file", "a.zip", []string{"readme.txt", "【社外秘】見積.xlsx"},
			[]Found{{Label: "社外秘", Level: "機密", Scope: "organization", File: "a.zip/【社外秘】見積.xlsx"}}},
		{"English, full-width brackets", "a.zip", []string{"［Confidential］plan.pptx"},
			[]Found{{Label: "Confidential", Level: "機密", Scope: "organization", File: "a.zip/［Confidential］plan.pptx"}}},
		{"a leading word", "a.zip", []string{"社内限定_議事録.docx"},
			[]Found{{Label: "社内限定", Level: "社内限定", Scope: "organization", File: "a.zip/社内限定_議事録.docx"}}},
		{"inside a nested archive", "a.zip", []string{"b.zip", "b.zip/(極秘)人事.xlsx"},
			[]Found{{Label: "極秘", Level: "極秘", Scope: "department", File: "a.zip/b.zip/(極秘)人事.xlsx"}}},
		{"a tagged folder, once for all its files", "a.zip", []string{"社外秘/a.txt", "社外秘/b.txt"},
			[]Found{{Label: "社外秘", Level: "機密", Scope: "organization", File: "a.zip/社外秘/a.txt"}}},
		{"two labels", "a.zip", []string{"【社外秘】a.txt", "[極秘]b.txt", "【社外秘】c.txt"},
			[]Found{{Label: "社外秘", Level: "機密", Scope: "organization", File: "a.zip/【社外秘】a.txt"}, {Label: "極秘", Level: "極秘", Scope: "department", File: "a.zip/[極秘]b.txt"}}},
		{"public", "a.zip", []string{"[公開]press.pdf"},
			[]Found{{Label: "公開", Level: "公開", File: "a.zip/[公開]press.pdf"}}},
		{"no tag", "a.zip", []string{"見積.xlsx", "機密保持契約書.docx", "2024/資料.pdf"}, nil},
		{"the archive's own name counts as before", "【社外秘】a.zip", []string{"見積.xlsx"},
			[]Found{{Label: "社外秘", Level: "機密", Scope: "organization", File: "【社外秘】a.zip"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := &mail.Message{Subject: "資料", To: []mail.Address{{Addr: "tanaka@partner.example"}},
				Attachments: []mail.Attachment{{Filename: tt.file, Entries: tt.entries}}}
			if diff := cmp.Diff(tt.want, Find(msg, pol.Current())); diff != "" {
				t.Errorf("Find (-want +got):\n%s", diff)
			}
		})
	}

	msg := &mail.Message{Subject: "資料", To: []mail.Address{{Addr: "tanaka@partner.example"}},
		Attachments: []mail.Attachment{{Filename: "a.zip", Entries: []string{"【社外秘】見積.xlsx"}}}}
	fs := Findings(msg, pol.Current(), "営業部", people)
	want := []finding.Finding{{
		Code: finding.ClassificationLabel, Severity: finding.High, Recipient: "tanaka@partner.example", Scope: "organization",
		Message:    "the attachment a.zip/【社外秘】見積.xlsx is labelled 社外秘 (機密), and tanaka@partner.example is outside the organisation",
		Suggestion: "make sure it may go outside the organisation; if not, remove the recipients outside it",
		Key:        "classification_label.attachment", SuggestionKey: "suggest.classification_label",
		Args: finding.Args{"label": "社外秘", "level": "機密", "recipient": "tanaka@partner.example", "scope": "scope.organization", "file": "a.zip/【社外秘】見積.xlsx"}}}
	if diff := cmp.Diff(want, fs); diff != "" {
		t.Errorf("Findings (-want +got):\n%s", diff)
	}
	sv := finding.SenderView(fs)
	if len(sv) != 1 || sv[0].Args["label"] != "" || sv[0].Args["level"] != "機密" || sv[0].Key != "classification_label.level.attachment" {
		t.Errorf("sender view: %+v", sv)
	}
}
