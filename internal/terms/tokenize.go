package terms

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/ikawaha/kagome-dict/ipa"
	"github.com/ikawaha/kagome/v2/tokenizer"
)

// The IPA dictionary costs about 0.3 s and 30 MB to load: only commands
// that recommend terms pay for it, once.
var loadTokenizer = sync.OnceValues(func() (*tokenizer.Tokenizer, error) {
	t, err := tokenizer.New(ipa.DictShrink(), tokenizer.OmitBosEos())
	if err != nil {
		return nil, fmt.Errorf("load Japanese dictionary: %w", err)
	}
	return t, nil
})

// maxExtractBytes caps the text one message contributes to recommendation;
// topics show in the first pages, and a 10 MB log attachment must not stall
// a run over a year of mail.
const maxExtractBytes = 64 << 10

// Extracted are the candidate terms of one text, each once.
type Extracted struct {
	Terms   []string
	Persons []string // the subset that are (or contain) person names
}

// ExtractTerms returns the nouns of text: Japanese nouns from kagome, with
// consecutive nouns joined into compounds (リスク+分析 → リスク分析), and for
// other languages words of ASCII letters, digits and inner '-', '_' or '.'
// kept whole (A-ORIGINAL-FRAMEWORK). Terms come NFKC-normalised and
// case-folded, as Normalize makes them.
//
// It remembers nothing between calls; an Extractor does the same with a
// cache, for runs over many messages.
func ExtractTerms(text string) (Extracted, error) {
	return (*Extractor)(nil).Terms(text)
}

// Terms returns the nouns of text, as ExtractTerms.
func (x *Extractor) Terms(text string) (Extracted, error) {
	tk, err := loadTokenizer()
	if err != nil {
		return Extracted{}, err
	}
	if len(text) > maxExtractBytes {
		text = strings.ToValidUTF8(text[:maxExtractBytes], "")
	}
	text = nfkcFold(text)
	seen := getSeen()
	defer putSeen(seen)
	var ex Extracted
	add := func(term string, person bool) {
		if seen[term] {
			return
		}
		seen[term] = true
		ex.Terms = append(ex.Terms, term)
		if person {
			ex.Persons = append(ex.Persons, term)
		}
	}
	// ASCII words are cut out first: kagome splits A-ORIGINAL-FRAMEWORK at
	// every hyphen. What remains goes to kagome with the words replaced by
	// a separator, so they never glue onto Japanese compounds.
	ja := make([]byte, 0, len(text))
	for i := 0; i < len(text); {
		if isWordByte(text[i]) {
			j := i
			for j < len(text) && (isWordByte(text[j]) || (text[j] == '-' || text[j] == '_' || text[j] == '.') && j+1 < len(text) && isWordByte(text[j+1])) {
				j++
			}
			if w := text[i:j]; hasLetter(w) && !englishStopword[w] {
				if t, ok := keepTerm(w); ok {
					add(t, false)
				}
			}
			ja = append(ja, '\n')
			i = j
			continue
		}
		ja = append(ja, text[i])
		i++
	}
	var buf []byte
	for seg, flags := range segments(string(ja)) {
		for _, t := range x.segment(tk, seg, flags, &buf) {
			add(t.term, t.person)
		}
	}
	return ex, nil
}

// keepTerm normalises a candidate and tells whether it is a term: two
// runes or more, with a letter in it.
func keepTerm(s string) (string, bool) {
	t := Normalize(s)
	if utf8.RuneCountInString(t) < 2 || !strings.ContainsFunc(t, unicode.IsLetter) {
		return "", false
	}
	return t, true
}

// nouns tokenises text and returns its noun compounds that are terms, each
// once, in order.
func nouns(tk *tokenizer.Tokenizer, text string) []segTerm {
	var out []segTerm
	var chain []string
	person, numeric := false, true
	flush := func() {
		if len(chain) > 0 && !numeric {
			if t, ok := keepTerm(strings.Join(chain, "")); ok && !containsTerm(out, t) {
				out = append(out, segTerm{t, person})
			}
		}
		chain, person, numeric = chain[:0], false, true
	}
	for _, tok := range tk.Tokenize(text) {
		// FeatureAt reads the dictionary without building the feature
		// slice Features would allocate for every token.
		if f0, _ := tok.FeatureAt(0); f0 != "名詞" {
			flush()
			continue
		}
		f1, ok := tok.FeatureAt(1)
		if !ok {
			flush()
			continue
		}
		switch f1 {
		case "非自立", "代名詞", "特殊":
			flush()
			continue
		case "接尾":
			if len(chain) == 0 {
				continue
			}
		}
		if strings.TrimFunc(tok.Surface, unicode.IsSpace) == "" {
			flush()
			continue
		}
		if f2, _ := tok.FeatureAt(2); f2 == "人名" {
			person = true
		}
		if f1 != "数" {
			numeric = false
		}
		chain = append(chain, tok.Surface)
	}
	flush()
	return out
}

func containsTerm(l []segTerm, t string) bool {
	for _, x := range l {
		if x.term == t {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func hasLetter(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			return true
		}
	}
	return false
}

// englishStopword are function words that would otherwise be the most
// frequent "terms" of English mail; the generic-term filter would drop them
// too, but only with enough non-confidential mail to see it.
var englishStopword = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an the and or but if of to in on at by for with from as is are was were be been
		being it its this that these those i you he she we they me him her us them my your our their not no yes
		do does did have has had will would shall should can could may might must so than then there here
		what which who whom when where why how all any each some such also just only very re fw fwd cc
		am pm please thanks thank regards hi hello dear`) {
		englishStopword[w] = true
	}
}
