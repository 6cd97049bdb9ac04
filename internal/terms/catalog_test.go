package terms

import (
	"strings"
	"testing"

	"github.com/misend/misend/internal/finding"
)

// keyed checks that every finding comes from the finding catalogue, that
// its Japanese exists, and that neither language nor the stored arguments
// carry a matched term, and returns fs for the caller's own checks.
func keyed(t *testing.T, fs []finding.Finding) []finding.Finding {
	t.Helper()
	for _, f := range fs {
		if en, ok := finding.Text("en", f.Key, f.Args); !ok || en != f.Message {
			t.Errorf("%s not from the catalogue: key %q renders %q, message %q", f.Code, f.Key, en, f.Message)
		}
		if en, ok := finding.Text("en", f.SuggestionKey, f.Args); !ok || en != f.Suggestion {
			t.Errorf("%s suggestion not from the catalogue: key %q renders %q, suggestion %q", f.Code, f.SuggestionKey, en, f.Suggestion)
		}
		ja := finding.Localize(f, "ja")
		if ja.Message == f.Message || ja.Suggestion == f.Suggestion {
			t.Errorf("%s: no Japanese: %q / %q", f.Code, ja.Message, ja.Suggestion)
		}
		for _, term := range f.Terms {
			for _, s := range append([]string{ja.Message, ja.Suggestion, f.Message, f.Suggestion}, argValues(f.Args)...) {
				if strings.Contains(s, term) {
					t.Errorf("%s: sender-visible text %q carries the term %q", f.Code, s, term)
				}
			}
		}
	}
	return fs
}

func argValues(a finding.Args) []string {
	var out []string
	for _, v := range a {
		out = append(out, v)
	}
	return out
}

func TestScopeSentences(t *testing.T) {
	for _, tt := range []struct {
		scope  Scope
		en, ja string
	}{
		{"department:営業部", "the message contains terms confidential to department 営業部, and x@partner.example is outside it",
			"このメールには営業部限りの情報が含まれていますが、x@partner.example は営業部以外の宛先です"},
		{"group:基幹システム刷新", "the message contains terms confidential to group 基幹システム刷新, and x@partner.example is outside it",
			"このメールには「基幹システム刷新」限りの情報が含まれていますが、x@partner.example は「基幹システム刷新」以外の宛先です"},
		{Scope(Organization), "the message contains terms confidential to the organisation, and x@partner.example is outside it",
			"このメールには社内限りの情報が含まれていますが、x@partner.example は社内以外の宛先です"},
	} {
		f := finding.Finding{}.Say("confidential_terms", scopeArgs(tt.scope, "x@partner.example"))
		if f.Message != tt.en {
			t.Errorf("%s: %q, want %q", tt.scope, f.Message, tt.en)
		}
		if ja := finding.Localize(f, "ja").Message; ja != tt.ja {
			t.Errorf("%s: %q, want %q", tt.scope, ja, tt.ja)
		}
	}
}

func TestPersonalDataSentences(t *testing.T) {
	p := PersonalData{MyNumbers: 2, Cards: 1, Phones: 6, PostalAddress: 3}
	if got, want := p.Sentence(5), "the message contains 2 My Numbers (individual numbers), a payment card number, 6 phone numbers and goes outside the organisation"; got != want {
		t.Errorf("English: %q, want %q", got, want)
	}
	f := finding.Finding{}.Say("personal_data", p.args(5))
	if got, want := finding.Localize(f, "ja").Message, "このメールにはマイナンバー（個人番号）2件、クレジットカード番号、電話番号6件が含まれており、社外に送信されます"; got != want {
		t.Errorf("Japanese: %q, want %q", got, want)
	}
}
