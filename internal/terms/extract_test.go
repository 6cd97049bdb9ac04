package terms

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ikawaha/kagome-dict/ipa"
	"golang.org/x/text/unicode/norm"

	"github.com/misend/misend/internal/ingest"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/synth"
)

// TestNoDictionaryWordHoldsSpace checks what segmented extraction relies
// on: no word of the dictionary contains a byte kagome classes as SPACE, so
// a run of white space is covered only by SPACE unknown-word nodes, which
// all share one dictionary entry (same connection ids).
func TestNoDictionaryWordHoldsSpace(t *testing.T) {
	d := ipa.DictShrink()
	for _, c := range []byte(" \n\t\v") {
		if cl := d.CharacterCategory(rune(c)); d.CharClass[cl] != "SPACE" {
			t.Errorf("%q is %s, not SPACE", c, d.CharClass[cl])
		}
	}
	for _, c := range []byte("\r\f") {
		if cl := d.CharacterCategory(rune(c)); d.CharClass[cl] == "SPACE" {
			t.Errorf("%q is SPACE: isLatticeSpace must include it", c)
		}
	}
	if dup := d.UnkDict.IndexDup[int32(d.CharacterCategory(' '))]; dup != 0 {
		t.Errorf("SPACE has %d more unknown-word entries", dup)
	}
	// A transition on byte c from state p lands on Base[p]+c with
	// Check = p: look for one on any white-space byte.
	da := d.Index.Da
	multibyte := 0
	for q := 1; q < len(da); q++ {
		p := int(da[q].Check)
		if p < 0 || p >= len(da) {
			continue
		}
		switch c := q - int(da[p].Base); {
		case c >= 0 && c < 256 && isLatticeSpace(byte(c)):
			t.Fatalf("a dictionary word contains %q", byte(c))
		case c == 0xe3: // lead byte of kana and CJK punctuation
			multibyte++
		}
	}
	if multibyte == 0 {
		t.Fatal("found no transitions at all: the trie layout is not what this test assumes")
	}
}

// spacingTexts put white space everywhere segmentation could go wrong:
// at the start and end, in runs, between nouns that would otherwise
// compound, next to '\r' (not SPACE to kagome) and ideographic space.
var spacingTexts = []string{
	"リスク 分析",
	" リスク分析",
	"リスク分析 ",
	"\n\n  リスク\t\t分析\v\n",
	"リスク\r\n分析\r\n",
	"お疲れ様です。\u3000田中です。\n  \n本日の会議は中止です。",
	"東京都 千代田区 丸の内 1-1-1",
	"田中 太郎\n佐藤花子\n山田",
	"A-ORIGINAL-FRAMEWORKでリスク分析 q3-forecast.xlsx 契約書ドラフト",
	"株式会社 　ＮＥＣ　 ソリューション　イノベータ",
	"第3四半期 決算 速報値\n\n\n---\n会社名: 株式会社サンプル\nTEL: 03-1234-5678",
	"  ",
	"",
	"\n",
}

// extractionTexts are texts to compare the two extractions on: the test
// week, the paper's figures, odd inputs, spacing cases and parsed mail of a
// small generated organisation.
func extractionTexts(t *testing.T) []string {
	t.Helper()
	texts := append([]string{figure8, figure9}, oddTexts...)
	texts = append(texts, spacingTexts...)
	texts = append(texts, quoteTexts...)
	for seed := uint64(1); seed <= 3; seed++ {
		for _, m := range weekOfMail(seed) {
			texts = append(texts, m.Subject, m.Body)
		}
	}
	org, err := synth.New(5, synth.Options{People: 40, Days: 15, Start: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), Rate: 0.5, Domain: "corp.example"})
	if err != nil {
		t.Fatal(err)
	}
	if err := org.Messages(func(m *synth.Mail) error {
		msg, err := mail.ParseBytes(m.Raw, mail.Limits{})
		if err != nil {
			return err
		}
		texts = append(texts, msg.Subject, msg.Text, OwnText(msg.Text))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return texts
}

// TestSegmentedExtraction: tokenising piece by piece, with and without the
// cache, finds exactly the terms (and person names, in order) of
// tokenising each text whole.
func TestSegmentedExtraction(t *testing.T) {
	texts := extractionTexts(t)
	x := NewExtractor(1 << 20)
	tiny := NewExtractor(4 << 10) // evicts all the time
	for i, text := range texts {
		if got, want := nfkcFold(text), foldCase(norm.NFKC.String(text)); got != want {
			t.Fatalf("text %d: nfkcFold = %q, want %q", i, got, want)
		}
		if got, want := OwnText(text), referenceOwnText(text); got != want {
			t.Fatalf("text %d: OwnText = %q, want %q", i, got, want)
		}
		want, err := referenceExtractTerms(text)
		if err != nil {
			t.Fatal(err)
		}
		// The cached extractors see every text twice, the second time
		// mostly from the cache.
		for _, ex := range []*Extractor{nil, x, x, tiny, tiny} {
			got, err := ex.Terms(text)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("text %d %q (cache %v):\n%s", i, text, ex != nil, d)
			}
		}
	}
	st := x.Stats()
	t.Logf("%d texts: %+v, hit rate %.3f", len(texts), st, st.HitRate())
	if st.Hits == 0 || st.Hits >= st.Segments {
		t.Errorf("stats %+v: want some hits and some misses", st)
	}
}

// TestSegmentedExtractionRealMail compares the extractions on the mail
// under $MISEND_BENCH_MAIL (files, Maildirs or mboxes: the unpacked Enron
// sent mail, misend synth output), up to 5,000 messages.
func TestSegmentedExtractionRealMail(t *testing.T) {
	root := os.Getenv("MISEND_BENCH_MAIL")
	if root == "" {
		t.Skip("set MISEND_BENCH_MAIL to mail files or directories")
	}
	x := NewExtractor(DefaultCacheBytes)
	n := 0
	enough := errors.New("enough")
	_, err := ingest.Walk(context.Background(), filepath.SplitList(root), ingest.Options{}, func(src string, msg *mail.Message) error {
		if n == 5000 {
			return enough
		}
		n++
		if got, want := OwnText(msg.Text), referenceOwnText(msg.Text); got != want {
			t.Fatalf("%s: OwnText = %q, want %q", src, got, want)
		}
		for _, text := range []string{msg.Subject, msg.Text, OwnText(msg.Text)} {
			want, _ := referenceExtractTerms(text)
			got, _ := x.Terms(text)
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("%s:\n%s", src, d)
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, enough) {
		t.Fatal(err)
	}
	st := x.Stats()
	t.Logf("%d messages: %+v, hit rate %.3f", n, st, st.HitRate())
}

func FuzzSegmentedExtraction(f *testing.F) {
	for _, s := range append(oddTexts, spacingTexts...) {
		f.Add(s)
	}
	f.Add(figure8)
	x := NewExtractor(64 << 10)
	f.Fuzz(func(t *testing.T, text string) {
		want, err := referenceExtractTerms(text)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			got, err := x.Terms(text)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("%q:\n%s", text, d)
			}
		}
		if s := strings.TrimSpace(text); s != text {
			// Surrounding white space changes the pieces' flags, not
			// their terms.
			want, _ := referenceExtractTerms(s)
			got, _ := x.Terms(s)
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("%q:\n%s", s, d)
			}
		}
	})
}

// quoteTexts exercise the quote markers: cases, positions, overlapping
// dashes, and characters whose lower case is longer or shorter.
var quoteTexts = []string{
	"了解です。\n-----元のメッセージ-----\n差出人: 田中\n件名: 極秘案件",
	"Thanks.\n-----Original Message-----\nFrom: x",
	"ok\n------ORIGINAL MESSAGE-----\nquoted",
	"ok ----- Forwarded by Jane/HOU/ECT on 01/02/2001 -----",
	"----------------------\n---------------------- Forwarded by x",
	"İstanbul\n-----Original Message-----\nsecret",
	"\u212a-----original message-----",
	"Ａ-----ORIGINAL message-----x",
	"\xff-----original message-----x",
	"ſ-----original meſſage-----",
	"--- ----- -----------",
	"> quoted\n  > more\nown\n-------- 転送メッセージ --------\nfwd",
}

func FuzzOwnText(f *testing.F) {
	for _, s := range append(quoteTexts, oddTexts...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := OwnText(s), referenceOwnText(s); got != want {
			t.Fatalf("OwnText(%q) = %q, want %q", s, got, want)
		}
	})
}

func FuzzNFKCFold(f *testing.F) {
	for _, s := range append(oddTexts, spacingTexts...) {
		f.Add(s)
	}
	f.Add("か\u3099き\u309aA\u0301 ｶﾞ ㍿ ﬀ Ⅻ ① \xff\xfe \ufffd\u00a0\u200b")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := nfkcFold(s), foldCase(norm.NFKC.String(s)); got != want {
			t.Fatalf("nfkcFold(%q) = %q, want %q", s, got, want)
		}
	})
}
