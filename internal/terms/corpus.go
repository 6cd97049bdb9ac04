package terms

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/misend/misend/internal/mail"
)

// Corpus is past mail reduced to what recommendation needs: for each message
// the set of its candidate terms, nothing else (no bodies, no addresses).
// Add is safe for concurrent use, but the order messages arrive in decides
// the term ids: a CorpusBuilder tokenises on every core and still adds in
// a fixed order.
type Corpus struct {
	// listMatcher finds list terms in the raw text, since a list term need
	// not be a noun the tokenizer would extract (取扱い注意, NDA締結).
	listTerms   []string
	listIndex   map[string]int // position in listTerms
	listMatcher *Matcher
	x           *Extractor // for Add

	mu     sync.Mutex
	ids    map[string]int32
	names  []string
	person []bool
	docs   [][]int32 // sorted, unique term ids per message
}

// NewCorpus returns an empty corpus that also records, per message, which of
// listTerms occur in it (as the checker would match them).
func NewCorpus(listTerms []string) *Corpus {
	c := &Corpus{ids: map[string]int32{}, listIndex: map[string]int{}, x: NewExtractor(DefaultCacheBytes)}
	for _, t := range listTerms {
		if n := Normalize(t); n != "" && !slices.Contains(c.listTerms, n) {
			c.listIndex[n] = len(c.listTerms)
			c.listTerms = append(c.listTerms, n)
		}
	}
	c.listMatcher = NewMatcher(c.listTerms)
	return c
}

// AddMessage adds a message's subject, body and text attachments.
func (c *Corpus) AddMessage(msg *mail.Message) error {
	return c.Add(messageParts(msg)...)
}

func messageParts(msg *mail.Message) []string {
	parts := []string{msg.Subject, msg.Text}
	for _, a := range msg.Attachments {
		parts = append(parts, a.Text)
	}
	return parts
}

// Add adds one message given as its text parts.
func (c *Corpus) Add(parts ...string) error {
	d, err := c.x.Extract(parts...)
	if err != nil {
		return err
	}
	c.AddDoc(d)
	return nil
}

// Doc is one message reduced for recommendation, ready to add to one or
// more corpora (one per scope) without tokenising again.
type Doc struct {
	terms, persons []string
	text           Text
	// listed says hits holds the list terms (normalised) found in text,
	// for every corpus the Doc goes to; text is then not needed.
	listed bool
	hits   []string
}

// Extract tokenises a message's text parts. It is the expensive step and
// may run on many goroutines at once.
func Extract(parts ...string) (Doc, error) {
	return (*Extractor)(nil).Extract(parts...)
}

// Extract tokenises a message's text parts, as the function Extract.
func (x *Extractor) Extract(parts ...string) (Doc, error) {
	terms, persons, own, err := x.extractOwn(parts)
	if err != nil {
		return Doc{}, err
	}
	// A mail is confidential for what its sender wrote, not for what it
	// quotes: the same text the terms come from.
	return Doc{terms: terms, persons: persons, text: Prepare(own...)}, nil
}

// extractOwn returns the distinct candidate terms of the sender's own text
// in parts, those that are person names, and that own text.
func (x *Extractor) extractOwn(parts []string) (terms, persons, own []string, err error) {
	seen := getSeen()
	defer putSeen(seen)
	own = make([]string, len(parts))
	for i, p := range parts {
		own[i] = OwnText(p)
		ex, err := x.Terms(own[i])
		if err != nil {
			return nil, nil, nil, err
		}
		for _, t := range ex.Terms {
			if !seen[t] {
				seen[t] = true
				terms = append(terms, t)
			}
		}
		persons = append(persons, ex.Persons...)
	}
	return terms, persons, own, nil
}

// AddDoc adds an extracted message.
func (c *Corpus) AddDoc(d Doc) {
	terms := d.terms
	var found []int
	if d.listed {
		for _, h := range d.hits {
			if i, ok := c.listIndex[h]; ok {
				found = append(found, i)
			}
		}
		slices.Sort(found)
	} else {
		found = c.listMatcher.Match(d.text)
	}
	for _, i := range found {
		if t := c.listTerms[i]; !slices.Contains(d.terms, t) {
			terms = append(terms[:len(terms):len(terms)], t)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	doc := make([]int32, 0, len(terms))
	for _, t := range terms {
		doc = append(doc, c.intern(t))
	}
	for _, p := range d.persons {
		c.person[c.ids[p]] = true
	}
	slices.Sort(doc)
	c.docs = append(c.docs, slices.Compact(doc))
}

func (c *Corpus) intern(t string) int32 {
	if id, ok := c.ids[t]; ok {
		return id
	}
	id := int32(len(c.names))
	c.ids[t] = id
	c.names = append(c.names, t)
	c.person = append(c.person, false)
	return id
}

// Len returns the number of messages.
func (c *Corpus) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.docs)
}

// quoteMarkers start the quoted part of a reply or forward in the mail
// clients seen in Japanese and English offices.
var quoteMarkers = []string{
	"-----original message-----",
	"----- original message -----",
	"----- forwarded by",
	"---------------------- forwarded by",
	"-----元のメッセージ-----",
	"----- 転送メッセージ -----",
	"-------- original message --------",
	"-------- 転送メッセージ --------",
}

// OwnText returns what the sender wrote in text: lines quoted with '>' and
// everything from a reply or forward marker on are left out. Recommendation
// learns from it, so a quoted header block (From:, Sent:, Subject:) or
// another person's mail does not count as the sender's vocabulary; matching
// still sees the whole text.
func OwnText(text string) string {
	text = text[:quoteCut(text)]
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

// quoteCut returns where the first quote marker starts in text, compared
// case-insensitively, or len(text).
//
// Every marker starts with five dashes, which most mail lacks; and when
// lower-casing keeps every character's length, a marker can be compared in
// place, byte by byte, without lower-casing the text.
func quoteCut(text string) int {
	if !strings.Contains(text, "-----") {
		return len(text)
	}
	if !lowerKeepsLengths(text) {
		return quoteCutLower(text)
	}
	for i := 0; ; {
		j := strings.Index(text[i:], "-----")
		if j < 0 {
			return len(text)
		}
		i += j
		for _, m := range quoteMarkers {
			if hasLowerPrefix(text[i:], m) {
				return i
			}
		}
		i++
	}
}

// quoteCutLower finds the markers in strings.ToLower(text). ToLower keeps
// byte offsets for these ASCII and Japanese markers only when the text
// before them is unchanged in length; it falls back to the whole text when
// the lengths differ.
func quoteCutLower(text string) int {
	lower := strings.ToLower(text)
	if len(lower) != len(text) {
		return len(text)
	}
	cut := len(text)
	for _, m := range quoteMarkers {
		if i := strings.Index(lower, m); i >= 0 && i < cut {
			cut = i
		}
	}
	return cut
}

// lowerKeepsLengths tells whether strings.ToLower(s) maps every character
// to one of the same length in UTF-8 (and s is valid UTF-8).
func lowerKeepsLengths(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return false
		}
		if (r < 0x3000 || r >= 0xa640) && utf8.RuneLen(unicode.ToLower(r)) != n {
			return false
		}
		i += n
	}
	return true
}

// hasLowerPrefix tells whether s starts with marker m once lower-cased,
// for s whose characters keep their length when lower-cased: a letter of
// m can then only come from the same ASCII letter in either case, and a
// Japanese character of m (which has no case) only from itself.
func hasLowerPrefix(s, m string) bool {
	if len(s) < len(m) {
		return false
	}
	for k := 0; k < len(m); k++ {
		c := s[k]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != m[k] {
			return false
		}
	}
	return true
}
