package terms

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Odd real-world shapes: full-width and half-width forms, zero-width and
// ideographic spaces inside terms, combining marks, broken UTF-8, NULs,
// ISO-2022-JP escapes left in text by a broken decoder, very long runs.
var oddTexts = []string{
	"ＮＤＡ締結前の資料です",
	"個\u3000人\u200b情\u00ad報",
	"ｶﾌﾞｼｷｶﾞｲｼｬ 取扱い注意",
	"\x1b$B5!L)\x1b(B を含む",
	"e\u0301te\u0301 confidential",
	"\xff\xfe\xfd秘密",
	"秘密\x00資料",
	"A-ORIGINAL-FRAMEWORK-2 a-original-framework_x",
	strings.Repeat("秘", 5000),
	strings.Repeat("1234 5678 9018 ", 300),
	"〒100-0001〒１００－０００１ 03-1234-5678",
	"ǅungla ǆ İstanbul ß ẞ ﬁle",
}

func FuzzMatch(f *testing.F) {
	for _, s := range oddTexts {
		f.Add(s, "秘密")
		f.Add(s, "NDA")
	}
	f.Fuzz(func(t *testing.T, text, term string) {
		m := NewMatcher([]string{term, "個人情報", "nda"})
		got := m.Match(Prepare(text))
		for i := 1; i < len(got); i++ {
			if got[i] <= got[i-1] {
				t.Fatalf("matches not ascending and unique: %v", got)
			}
		}
		// A term between spaces is always found, whatever the spacing
		// inside it.
		n := Normalize(term)
		if n == "" || !utf8.ValidString(term) || bytes.IndexByte([]byte(n), 0) >= 0 {
			return
		}
		if got := m.Match(Prepare(text + " " + term + " ")); len(got) == 0 || got[0] != 0 {
			// Normalisation need not be idempotent across the boundary for
			// every rune (NFKC of a lone combining mark can merge with the
			// previous text), so check against the term alone too.
			if got := m.Match(Prepare(term)); len(got) == 0 || got[0] != 0 {
				t.Fatalf("term %q (normalised %q) not found in itself", term, n)
			}
		}
	})
}

func FuzzFindPersonalData(f *testing.F) {
	for _, s := range oddTexts {
		f.Add(s)
	}
	f.Add("4111-1111-1111-1111 3782 822463 10005 +81 90 1234 5678")
	f.Fuzz(func(t *testing.T, text string) {
		p := FindPersonalData(text)
		if p.MyNumbers < 0 || p.Cards < 0 || p.MyNumbers+p.Cards+p.Phones+p.PostalAddress > len(text) {
			t.Fatalf("impossible counts %+v for %d bytes", p, len(text))
		}
		s := p.Sentence(1)
		for _, d := range []string{"1234", "5678", "9018"} {
			if strings.Contains(s, d) {
				t.Fatalf("sentence shows digits: %q", s)
			}
		}
	})
}

func FuzzParseGroupsCSV(f *testing.F) {
	f.Add(builtinThesaurus)
	f.Add("a,b\n\n#c\nx, ,y,\n")
	f.Add("only\n")
	f.Add("\x8d\xb2\x93\xa1,\x89\x63\x8b\xc6\n") // Shift_JIS
	f.Add(strings.Repeat("x", 5000) + ",y\n")
	f.Fuzz(func(t *testing.T, in string) {
		groups, err := ParseGroupsCSV(strings.NewReader(in))
		if err != nil {
			return
		}
		th := NewThesaurus(groups)
		for _, g := range groups {
			if len(g) < 2 {
				t.Fatalf("group of %d", len(g))
			}
			for _, s := range th.Synonyms(g[0], 3, nil) {
				if Normalize(s) == Normalize(g[0]) {
					t.Fatalf("%q offered as its own synonym", s)
				}
			}
		}
	})
}

func FuzzParseSudachi(f *testing.F) {
	f.Add("000001,1,0,1,0,0,0,(),曖昧,,\n000001,1,0,1,0,0,2,(),あいまい,,\n\n000002,1,2,1,0,0,0,(),宛先,,\n000002,1,0,2,0,0,0,(),送り先,,\n")
	f.Add("x,1,0,1,0,0,0,(),a,,\n")
	f.Add("1,1,0\n")
	f.Add("\ufeff000001,1,0,1,0,0,0,(ビジネス),機密,,\r\n000001,1,0,1,0,0,0,(),秘密,,\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		groups, err := ParseSudachi(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, g := range groups {
			if len(g) < 2 {
				t.Fatalf("group of %d", len(g))
			}
		}
	})
}

func FuzzExtractTerms(f *testing.F) {
	for _, s := range oddTexts {
		f.Add(s)
	}
	f.Add(figure8)
	f.Add(figure9)
	f.Add("> quoted\nown text\n-----Original Message-----\nFrom: x")
	f.Add("İİİ -----original message----- 秘密")
	f.Fuzz(func(t *testing.T, text string) {
		if own := OwnText(text); len(own) > len(text) {
			t.Fatalf("OwnText grew the text: %q → %q", text, own)
		}
		ex, err := ExtractTerms(text)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, term := range ex.Terms {
			if term == "" || seen[term] || term != Normalize(term) {
				t.Fatalf("bad term %q in %v", term, ex.Terms)
			}
			seen[term] = true
		}
		for _, p := range ex.Persons {
			if !seen[p] {
				t.Fatalf("person %q not among terms", p)
			}
		}
	})
}

// referenceNormalize is Normalize written plainly: whole-text NFKC, then
// folding, then white space removed. The fast path must agree with it.
func referenceNormalize(s string) string {
	var b strings.Builder
	for _, r := range foldCase(norm.NFKC.String(s)) {
		if !isSpace(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func FuzzNormalize(f *testing.F) {
	for _, s := range oddTexts {
		f.Add(s)
	}
	f.Add("か\u3099き\u309aA\u0301 ｶﾞ ㍿ ﬀ Ⅻ ①")
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // invalid bytes are replaced differently by design
		}
		if got, want := Normalize(s), referenceNormalize(s); got != want {
			t.Fatalf("Normalize(%q) = %q, reference %q", s, got, want)
		}
	})
}

// FuzzDecodeIDs feeds arbitrary bytes as a stored word list: a damaged
// index must give an error, never a panic, and what decodes is ascending.
func FuzzDecodeIDs(f *testing.F) {
	f.Add([]byte{})
	f.Add(encodeIDs([]int64{1, 2, 300, 1 << 20}))
	f.Add([]byte{0x80, 0x80, 0x80})
	f.Add(bytes.Repeat([]byte{0xff}, 12))
	f.Fuzz(func(t *testing.T, b []byte) {
		ids, err := decodeIDs(nil, b)
		if err != nil {
			return
		}
		for i := 1; i < len(ids); i++ {
			if ids[i] < ids[i-1] {
				t.Fatalf("descending ids %v from %x", ids, b)
			}
		}
	})
}
