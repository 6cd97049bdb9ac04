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
		"A社 田中様\n", "株式会社Aの田中様", "Dear Mr. Tanaka,", "Hi Bob,", "Hello Bob and Alice",
		"様", "の様", "Dear ,", "Dear Mr.", "Dear Mr. .", "\x1b$B@6Ln\x1b(B様", "\xff\xfe様",
		strings.Repeat("a", 5000) + "様", strings.Repeat("Dear ", 1000), "田中さん、、、鈴木さん",
		"Dear Mr. Tanaka, Ms. Suzuki and Dr. Ito:", "ＡＢＣ社　田中様", "\r\n\r\n田中様\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, g := range ParseGreeting(s) {
			if g.Person == "" && g.Company == "" {
				t.Fatalf("empty greeting from %q", s)
			}
			if !utf8.ValidString(g.Person) || !utf8.ValidString(g.Company) {
				t.Fatalf("invalid UTF-8 from %q", s)
			}
			if len(g.Person) > greetingLineSize || len(g.Company) > greetingLineSize {
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
