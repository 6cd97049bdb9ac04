package finding

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// Every key is written in both languages with the same named arguments, so
// that a finding stored in one language can always be written in the other.
func TestCatalogueComplete(t *testing.T) {
	for key, e := range catalog {
		if e.en == "" || e.ja == "" {
			t.Errorf("%s: a language is missing: %q / %q", key, e.en, e.ja)
			continue
		}
		en, ja := placeholders(e.en), placeholders(e.ja)
		slices.Sort(en)
		slices.Sort(ja)
		if !slices.Equal(slices.Compact(slices.Clone(en)), slices.Compact(ja)) {
			t.Errorf("%s: arguments differ: en %v, ja %v", key, en, ja)
		}
		for _, p := range en {
			if p == "" || strings.ContainsAny(p, "{ ") {
				t.Errorf("%s: malformed placeholder %q", key, p)
			}
		}
		if strings.ContainsFunc(e.en, func(r rune) bool { return r >= 0x3000 }) {
			t.Errorf("%s: English template holds Japanese: %q", key, e.en)
		}
		if bare := e.ja[0] == '{' && e.ja[len(e.ja)-1] == '}' && len(ja) == 1; !bare && !strings.ContainsFunc(e.ja, func(r rune) bool { return r >= 0x3000 }) {
			t.Errorf("%s: Japanese template is not Japanese: %q", key, e.ja)
		}
		if strings.HasSuffix(e.ja, "。") {
			t.Errorf("%s: Japanese sentence ends with 。 (shown as a list item): %q", key, e.ja)
		}
	}
}

func TestSayAndLocalize(t *testing.T) {
	f := Finding{Code: SimilarContact, Severity: High, Recipient: "tanaka@toyo-denki.co.jp"}.
		Say("similar_contact", Args{"best": "tanaka@toyo-denki.co.jp", "why": "similar.family"})
	if want := "you rarely or never mailed this address; you often mail tanaka@toyo-denki.co.jp, who has the same family name"; f.Message != want {
		t.Fatalf("English: %q, want %q", f.Message, want)
	}
	ja := Localize(f, "ja")
	if want := "このアドレスへの送信はほとんどありません。いつもの宛先 tanaka@toyo-denki.co.jp（姓が同じ方）とよく似ています"; ja.Message != want {
		t.Fatalf("Japanese: %q, want %q", ja.Message, want)
	}
	if f.Message == ja.Message || Localize(f, "en").Message != f.Message || Localize(f, "fr").Message != f.Message {
		t.Fatal("Localize changed the English or did not change the Japanese")
	}

	// A list fragment and a suggested action.
	p := Finding{Code: PersonalData}.Say("personal_data", Args{"found": "pd.my_number pd.phones", "phones": "6"}).Suggest("suggest.personal_data")
	if want := "the message contains a My Number (individual number), 6 phone numbers and goes outside the organisation"; p.Message != want {
		t.Fatalf("English list: %q", p.Message)
	}
	pj := Localize(p, "ja")
	if want := "このメールにはマイナンバー（個人番号）、電話番号6件が含まれており、社外に送信されます"; pj.Message != want {
		t.Fatalf("Japanese list: %q", pj.Message)
	}
	if pj.Suggestion != "個人情報を削除するか、所定の方法で送付してください" {
		t.Fatalf("Japanese suggestion: %q", pj.Suggestion)
	}
}

// Findings without a key, and keys or arguments that cannot be rendered,
// are said in their code's general sentence rather than a half-written
// one or English in a Japanese page; a code without one keeps the English.
func TestLocalizeFallsBack(t *testing.T) {
	for _, f := range []Finding{
		{Code: NewRecipient, Message: "stored before the catalogue"},
		{Code: NewRecipient, Message: "unknown key", Key: "no.such.key"},
		{Code: NewDomain, Message: "missing argument", Key: "new_domain.team"},
		{Code: SimilarContact, Message: "bad fragment", Key: "similar_contact", Args: Args{"best": "a@b", "why": "no.such"}},
		{Code: SimilarContact, Message: "self fragment", Key: "lookalike_domain", Args: Args{"domain": "x", "why": "lookalike_domain"}},
	} {
		got := Localize(f, "ja")
		if want, _ := Text("ja", "code."+string(f.Code), nil); got.Message != want || want == "" {
			t.Errorf("%s: got %q, want %q", f.Message, got.Message, want)
		}
		if got := Localize(f, "en"); got.Message != f.Message {
			t.Errorf("%s: English changed to %q", f.Message, got.Message)
		}
	}
	if f := (Finding{Code: "NO_SUCH_CODE", Message: "kept"}); Localize(f, "ja").Message != "kept" {
		t.Errorf("unknown code: %q", Localize(f, "ja").Message)
	}
	for _, c := range []Code{NewRecipient, NewDomain, SimilarContact, LookalikeDomain, UnusualCombination, ExternalInInternalThread,
		CrossCompany, BccRecommended, GreetingMismatch, FreemailRecipient, UnusualVolume, UnusualTime, ConfidentialTerms,
		PersonalData, ParseProblem, SentAs, AttachmentUnreadable, EncryptedAttachment, ConfirmedInAddin, StampInvalid} {
		if _, ok := codeCatalog[c]; !ok {
			t.Errorf("%s has no general sentence", c)
		}
	}
	if f := (Finding{}).Say("no.such.key", nil); f.Message != "no.such.key" {
		t.Errorf("unknown key said %q", f.Message)
	}
}

// Arguments are put in as they are: braces in an address or a domain are
// not read as placeholders.
func TestArgumentsVerbatim(t *testing.T) {
	f := Finding{}.Say("new_domain.nobody", Args{"domain": "{x}.example"})
	if f.Message != "you have never mailed {x}.example; nobody in the organisation has" {
		t.Fatalf("got %q", f.Message)
	}
}

// Key and Args travel through JSON (held mail is stored so), and a finding
// without them encodes as before.
func TestJSON(t *testing.T) {
	b, _ := json.Marshal(Finding{Code: UnusualTime, Severity: Info, Message: "m"})
	if string(b) != `{"code":"UNUSUAL_TIME","severity":"info","message":"m"}` {
		t.Fatalf("plain finding: %s", b)
	}
	f := Finding{Code: BccRecommended}.Say("bcc_recommended", nil).Suggest("suggest.bcc")
	b, _ = json.Marshal(f)
	var back Finding
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if got := Localize(back, "ja"); got.Suggestion != "社外の宛先は Bcc に入れてください" || !utf8.ValidString(got.Message) {
		t.Fatalf("after JSON: %+v", got)
	}
}

// A parser's problem reaches people as a plain sentence in their language,
// never the parser's own words; the greeting names the company as written.
func TestPlainSentences(t *testing.T) {
	for _, tc := range []struct {
		problem string
		ja      string
	}{
		{"text/plain part: bad base64, decoded up to the damage", "本文の一部の符号化や文字コードが壊れています"},
		{"multipart: closing boundary missing", "メールの構成が壊れています"},
		{"header: 3 malformed lines skipped", "ヘッダーの一部が正しい形式ではありません"},
		{"text truncated to 1048576 octets", "長すぎるため"},
		{"something new", "一部を読み取れませんでした"},
	} {
		f := Finding{Code: ParseProblem}.Say("parse_problem", Args{"problem": tc.problem})
		ja := Localize(f, "ja").Message
		if !strings.Contains(ja, tc.ja) || strings.ContainsFunc(ja, func(r rune) bool { return r < 0x80 && r != ' ' }) {
			t.Errorf("%q: Japanese %q", tc.problem, ja)
		}
		if strings.Contains(f.Message, tc.problem) || strings.Contains(f.Message, "damage") {
			t.Errorf("%q: English shows the parser's words: %q", tc.problem, f.Message)
		}
	}
	g := Finding{Code: GreetingMismatch}.Say("greeting.company_named", Args{"company": "株式会社山田商会", "domain": "yamada-shokai.co.jp"})
	if ja := Localize(g, "ja").Message; !strings.Contains(ja, "「株式会社山田商会」") || strings.Contains(ja, "yamada-shokai.co.jp の会社名") {
		t.Errorf("greeting: %q", ja)
	}
}
