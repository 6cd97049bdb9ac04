package notify

import (
	"context"
	"strings"
	"testing"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
)

// Each notice gives the reasons in its recipient's language: the Japanese
// sender reads Japanese sentences, the English-speaking approvers English,
// from the same stored findings.
func TestNoticeReasonsInRecipientsLanguage(t *testing.T) {
	w := waiting(policy.Hold)
	w.Findings = []finding.Finding{
		finding.Finding{Code: finding.NewRecipient, Severity: finding.Low, Recipient: "tanaka@partner-b.example"}.Say("new_recipient.team", nil),
		finding.Finding{Code: finding.BccRecommended, Severity: finding.Medium}.Say("bcc_recommended", nil).Suggest("suggest.bcc"),
		{Code: finding.UnusualTime, Message: "a sentence stored before the catalogue"},
	}
	out := &memOutbox{}
	if err := newNotifier(t, out).Notify(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	if len(out.got) != 3 {
		t.Fatalf("%d notices, want 3", len(out.got))
	}
	for _, m := range out.got {
		_, body, _ := decoded(t, m.Raw)
		lang := "en"
		if m.To[0] == "taro@corp.example" {
			lang = "ja"
		}
		for _, f := range w.Findings {
			l := finding.Localize(f, lang)
			if m.To[0] != "taro@corp.example" {
				// Approvers read about the sender.
				l = finding.LocalizeAbout([]finding.Finding{f}, lang)[0]
			}
			if !strings.Contains(body, "- "+l.Message) {
				t.Errorf("%s notice (%s) lacks %q:\n%s", m.To[0], lang, l.Message, body)
			}
			if l.Suggestion != "" && !strings.Contains(body, l.Suggestion) {
				t.Errorf("%s notice (%s) lacks the suggestion %q", m.To[0], lang, l.Suggestion)
			}
			if lang == "ja" && f.Key != "" && strings.Contains(body, f.Message) {
				t.Errorf("Japanese notice carries the English %q", f.Message)
			}
		}
		if strings.Contains(body, "did you mean put") || strings.Contains(body, "Bcc に入れてください の間違い") {
			t.Errorf("a suggested action is asked as a suggested address:\n%s", body)
		}
	}
	_, ja, _ := decoded(t, out.got[0].Raw)
	if !strings.Contains(ja, "このアドレスに送信したことはありません。同じ部署の方は送信しています") {
		t.Errorf("Japanese notice:\n%s", ja)
	}
}
