package model

import (
	"slices"
	"sort"
)

// pairCounts counts messages per pair of addresses for one insider. Pairs
// are most of what the model holds (2.3 million for the Enron mailboxes),
// so they are kept as two sorted arrays, 12 bytes a pair, instead of a Go
// map at about 30: keys found there are counted in place, and keys new
// since the last merge wait in a small map that is merged into the arrays
// once it grows past an eighth of them, which keeps learning amortised
// O(log n) a pair.
type pairCounts struct {
	keys  []uint64 // sorted
	vals  []uint32
	fresh map[uint64]uint32 // keys not in keys yet
}

// minFresh is how many new pairs wait in the map before a merge however
// few the arrays hold: small tables would otherwise merge on every message.
const minFresh = 64

func (pc *pairCounts) inc(k uint64) {
	if i, ok := slices.BinarySearch(pc.keys, k); ok {
		if pc.vals[i] < 1<<32-1 {
			pc.vals[i]++
		}
		return
	}
	if pc.fresh == nil {
		pc.fresh = map[uint64]uint32{}
	}
	pc.fresh[k]++
	if len(pc.fresh) > max(minFresh, len(pc.keys)/8) {
		pc.merge()
	}
}

func (pc *pairCounts) get(k uint64) uint32 {
	if i, ok := slices.BinarySearch(pc.keys, k); ok {
		return pc.vals[i]
	}
	return pc.fresh[k]
}

func (pc *pairCounts) len() int { return len(pc.keys) + len(pc.fresh) }

// merge moves the fresh keys into the sorted arrays.
func (pc *pairCounts) merge() {
	if len(pc.fresh) == 0 {
		return
	}
	add := make([]uint64, 0, len(pc.fresh))
	for k := range pc.fresh {
		add = append(add, k)
	}
	slices.Sort(add)
	n := len(pc.keys) + len(add)
	keys, vals := make([]uint64, n), make([]uint32, n)
	i, j := len(pc.keys)-1, len(add)-1
	for w := n - 1; w >= 0; w-- {
		if j < 0 || (i >= 0 && pc.keys[i] > add[j]) {
			keys[w], vals[w] = pc.keys[i], pc.vals[i]
			i--
		} else {
			keys[w], vals[w] = add[j], pc.fresh[add[j]]
			j--
		}
	}
	pc.keys, pc.vals, pc.fresh = keys, vals, nil
}

// each calls f for every pair, in key order for those merged.
func (pc *pairCounts) each(f func(k uint64, n uint32)) {
	for i, k := range pc.keys {
		f(k, pc.vals[i])
	}
	for k, n := range pc.fresh {
		f(k, n)
	}
}

// set builds the table from a snapshot's pairs, which may come in any
// order; of a key repeated (only in a damaged snapshot) the last counts.
func (pc *pairCounts) set(ps []count64) {
	pc.keys, pc.vals, pc.fresh = nil, nil, nil
	if len(ps) == 0 {
		return
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].K < ps[j].K })
	pc.keys, pc.vals = make([]uint64, 0, len(ps)), make([]uint32, 0, len(ps))
	for _, p := range ps {
		if n := len(pc.keys); n > 0 && pc.keys[n-1] == p.K {
			pc.vals[n-1] = p.N
			continue
		}
		pc.keys = append(pc.keys, p.K)
		pc.vals = append(pc.vals, p.N)
	}
}

// Compact merges the pairs each insider's table holds apart, new since its
// last merge, into its sorted arrays. Those wait in a map at up to three
// times the 12 octets a pair costs merged, and the many small tables
// (under minFresh pairs) never merge while learning: for the Enron
// mailboxes, about as much memory as all the merged pairs. Call it when a
// long run of learning ends and the model is kept for a while, as misend
// import does before it replays the fit window. Counts are unchanged.
func (m *Model) Compact() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range m.people {
		p.pairs.merge()
	}
}
