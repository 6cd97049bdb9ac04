package terms

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// referenceExtractTerms is ExtractTerms as it was before texts were cut into
// cached pieces: the whole text through kagome at once, every token's
// features read with Features. The segmented, cached extraction must agree
// with it term for term, in order.
func referenceExtractTerms(text string) (Extracted, error) {
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

// foldCase folds a whole string as compact does, ranging over it (an
// invalid byte becomes U+FFFD).
func foldCase(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b = append(b, byte(r))
			continue
		}
		b = utf8.AppendRune(b, foldRune(r))
	}
	return string(b)
}

// referenceOwnText is OwnText as it was before quote markers were found
// without lower-casing the text.
func referenceOwnText(text string) string {
	lower := strings.ToLower(text)
	cut := len(text)
	for _, m := range quoteMarkers {
		if i := strings.Index(lower, m); i >= 0 && i < cut {
			cut = i
		}
	}
	if len(lower) != len(text) {
		cut = len(text)
	}
	text = text[:cut]
	if !strings.Contains(text, "\n>") && !strings.HasPrefix(text, ">") {
		return text
	}
	var b strings.Builder
	for line := range strings.Lines(text) {
		if !strings.HasPrefix(strings.TrimLeft(line, " \t"), ">") {
			b.WriteString(line)
		}
	}
	return b.String()
}
