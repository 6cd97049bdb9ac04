package terms

import (
	"slices"
	"sync"

	"github.com/misend/misend/internal/mail"
)

// Corpus is past mail reduced to what recommendation needs: for each message
// the set of its candidate terms, nothing else (no bodies, no addresses).
// Add is safe for concurrent use, so callers can tokenise on every core.
type Corpus struct {
	// listMatcher finds list terms in the raw text, since a list term need
	// not be a noun the tokenizer would extract (取扱い注意, NDA締結).
	listTerms   []string
	listMatcher *Matcher

	mu     sync.Mutex
	ids    map[string]int32
	names  []string
	person []bool
	docs   [][]int32 // sorted, unique term ids per message
}

// NewCorpus returns an empty corpus that also records, per message, which of
// listTerms occur in it (as the checker would match them).
func NewCorpus(listTerms []string) *Corpus {
	c := &Corpus{ids: map[string]int32{}}
	for _, t := range listTerms {
		if n := Normalize(t); n != "" && !slices.Contains(c.listTerms, n) {
			c.listTerms = append(c.listTerms, n)
		}
	}
	c.listMatcher = NewMatcher(c.listTerms)
	return c
}

// AddMessage adds a message's subject, body and text attachments.
func (c *Corpus) AddMessage(msg *mail.Message) error {
	parts := []string{msg.Subject, msg.Text}
	for _, a := range msg.Attachments {
		parts = append(parts, a.Text)
	}
	return c.Add(parts...)
}

// Add adds one message given as its text parts.
func (c *Corpus) Add(parts ...string) error {
	d, err := Extract(parts...)
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
}

// Extract tokenises a message's text parts. It is the expensive step and
// may run on many goroutines at once.
func Extract(parts ...string) (Doc, error) {
	seen := map[string]bool{}
	var d Doc
	for _, p := range parts {
		ex, err := ExtractTerms(p)
		if err != nil {
			return Doc{}, err
		}
		for _, t := range ex.Terms {
			if !seen[t] {
				seen[t] = true
				d.terms = append(d.terms, t)
			}
		}
		d.persons = append(d.persons, ex.Persons...)
	}
	d.text = Prepare(parts...)
	return d, nil
}

// AddDoc adds an extracted message.
func (c *Corpus) AddDoc(d Doc) {
	terms := d.terms
	for _, i := range c.listMatcher.Match(d.text) {
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
