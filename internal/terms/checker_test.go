package terms

import (
	"encoding/base64"
	"mime"
	"mime/quotedprintable"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
)

// table12 is the list of the paper's §4.4.2 (table 12), on department A.
func table12(scope Scope) []Term {
	return []Term{
		{Scope: scope, Text: "A-ORIGINAL-FRAMEWORK", Weight: 0.830},
		{Scope: scope, Text: "部署独自", Weight: 0.798},
		{Scope: scope, Text: "リスク分析", Weight: 0.790},
		{Scope: scope, Text: "取り扱い", Weight: 0.481},
		{Scope: scope, Text: "秘密", Weight: 0.300},
		{Scope: scope, Text: "極秘", Weight: 0.300},
		{Scope: scope, Text: "厳秘", Weight: 0.100},
	}
}

func testDirectory() *directory.Directory {
	return directory.New([]directory.Person{
		{Address: "miura@corp.example", Department: "部署A", Groups: []string{"Xプロジェクト"}},
		{Address: "sankaku@corp.example", Department: "部署A"},
		{Address: "dev@corp.example", Department: "部署B", Groups: []string{"Xプロジェクト"}},
		{Address: "hr@corp.example", Department: "人事部"},
	}, []string{"corp.example"})
}

// figure10 reads the paper's figure 10 mail (testdata/figure10.eml, UTF-8)
// through the real parser.
func figure10(t *testing.T) *mail.Message {
	t.Helper()
	raw, err := os.ReadFile("testdata/figure10.eml")
	if err != nil {
		t.Fatal(err)
	}
	return parseRaw(t, string(raw))
}

func parseRaw(t *testing.T, raw string) *mail.Message {
	t.Helper()
	msg, err := mail.Parse(strings.NewReader(raw), mail.Limits{})
	if err != nil {
		t.Fatalf("mail.Parse: %v", err)
	}
	return msg
}

// figure10Variants are the figure 10 mail as Japanese mail clients send it:
// the UTF-8 file, the same text in ISO-2022-JP (7bit, subject as an
// encoded word), and a copy whose list terms are split by a half-width
// space, an ideographic space and a line break and whose body is
// quoted-printable UTF-8. Every one must match exactly as the plain text.
func figure10Variants(t *testing.T) map[string]*mail.Message {
	t.Helper()
	raw, err := os.ReadFile("testdata/figure10.eml")
	if err != nil {
		t.Fatal(err)
	}
	head, body, ok := strings.Cut(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n\n")
	if !ok {
		t.Fatal("figure10.eml: no header/body separator")
	}
	// The headers up to the MIME ones are shared; the rest is per variant.
	common, _, _ := strings.Cut(head, "MIME-Version:")
	common = strings.Replace(common, "Subject: =?UTF-8?B?WOODl+ODreOCuOOCp+OCr+ODiOioreioiOabuOOBruODrOODk+ODpeODvOS+nemgvA==?=\n", "", 1)
	const subject = "Xプロジェクト設計書のレビュー依頼"

	jisBody, err := japanese.ISO2022JP.NewEncoder().String(body)
	if err != nil {
		t.Fatal(err)
	}
	jisSubject, err := japanese.ISO2022JP.NewEncoder().String(subject)
	if err != nil {
		t.Fatal(err)
	}
	jis := common + "Subject: =?ISO-2022-JP?B?" + base64.StdEncoding.EncodeToString([]byte(jisSubject)) + "?=\n" +
		"MIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n" + jisBody

	spaced := strings.Replace(body, "秘密資料", "秘 密資料", 1)
	spaced = strings.Replace(spaced, "取り扱い", "取り\u3000扱\nい", 1)
	var qp strings.Builder
	w := quotedprintable.NewWriter(&qp)
	w.Write([]byte(spaced))
	w.Close()
	split := common + "Subject: " + mime.BEncoding.Encode("UTF-8", subject) + "\n" +
		"MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n" + qp.String()

	out := map[string]*mail.Message{"utf-8": parseRaw(t, string(raw)), "iso-2022-jp": parseRaw(t, jis), "split terms, quoted-printable": parseRaw(t, split)}
	for name, m := range out {
		if m.Subject != subject || m.From.Addr != "miura@corp.example" || len(m.To) != 2 {
			t.Fatalf("%s: parsed subject %q from %q to %v", name, m.Subject, m.From.Addr, m.To)
		}
	}
	if !strings.Contains(out["iso-2022-jp"].Text, "秘密資料") || strings.Contains(jis, "秘密") {
		t.Fatal("iso-2022-jp variant was not decoded from JIS")
	}
	if s := out["split terms, quoted-printable"].Text; !strings.Contains(s, "秘 密") || !strings.Contains(s, "取り\u3000扱\r\nい") {
		t.Fatalf("split variant lost its spaces: %q", s)
	}
	return out
}

// TestPaperFigure10 is the paper's §4.4.2: with table 12's list the figure
// 10 mail matches 秘密 and 取り扱い, mean weight 0.391, and is restricted at
// threshold 0.3 but not at 0.4 — for every encoding the mail may arrive in.
func TestPaperFigure10(t *testing.T) {
	scope := DepartmentScope("部署A")
	for name, msg := range figure10Variants(t) {
		for _, tt := range []struct {
			threshold  float64
			restricted bool
		}{{0.3, true}, {0.4, false}} {
			c := NewCheckerFrom(testDirectory(), table12(scope), map[Scope]Rule{scope: {Scope: scope, MeanAtLeast: tt.threshold}}, nil)
			leaks := c.Leaks(msg)
			if len(leaks) != 1 {
				t.Fatalf("%s, threshold %v: leaks = %+v, want one for %s", name, tt.threshold, leaks, scope)
			}
			l := leaks[0]
			slices.Sort(l.Terms)
			if l.Scope != scope || !slices.Equal(l.Terms, []string{"取り扱い", "秘密"}) {
				t.Fatalf("%s, threshold %v: leak = %+v, want 秘密 and 取り扱い on %s", name, tt.threshold, l, scope)
			}
			if got := RoundWeight(l.Mean); got != 0.391 {
				t.Errorf("%s: mean weight = %.4f, want 0.391", name, l.Mean)
			}
			if l.Restricted != tt.restricted {
				t.Errorf("%s, threshold %v: restricted = %v, want %v", name, tt.threshold, l.Restricted, tt.restricted)
			}
			if l.Recipient != "maruyama@partner.example" {
				t.Errorf("%s: recipient = %s, want the one outside 部署A", name, l.Recipient)
			}
			fs := keyed(t, c.CheckContent(msg))
			if tt.restricted != (len(fs) == 1 && fs[0].Code == finding.ConfidentialTerms) {
				t.Errorf("%s, threshold %v: findings = %+v", name, tt.threshold, fs)
			}
			for _, f := range fs {
				for _, term := range table12(scope) {
					if strings.Contains(f.Message, term.Text) || strings.Contains(f.Suggestion, term.Text) {
						t.Errorf("%s: sender-facing text names list term %s: %+v", name, term.Text, f)
					}
				}
				if f.Scope != string(scope) || f.Weight == nil || *f.Weight != 0.391 {
					t.Errorf("%s: finding scope/weight = %s/%v", name, f.Scope, f.Weight)
				}
			}
		}
	}
}

// TestParsedFullWidthAndSpaced sends full-width ＮＤＡ and a spaced
// 「個 人 情 報」 through the parser in the encodings they come in, to a
// partner: both organisation-list terms must match; "agenda" must not.
func TestParsedFullWidthAndSpaced(t *testing.T) {
	org := Scope(Organization)
	list := []Term{{Scope: org, Text: "NDA", Weight: 0.6}, {Scope: org, Text: "個人情報", Weight: 0.8}}
	c := NewCheckerFrom(testDirectory(), list, nil, nil)
	text := "ＮＤＡ締結前の資料です。\n個 人 情 報を含むので社外に出さないでください。\n"
	sjis, err := japanese.ShiftJIS.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	jis, err := japanese.ISO2022JP.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	head := "From: miura@corp.example\nTo: x@partner.example\nMessage-ID: <fw@corp.example>\nMIME-Version: 1.0\n"
	tests := []struct {
		name, raw string
		want      []string
	}{
		{"utf-8 base64", head + "Subject: =?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte("資料")) + "?=\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: base64\n\n" + base64.StdEncoding.EncodeToString([]byte(text)) + "\n", []string{"NDA", "個人情報"}},
		{"shift_jis 8bit", head + "Subject: x\nContent-Type: text/plain; charset=Shift_JIS\nContent-Transfer-Encoding: 8bit\n\n" + sjis, []string{"NDA", "個人情報"}},
		{"iso-2022-jp", head + "Subject: x\nContent-Type: text/plain; charset=ISO-2022-JP\n\n" + jis, []string{"NDA", "個人情報"}},
		{"term in subject only", head + "Subject: =?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte("ＮＤＡの件")) + "?=\nContent-Type: text/plain; charset=UTF-8\n\nよろしくお願いします。\n", []string{"NDA"}},
		{"agenda is no nda", head + "Subject: agenda\nContent-Type: text/plain; charset=UTF-8\n\nthe agenda for monday\n", nil},
	}
	for _, tt := range tests {
		msg := parseRaw(t, tt.raw)
		var got []string
		for _, l := range c.Leaks(msg) {
			got = append(got, l.Terms...)
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: matched %v, want %v (text %q)", tt.name, got, tt.want, msg.Text)
		}
		fs := keyed(t, c.CheckContent(msg))
		if (len(tt.want) > 0) != (len(fs) == 1) {
			t.Errorf("%s: findings %+v", tt.name, fs)
		}
	}
}

func TestScopesApply(t *testing.T) {
	lists := []Term{
		{Scope: DepartmentScope("部署A"), Text: "部署秘", Weight: 0.9},
		{Scope: GroupScope("Xプロジェクト"), Text: "X計画", Weight: 0.9},
		{Scope: Scope(Organization), Text: "社外秘", Weight: 0.9},
	}
	c := NewCheckerFrom(testDirectory(), lists, nil, nil)
	text := "部署秘 と X計画 と 社外秘"
	tests := []struct {
		name string
		from string
		to   []string
		want []string // scope:recipient
	}{
		{"inside the department and the group", "miura@corp.example", []string{"miura@corp.example"}, nil},
		{"inside the department, outside the project", "miura@corp.example", []string{"sankaku@corp.example"}, []string{"group:Xプロジェクト:sankaku@corp.example"}},
		{"to the group, other department", "miura@corp.example", []string{"dev@corp.example"}, []string{"department:部署A:dev@corp.example"}},
		{"to the organisation, outside group", "miura@corp.example", []string{"sankaku@corp.example", "hr@corp.example"}, []string{"department:部署A:hr@corp.example", "group:Xプロジェクト:sankaku@corp.example"}},
		{"outside", "miura@corp.example", []string{"a@partner.example"}, []string{"department:部署A:a@partner.example", "group:Xプロジェクト:a@partner.example", "organization:a@partner.example"}},
		{"other department's sender: only the organisation list", "hr@corp.example", []string{"a@partner.example"}, []string{"organization:a@partner.example"}},
		{"unknown sender", "x@elsewhere.example", []string{"a@partner.example"}, []string{"organization:a@partner.example"}},
	}
	for _, tt := range tests {
		msg := &mail.Message{From: mail.Address{Addr: tt.from}, Text: text}
		for _, r := range tt.to {
			msg.To = append(msg.To, mail.Address{Addr: r})
		}
		var got []string
		for _, f := range keyed(t, c.CheckContent(msg)) {
			got = append(got, f.Scope+":"+f.Recipient)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRulesAndExceptions(t *testing.T) {
	scope := Scope(Organization)
	lists := []Term{{Scope: scope, Text: "社外秘", Weight: 0.1}, {Scope: scope, Text: "Project Falcon", Weight: 0.9}}
	msg := &mail.Message{From: mail.Address{Addr: "hr@corp.example"}, To: []mail.Address{{Addr: "a@partner.example"}}, Text: "社外秘の資料です"}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		rule Rule
		exc  []Exception
		want int
	}{
		{"mean below threshold", Rule{Scope: scope, MeanAtLeast: 0.3}, nil, 0},
		{"any match", Rule{Scope: scope, Any: true}, nil, 1},
		{"excepted", Rule{Scope: scope, Any: true}, []Exception{{Scope: scope, Text: "社外秘", Until: now.Add(time.Hour)}}, 0},
		{"exception expired", Rule{Scope: scope, Any: true}, []Exception{{Scope: scope, Text: "社外秘", Until: now.Add(-time.Hour)}}, 1},
		{"exception for another scope", Rule{Scope: scope, Any: true}, []Exception{{Scope: DepartmentScope("人事部"), Text: "社外秘", Until: now.Add(time.Hour)}}, 1},
	} {
		c := NewCheckerFrom(testDirectory(), lists, map[Scope]Rule{scope: tt.rule}, tt.exc)
		c.SetClock(func() time.Time { return now })
		if got := len(keyed(t, c.CheckContent(msg))); got != tt.want {
			t.Errorf("%s: %d findings, want %d", tt.name, got, tt.want)
		}
	}
}

func TestMatcherNormalises(t *testing.T) {
	m := NewMatcher([]string{"個人情報", "NDA", "Project Falcon", "秘密", "秘密資料", "A-ORIGINAL-FRAMEWORK", ""})
	tests := []struct {
		text string
		want []int
	}{
		{"個 人 情 報を含む", []int{0}},
		{"個\u200b人情報", []int{0}},
		{"ＮＤＡを締結", []int{1}},
		{"please sign the nda.", []int{1}},
		{"the agenda", nil},
		{"NDAs", nil},
		{"project  falcon", []int{2}},
		{"projectfalcon", []int{2}},
		{"秘密資料です", []int{3, 4}},
		{"a-original-frameworkでリスク分析", []int{5}},
		{"Ａ－ＯＲＩＧＩＮＡＬ－ＦＲＡＭＥＷＯＲＫ", []int{5}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := m.Match(Prepare(tt.text)); !slices.Equal(got, tt.want) {
			t.Errorf("Match(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
	// Parts are kept apart: a term does not span subject and body.
	if got := m.Match(Prepare("個人", "情報")); got != nil {
		t.Errorf("term matched across parts: %v", got)
	}
}

func TestPersonalData(t *testing.T) {
	tests := []struct {
		name string
		text string
		want PersonalData
	}{
		{"my number", "個人番号: 1234 5678 9018", PersonalData{MyNumbers: 1}},
		{"my number full width", "個人番号：１２３４５６７８９０１８", PersonalData{MyNumbers: 1}},
		{"bad check digit", "個人番号: 123456789012", PersonalData{}},
		{"inside a longer run", "口座 91234567890180", PersonalData{}},
		{"glued to letters", "order AB123456789018", PersonalData{}},
		{"visa with dashes", "card 4111-1111-1111-1111 exp 12/28", PersonalData{Cards: 1}},
		{"amex grouping", "3782 822463 10005", PersonalData{Cards: 1}},
		{"luhn but no issuer", "ref 1234567812345670", PersonalData{}},
		{"luhn fails", "4111 1111 1111 1112", PersonalData{}},
		{"table of numbers", "4111111111111111 123456789018", PersonalData{MyNumbers: 1, Cards: 1}},
		{"phones", "03-1234-5678, 090-1234-5678, +81 3 1234 5679, 06(1234)5678", PersonalData{Phones: 4}},
		{"postal", "〒100-0001 東京都 〒530-0001 大阪府 〒１００－０００１", PersonalData{PostalAddress: 2}},
		{"street addresses", "東京都千代田区丸の内1-1-1\n大阪府大阪市北区梅田3-1\n神奈川県横浜市西区みなとみらい2-2-1\n東京都千代田区丸の内1-1-1", PersonalData{PostalAddress: 3}},
		{"prefecture alone", "東京都と大阪府に出張します", PersonalData{}},
	}
	for _, tt := range tests {
		if got := FindPersonalData(tt.text); got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestPersonalDataFinding(t *testing.T) {
	c := NewCheckerFrom(testDirectory(), nil, nil, nil)
	c.SetManyContacts(3)
	var b strings.Builder
	for i := range 4 {
		b.WriteString("〒100-000" + string(rune('0'+i)) + " 東京都千代田区\n")
	}
	b.WriteString("マイナンバー 1234-5678-9018\n")
	text := b.String()
	ext := &mail.Message{From: mail.Address{Addr: "hr@corp.example"}, To: []mail.Address{{Addr: "sankaku@corp.example"}}, Cc: []mail.Address{{Addr: "x@partner.example"}}, Text: text}
	fs := keyed(t, c.CheckContent(ext))
	if len(fs) != 1 || fs[0].Code != finding.PersonalData || fs[0].Recipient != "x@partner.example" || fs[0].Severity != finding.High {
		t.Fatalf("findings = %+v", fs)
	}
	if !strings.Contains(fs[0].Message, "a My Number") || !strings.Contains(fs[0].Message, "4 postal addresses") || strings.ContainsAny(fs[0].Message, "0123456789"[1:]) && strings.Contains(fs[0].Message, "5678") {
		t.Errorf("message = %q", fs[0].Message)
	}
	if strings.Contains(fs[0].Message, "100-000") || strings.Contains(fs[0].Message, "9018") {
		t.Errorf("message shows values: %q", fs[0].Message)
	}
	internal := &mail.Message{From: mail.Address{Addr: "hr@corp.example"}, To: []mail.Address{{Addr: "sankaku@corp.example"}}, Text: text}
	if fs := c.CheckContent(internal); len(fs) != 0 {
		t.Errorf("internal mail flagged: %+v", fs)
	}
}
