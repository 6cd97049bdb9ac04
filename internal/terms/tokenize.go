package terms

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
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

// Extractor extracts terms as ExtractTerms does, remembering the nouns of
// each piece of text it tokenised. Business mail repeats itself —
// greetings, sign-offs, signatures, disclaimers, the same sentence in a
// thread — so over a mailbox most pieces are seen before and kagome, the
// expensive step, runs once per distinct piece. The result is the same as
// without the cache (see segment). It is safe for concurrent use; a nil
// *Extractor extracts without a cache.
type Extractor struct {
	cache *segmentCache

	segments, hits, tokenized, cached, ascii atomic.Int64
}

// DefaultCacheBytes bounds an Extractor's cache unless told otherwise:
// enough for the distinct lines of a year of an organisation's mail, small
// next to the dictionary.
const DefaultCacheBytes = 64 << 20

// NewExtractor returns an Extractor whose cache holds at most about
// cacheBytes of text and terms (≤ 0: no cache).
func NewExtractor(cacheBytes int) *Extractor {
	if cacheBytes <= 0 {
		return &Extractor{}
	}
	return &Extractor{cache: newSegmentCache(cacheBytes)}
}

// ExtractStats says how much tokenising an Extractor saved.
type ExtractStats struct {
	Segments int64 // pieces of text between white space with non-ASCII in them
	Hits     int64 // of those, found in the cache
	// Tokenized and Cached are the bytes of those pieces that went
	// through kagome and that came from the cache.
	Tokenized, Cached int64
	// ASCII are bytes of pieces without non-ASCII text (no kagome needed).
	ASCII int64
}

// HitRate is the fraction of pieces answered from the cache.
func (s ExtractStats) HitRate() float64 {
	if s.Segments == 0 {
		return 0
	}
	return float64(s.Hits) / float64(s.Segments)
}

// Stats returns what the Extractor has done so far.
func (x *Extractor) Stats() ExtractStats {
	if x == nil {
		return ExtractStats{}
	}
	return ExtractStats{Segments: x.segments.Load(), Hits: x.hits.Load(), Tokenized: x.tokenized.Load(),
		Cached: x.cached.Load(), ASCII: x.ascii.Load()}
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

// seenPool holds the sets that dedupe a message's terms: a message has a
// few hundred, and growing a new map for each is a good part of the cost
// once the cache has taken the tokenising away.
var seenPool = sync.Pool{New: func() any { return map[string]bool{} }}

func getSeen() map[string]bool { return seenPool.Get().(map[string]bool) }

func putSeen(m map[string]bool) {
	if len(m) > 1<<14 {
		return // a freak message: let its big map go
	}
	clear(m)
	seenPool.Put(m)
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

// segTerm is a term found in a segment.
type segTerm struct {
	term   string
	person bool
}

// Segment flags: whether white space comes before and after the segment in
// the text given to kagome.
const (
	spaceBefore = 1 << iota
	spaceAfter
)

// isLatticeSpace tells whether c is one of the bytes kagome's IPA
// dictionary classes as SPACE (not '\r' and '\f', which are DEFAULT).
func isLatticeSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\v' }

// segments yields the pieces of s between runs of white space, each with
// whether white space precedes and follows it.
//
// Tokenising s piece by piece finds exactly the nouns of tokenising it
// whole, when each piece is tokenised with a "\n" where white space
// surrounds it. In kagome's lattice a run of white space is covered only by
// nodes of the one SPACE unknown-word entry (no dictionary word contains
// white space: TestNoDictionaryWordHoldsSpace), which share their left and
// right connection ids. So every path crosses the run through nodes of the
// same ids; the cost of what lies before the run does not depend on the
// choice after it and the reverse, and the best path of the whole text is
// the best path of each piece with its surroundings reduced to "one SPACE
// node" or BOS/EOS. Nouns never chain across white space (it ends a
// compound), so nothing spans two pieces either.
func segments(s string) func(yield func(string, int) bool) {
	return func(yield func(string, int) bool) {
		i := 0
		for i < len(s) {
			start := i
			for i < len(s) && isLatticeSpace(s[i]) {
				i++
			}
			if i == len(s) {
				return
			}
			flags := 0
			if i > start || start > 0 {
				flags |= spaceBefore
			}
			j := i
			for j < len(s) && !isLatticeSpace(s[j]) {
				j++
			}
			if j < len(s) {
				flags |= spaceAfter
			}
			if !yield(s[i:j], flags) {
				return
			}
			i = j
		}
	}
}

// maxCachedSegment is the longest piece kept in the cache: a long piece
// without white space is seldom repeated word for word.
const maxCachedSegment = 4 << 10

// segment returns the terms of one piece of text, from the cache if it was
// seen before. buf is scratch space for the tokeniser's input.
func (x *Extractor) segment(tk *tokenizer.Tokenizer, seg string, flags int, buf *[]byte) []segTerm {
	if isASCII(seg) {
		// After the ASCII words were cut out only punctuation is left:
		// nothing with a letter in it, so no term.
		if x != nil {
			x.ascii.Add(int64(len(seg)))
		}
		return nil
	}
	c := (*segmentCache)(nil)
	if x != nil {
		x.segments.Add(1)
		if len(seg) <= maxCachedSegment {
			c = x.cache
		}
	}
	if c != nil {
		if ts, ok := c.get(seg, flags); ok {
			x.hits.Add(1)
			x.cached.Add(int64(len(seg)))
			return ts
		}
	}
	in := seg
	if flags != 0 {
		b := (*buf)[:0]
		if flags&spaceBefore != 0 {
			b = append(b, '\n')
		}
		b = append(b, seg...)
		if flags&spaceAfter != 0 {
			b = append(b, '\n')
		}
		*buf = b
		in = string(b)
	}
	ts := nouns(tk, in)
	if x != nil {
		x.tokenized.Add(int64(len(seg)))
	}
	if c != nil {
		c.put(seg, flags, ts)
	}
	return ts
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
