package terms

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/ikawaha/kagome-dict/ipa"
	"github.com/ikawaha/kagome/v2/tokenizer"
	"golang.org/x/text/unicode/norm"
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
func ExtractTerms(text string) (Extracted, error) {
	tk, err := loadTokenizer()
	if err != nil {
		return Extracted{}, err
	}
	if len(text) > maxExtractBytes {
		text = strings.ToValidUTF8(text[:maxExtractBytes], "")
	}
	text = foldCase(norm.NFKC.String(text))
	seen := map[string]bool{}
	var ex Extracted
	emit := func(term string, person bool) {
		term = Normalize(term)
		if utf8.RuneCountInString(term) < 2 || seen[term] || !strings.ContainsFunc(term, unicode.IsLetter) {
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
	var ja strings.Builder
	for i := 0; i < len(text); {
		if isWordByte(text[i]) {
			j := i
			for j < len(text) && (isWordByte(text[j]) || (text[j] == '-' || text[j] == '_' || text[j] == '.') && j+1 < len(text) && isWordByte(text[j+1])) {
				j++
			}
			if w := text[i:j]; hasLetter(w) && !englishStopword[w] {
				emit(w, false)
			}
			ja.WriteByte('\n')
			i = j
			continue
		}
		ja.WriteByte(text[i])
		i++
	}
	var chain []string
	person, numeric := false, true
	flush := func() {
		if len(chain) > 0 && !numeric {
			emit(strings.Join(chain, ""), person)
		}
		chain, person, numeric = chain[:0], false, true
	}
	for _, tok := range tk.Tokenize(ja.String()) {
		f := tok.Features()
		if len(f) < 2 || f[0] != "名詞" {
			flush()
			continue
		}
		switch f[1] {
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
		if len(f) > 2 && f[2] == "人名" {
			person = true
		}
		if f[1] != "数" {
			numeric = false
		}
		chain = append(chain, tok.Surface)
	}
	flush()
	return ex, nil
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
