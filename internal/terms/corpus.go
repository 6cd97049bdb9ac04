package terms

import (
	"slices"
	"sync"

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
