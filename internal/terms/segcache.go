package terms

import (
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
	shards [cacheShards]cacheShard
	half   int // bytes per generation per shard
}

const cacheShards = 16

// A generation has a map per combination of segment flags, so lookups
// take the map's fast path for string keys.
type generation [4]map[string][]segTerm

type cacheShard struct {
	mu       sync.Mutex
	cur, old generation
	curBytes int
}

func newSegmentCache(bytes int) *segmentCache {
	c := &segmentCache{half: max(bytes/cacheShards/2, 1)}
	for i := range c.shards {
		c.shards[i].cur = newGeneration()
	}
	return c
}

func newGeneration() generation {
	var g generation
	for i := range g {
		g[i] = map[string][]segTerm{}
	}
	return g
}

// shard picks a shard from a few bytes of seg (never empty): the shards
// only spread lock traffic, so a cheap mix beats a full hash.
func (c *segmentCache) shard(seg string) *cacheShard {
	h := uint(len(seg))
	h = h*31 + uint(seg[0])
	h = h*31 + uint(seg[len(seg)/2])
	h = h*31 + uint(seg[len(seg)-1])
	return &c.shards[h%cacheShards]
}

func (c *segmentCache) get(seg string, flags int) ([]segTerm, bool) {
	s := c.shard(seg)
	s.mu.Lock()
	ts, ok := s.cur[flags][seg]
	if !ok && s.old[flags] != nil {
		if ts, ok = s.old[flags][seg]; ok {
			// Moved forward under a copy of seg, which belongs to a
			// message's text.
			delete(s.old[flags], seg)
			s.add(flags, strings.Clone(seg), ts, c.half)
		}
	}
	s.mu.Unlock()
	return ts, ok
}

// put stores the terms of a piece just tokenised. The key is copied: seg
// is a slice of a message's text, which must not stay alive in the cache.
func (c *segmentCache) put(seg string, flags int, ts []segTerm) {
	s := c.shard(seg)
	s.mu.Lock()
	if _, ok := s.cur[flags][seg]; !ok {
		s.add(flags, strings.Clone(seg), ts, c.half)
	}
	s.mu.Unlock()
}

// add stores an entry whose key the cache may keep.
func (s *cacheShard) add(flags int, seg string, ts []segTerm, half int) {
	size := entrySize(seg, ts)
	if s.curBytes+size > half && s.curBytes > 0 {
		s.old, s.cur, s.curBytes = s.cur, newGeneration(), 0
	}
	s.cur[flags][seg] = ts
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
