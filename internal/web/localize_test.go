package web

import (
	"html"
	"strings"
	"testing"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/queue"
)

// The held and approvals pages write findings in the reader's language: a
// Japanese page carries none of the English sentences.
func TestFindingsInReadersLanguage(t *testing.T) {
	e := newEnv(t, nil)
	w := 0.5
	fs := []finding.Finding{
		finding.Finding{Code: finding.SimilarContact, Severity: finding.High, Recipient: "tanaka@partner-b.example", Suggestion: "tanaka@partner-a.example"}.
			Say("similar_contact", finding.Args{"best": "tanaka@partner-a.example", "why": "similar.family"}),
		finding.Finding{Code: finding.NewDomain, Severity: finding.Medium, Recipient: "kato@newco.example"}.
			Say("new_domain.team_neither", finding.Args{"domain": "newco.example"}),
		finding.Finding{Code: finding.ConfidentialTerms, Severity: finding.High, Recipient: "kato@newco.example", Scope: "department:営業部", Weight: &w, Terms: []string{"極秘プロジェクトZ"}}.
			Say("confidential_terms", finding.Args{"scope": "scope.department", "scope_name": "営業部", "recipient": "kato@newco.example"}).
			Suggest("suggest.confidential"),
		finding.Finding{Code: finding.BccRecommended, Severity: finding.Medium}.Say("bcc_recommended", nil).Suggest("suggest.bcc"),
	}
	to := []string{"tanaka@partner-b.example", "kato@newco.example"}
	e.add(fixture{sender: "sato@corp.example", dept: "営業部", subject: "ご提案", state: queue.Confirming, to: to, flagged: to, findings: fs})
	e.add(fixture{sender: "sato@corp.example", dept: "営業部", subject: "極秘", state: queue.Held, to: to, findings: fs})
	sender, _ := e.session("sato@corp.example")
	approver, _ := e.session("boss@corp.example")
	for _, pg := range []struct{ path, cookie string }{{"/held", sender}, {"/approvals", approver}} {
		_, ja, _ := e.do("GET", pg.path, pg.cookie, nil, map[string]string{"Accept-Language": "ja"})
		_, en, _ := e.do("GET", pg.path, pg.cookie, nil, map[string]string{"Accept-Language": "en"})
		ja, en = html.UnescapeString(ja), html.UnescapeString(en)
		for _, f := range fs {
			l, le := finding.Localize(f, "ja"), f
			if pg.path == "/approvals" {
				// The approver reads about the sender, not as the sender.
				l, le = finding.LocalizeAbout([]finding.Finding{f}, "ja")[0], finding.LocalizeAbout([]finding.Finding{f}, "en")[0]
				if le.Message != f.Message && strings.Contains(en, f.Message) {
					t.Errorf("/approvals in English speaks to the sender: %q", f.Message)
				}
			}
			if strings.Contains(ja, f.Message) || (f.SuggestionKey != "" && strings.Contains(ja, f.Suggestion)) {
				t.Errorf("%s in Japanese shows the English %q / %q", pg.path, f.Message, f.Suggestion)
			}
			if !strings.Contains(ja, l.Message) || !strings.Contains(en, le.Message) {
				t.Errorf("%s lacks %q in Japanese or %q in English", pg.path, l.Message, le.Message)
			}
			if f.SuggestionKey != "" && !strings.Contains(ja, l.Suggestion) {
				t.Errorf("%s lacks the Japanese suggestion %q", pg.path, l.Suggestion)
			}
		}
		if !strings.Contains(ja, "営業部限りの情報") {
			t.Errorf("%s: no Japanese scope sentence", pg.path)
		}
	}
}
