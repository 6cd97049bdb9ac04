package detect

import (
	"slices"
	"sync"
)

// maxCachedNames bounds the name cache; past it the cache starts over. A
// sender's candidates are a few hundred contacts, an organisation's a few
// tens of thousands of addresses.
const maxCachedNames = 1 << 16

// nameCache keeps the name tokens of addresses across checks. Working them
// out (Unicode normalisation, splitting, family names) was a fifth of a
// check; the key holds the names the model knows the address by, so an
// entry never outlives them.
type nameCache struct {
	mu sync.Mutex
	m  map[string]names
}

func (nc *nameCache) get(key string) (names, bool) {
	nc.mu.Lock()
	defer nc.mu.Unlock()
	n, ok := nc.m[key]
	return n, ok
}

func (nc *nameCache) put(key string, n names) {
	nc.mu.Lock()
	defer nc.mu.Unlock()
	if nc.m == nil || len(nc.m) >= maxCachedNames {
		nc.m = make(map[string]names)
	}
	// Checks share the entries: an append must not reach another's.
	nc.m[key] = names{tokens: slices.Clip(n.tokens), family: slices.Clip(n.family)}
}
