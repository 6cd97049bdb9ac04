package terms

import (
	"context"
	"maps"
	"slices"
	"sync"

	"github.com/misend/misend/internal/mail"
)

// CorpusBuilder reads past mail into one Corpus per scope for Recommend.
// It tokenises messages on several goroutines through one Extractor, whose
// cache serves the text mail repeats, and adds each message, in the order
// it was given, to the corpora of the scopes its sender belongs to. The
// corpora are therefore the same whatever the number of workers.
type CorpusBuilder struct {
	x       *Extractor
	corpora map[Scope]*Corpus
	scopes  []Scope // sorted: each message visits the corpora in one order
	belongs func(Scope, string) bool
	// One matcher over every scope's list, run by the workers: each
	// corpus picks its own terms out of the hits.
	listTerms []string
	matcher   *Matcher
	pipe      *ordered[builderJob, builderDoc]

	mu  sync.Mutex
	err error
}

// BuildOptions tune a CorpusBuilder; the zero value is the default.
type BuildOptions struct {
	Workers    int // tokenising goroutines; ≤ 0: GOMAXPROCS
	CacheBytes int // the Extractor's cache; 0: DefaultCacheBytes, < 0: none
}

type builderJob struct {
	sender string
	parts  []string
}

type builderDoc struct {
	sender string
	doc    Doc
	err    error
}

// NewCorpusBuilder starts a builder for the lists of each scope. belongs
// tells whether mail by sender is mail of a scope; nil: every message
// belongs to every scope.
func NewCorpusBuilder(lists map[Scope][]string, belongs func(scope Scope, sender string) bool, opt BuildOptions) *CorpusBuilder {
	cache := opt.CacheBytes
	if cache == 0 {
		cache = DefaultCacheBytes
	}
	b := &CorpusBuilder{x: NewExtractor(cache), corpora: map[Scope]*Corpus{}, belongs: belongs}
	all := map[string]bool{}
	for sc, l := range lists {
		b.corpora[sc] = NewCorpus(l)
		b.corpora[sc].x = nil // the builder extracts
		for _, t := range b.corpora[sc].listTerms {
			all[t] = true
		}
	}
	b.scopes = slices.Sorted(maps.Keys(b.corpora))
	b.listTerms = slices.Sorted(maps.Keys(all))
	b.matcher = NewMatcher(b.listTerms)
	b.pipe = startOrdered(opt.Workers, b.extract, b.add)
	return b
}

// Add queues one message given as its sender's address and text parts. It
// blocks while the workers are behind; it returns ctx's error if ctx ends
// first, or the first tokenising error.
func (b *CorpusBuilder) Add(ctx context.Context, sender string, parts ...string) error {
	if err := b.failed(); err != nil {
		return err
	}
	return b.pipe.submit(ctx, builderJob{sender: sender, parts: parts})
}

// AddMessage queues a message's subject, body and text attachments.
func (b *CorpusBuilder) AddMessage(ctx context.Context, msg *mail.Message) error {
	return b.Add(ctx, msg.From.Addr, messageParts(msg)...)
}

// Close waits for the queued messages and returns the corpora, one per
// scope of the lists.
func (b *CorpusBuilder) Close() (map[Scope]*Corpus, error) {
	b.pipe.close()
	return b.corpora, b.failed()
}

// Stats says how much the cache saved.
func (b *CorpusBuilder) Stats() ExtractStats { return b.x.Stats() }

func (b *CorpusBuilder) failed() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// extract runs on the workers: tokenising and list matching, the costly
// parts, so the sink only interns terms.
func (b *CorpusBuilder) extract(j builderJob) builderDoc {
	d, err := b.x.Extract(j.parts...)
	if err != nil {
		return builderDoc{err: err}
	}
	for _, i := range b.matcher.Match(d.text) {
		d.hits = append(d.hits, b.listTerms[i])
	}
	d.listed, d.text = true, Text{}
	return builderDoc{sender: j.sender, doc: d}
}

func (b *CorpusBuilder) add(r builderDoc) {
	if r.err != nil {
		b.mu.Lock()
		if b.err == nil {
			b.err = r.err
		}
		b.mu.Unlock()
		return
	}
	for _, sc := range b.scopes {
		if b.belongs == nil || b.belongs(sc, r.sender) {
			b.corpora[sc].AddDoc(r.doc)
		}
	}
}
