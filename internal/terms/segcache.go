package terms

import (
	"hash/maphash"
	"strings"
	"sync"
)

// segmentCache maps a piece of text (and its white-space flags) to its
// terms, within a byte budget. Each shard keeps two generations: lookups
// try the current one, then the previous one, moving what they find
// forward; when the current generation has used half the shard's budget it
// becomes the previous one and the old previous one is dropped. That keeps
// what recurs (a signature, a greeting) and forgets what was seen once,
// like an LRU without a list to maintain on every hit.
type segmentCache struct {
	seed   maphash.Seed
	shards [cacheShards]cacheShard
	half   int // bytes per generation per shard
}

const cacheShards = 16

type cacheKey struct {
	seg   string
	flags int
}

type cacheShard struct {
	mu       sync.Mutex
	cur, old map[cacheKey][]segTerm
	curBytes int
}

func newSegmentCache(bytes int) *segmentCache {
	c := &segmentCache{seed: maphash.MakeSeed(), half: max(bytes/cacheShards/2, 1)}
	for i := range c.shards {
		c.shards[i].cur = map[cacheKey][]segTerm{}
	}
	return c
}

func (c *segmentCache) shard(seg string) *cacheShard {
	return &c.shards[maphash.String(c.seed, seg)%cacheShards]
}

func (c *segmentCache) get(seg string, flags int) ([]segTerm, bool) {
	s := c.shard(seg)
	k := cacheKey{seg, flags}
	s.mu.Lock()
	ts, ok := s.cur[k]
	if !ok {
		if ts, ok = s.old[k]; ok {
			delete(s.old, k)
			s.add(k, ts, c.half)
		}
	}
	s.mu.Unlock()
	return ts, ok
}

// put stores the terms of a piece just tokenised. The key is copied: seg
// is a slice of a message's text, which must not stay alive in the cache.
func (c *segmentCache) put(seg string, flags int, ts []segTerm) {
	s := c.shard(seg)
	k := cacheKey{strings.Clone(seg), flags}
	s.mu.Lock()
	if _, ok := s.cur[k]; !ok {
		s.add(k, ts, c.half)
	}
	s.mu.Unlock()
}

func (s *cacheShard) add(k cacheKey, ts []segTerm, half int) {
	size := entrySize(k.seg, ts)
	if s.curBytes+size > half && len(s.cur) > 0 {
		s.old, s.cur, s.curBytes = s.cur, make(map[cacheKey][]segTerm, len(s.cur)), 0
	}
	s.cur[k] = ts
	s.curBytes += size
}

// entrySize estimates what an entry costs: the key's bytes and header, the
// map slot, and the terms (which share their bytes with the corpora they
// go into, but are counted anyway).
func entrySize(seg string, ts []segTerm) int {
	n := len(seg) + 64
	for _, t := range ts {
		n += len(t.term) + 24
	}
	return n
}
