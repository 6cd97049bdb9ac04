package terms

import (
	"sync"
	"sync/atomic"
)

// Extractor extracts terms as ExtractTerms does, remembering the nouns of
// each piece of text it tokenised. Business mail repeats itself —
// greetings, sign-offs, signatures, disclaimers, the same sentence in a
// thread — so over a mailbox most pieces are seen before and kagome, the
// expensive step, runs once per distinct piece. The result is the same as
// without the cache (see segments). It is safe for concurrent use; a nil
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
