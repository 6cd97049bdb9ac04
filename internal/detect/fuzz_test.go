package detect

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseGreeting feeds the greeting parser hostile openings: broken
// UTF-8, huge lines, ISO-2022-JP escapes left in, honorifics alone.
func FuzzParseGreeting(f *testing.F) {
	for _, s := range []string{
		"A社 田中様\n", "株式会社Aの田中様", "Dear Mr. Tanaka,", "Hi Bob,", "Hello Bob and Alice", "Jeff, Jim and Dave -\n",
		"様", "の様", "Dear ,", "Dear Mr.", "Dear Mr. .", "\x1b$B@6Ln\x1b(B様", "\xff\xfe様",
		strings.Repeat("a", 5000) + "様", strings.Repeat("Dear ", 1000), "田中さん、、、鈴木さん",
		"Dear Mr. Tanaka, Ms. Suzuki and Dr. Ito:", "ＡＢＣ社　田中様", "\r\n\r\n田中様\r\n",
		"経理部 石川さん", "経理部の石川さん", "山田商事の営業部の田中様", "営業部\n第二課\n田中様", "の部 様", "部\n部\n部\n様",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, g := range ParseGreeting(s) {
			if g.Person == "" && g.Company == "" && g.Department == "" {
				t.Fatalf("empty greeting from %q", s)
			}
			if !utf8.ValidString(g.Person) || !utf8.ValidString(g.Company) || !utf8.ValidString(g.Department) {
				t.Fatalf("invalid UTF-8 from %q", s)
			}
			if len(g.Person) > greetingLineSize || len(g.Company) > greetingLineSize || len(g.Department) > greetingLines*(greetingLineSize+1) {
				t.Fatalf("greeting longer than a line from %q", s)
			}
		}
	})
}

// FuzzNameTokens: display names are sender-controlled.
func FuzzNameTokens(f *testing.F) {
	for _, s := range []string{"Tanaka, Taro", "田中太郎", "taro.tanaka", "\xff", "様様様", "Mr. Jr.", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range nameTokens(s) {
			if tok == "" {
				t.Fatalf("empty token from %q", s)
			}
		}
	})
}

// FuzzQuotedPeople feeds the quoted-header reader what replies carry:
// Outlook, Notes and Japanese header blocks, broken ones, huge lists.
func FuzzQuotedPeople(f *testing.F) {
	for _, s := range []string{
		"x\n-----Original Message-----\nFrom: Allen, Phillip K.\nTo: a@b.example; Last, First\n",
		"x\n> 差出人: 田中 太郎 [mailto:t@x.co.jp]\n> 宛先: 鈴木\n", "x\nTo: Mark Taylor/HOU/ECT@ECT, a, b\n",
		"x\nCc:\n", "x\nFrom:" + strings.Repeat(",", 3000), "x\nTo: <@>;[mailto:];@.;\n", "x\n\xffTo:\xfe\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := quotedPeople(s)
		for a := range q.addrs {
			if !strings.Contains(a, "@") || !q.has(a, nil) {
				t.Fatalf("address %q read from %q is not one", a, s)
			}
		}
		for _, n := range q.names {
			if len(n) == 0 {
				t.Fatalf("empty name from %q", s)
			}
		}
	})
}
