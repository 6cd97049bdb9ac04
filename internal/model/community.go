package model

import (
	"maps"
	"math/rand/v2"
	"slices"
)

// Communities: the organisation's mail graph (every insider linked to each
// address they exchanged mail with, weighted by how much) falls into
// circles of people who work together, whatever the directory says:
// a project across departments, a desk and its brokers. Someone new to the
// sender is most often in the sender's circle or in a co-recipient's; a
// namesake or an address-book neighbour picked by mistake is most often in
// another. Found by label propagation, which needs no number of circles
// and runs in a few passes over the graph; kept as one label per address,
// 4 octets each, and not stored: loading a model finds them again.

// communityPasses bounds label propagation; it settles in fewer on mail.
const communityPasses = 10

// The communities are found again when the learned history has grown by
// a fifth, and by communityMin messages at least: a growing model pays a
// bounded multiple of one search in all.
const (
	communityGrowth = 5
	communityMin    = 1000
)

// Circle returns the circle of the mail graph addr falls in; ok is false
// for an address learned after the graph was last searched.
func (m *Model) Circle(addr string) (circle uint32, ok bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	id, ok := m.addrs.lookup(addr)
	if !ok || int(id) >= len(m.comm) {
		return 0, false
	}
	return m.comm[id], true
}

// communitiesDue reports (m.mu held) whether the history grew enough since
// the communities were last found.
func (m *Model) communitiesDue() bool {
	return m.learned >= m.commAt+max(m.commAt/communityGrowth, communityMin)
}

// FindCommunities searches the mail graph for its circles as it is now.
// Learning calls it as the history grows; import calls it before scoring
// the mail it fits on.
func (m *Model) FindCommunities() {
	m.mu.RLock()
	g, at := m.mailGraph(), m.learned
	m.mu.RUnlock()
	label := g.propagate()
	m.mu.Lock()
	m.comm, m.commAt = label, at
	m.mu.Unlock()
}

// graph is the mail graph in compressed rows: node v's neighbours are
// nb[start[v]:start[v+1]], with weights w.
type graph struct {
	start []int
	nb    []uint32
	w     []float32
}

// mailGraph (m.mu held) links every insider to each contact, weighted by
// the messages exchanged, in id order so the search is the same each time.
func (m *Model) mailGraph() graph {
	n := len(m.addrDom)
	ids := slices.Sorted(maps.Keys(m.people))
	deg := make([]int, n+1)
	for _, pid := range ids {
		for cid := range m.people[pid].contacts {
			deg[pid]++
			deg[cid]++
		}
	}
	g := graph{start: make([]int, n+1)}
	for v := range n {
		g.start[v+1] = g.start[v] + deg[v]
	}
	g.nb, g.w = make([]uint32, g.start[n]), make([]float32, g.start[n])
	fill := slices.Clone(g.start[:n])
	var cids []uint32
	for _, pid := range ids {
		p := m.people[pid]
		cids = cids[:0]
		for cid := range p.contacts {
			cids = append(cids, cid)
		}
		slices.Sort(cids)
		for _, cid := range cids {
			c := p.contacts[cid]
			x := c.sent.v + c.recv.v
			g.nb[fill[pid]], g.w[fill[pid]] = cid, x
			fill[pid]++
			g.nb[fill[cid]], g.w[fill[cid]] = pid, x
			fill[cid]++
		}
	}
	return g
}

// propagate gives each node the label most of its neighbours' weight
// carries, pass after pass in a shuffled (seeded) order, until no label
// changes; ties go to the smaller label. A node without neighbours (an
// address only ever copied on mail between others) is a circle of its
// own: nobody's.
func (g graph) propagate() []uint32 {
	n := len(g.start) - 1
	label := make([]uint32, n)
	order := make([]uint32, 0, n)
	for v := range n {
		label[v] = uint32(v)
		if g.start[v] < g.start[v+1] {
			order = append(order, uint32(v))
		}
	}
	score := make([]float32, n)
	var touched []uint32
	r := rand.New(rand.NewPCG(1, 2))
	for range communityPasses {
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		changed := false
		for _, v := range order {
			touched = touched[:0]
			for k := g.start[v]; k < g.start[v+1]; k++ {
				l := label[g.nb[k]]
				if score[l] == 0 {
					touched = append(touched, l)
				}
				score[l] += g.w[k]
			}
			best, bs := label[v], float32(-1)
			for _, l := range touched {
				if s := score[l]; s > bs || (s == bs && l < best) {
					best, bs = l, s
				}
				score[l] = 0
			}
			if best != label[v] {
				label[v], changed = best, true
			}
		}
		if !changed {
			break
		}
	}
	return label
}
