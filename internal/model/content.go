package model

import (
	"math"
	"slices"
)

// What each address's mail is about, as a sketch of keyed word hashes: the
// words an address's messages share most, so a check can tell whether a
// message fits what a recipient takes part in. No word is stored: a term
// is a 32-bit keyed permutation of the word's hash, so the database holds
// no readable text, and without the key a guessed word cannot be tested.

const (
	termsPerMsg   = 24       // terms of a message a check weighs, rarest first
	termsLearned  = 16       // terms of a message added to its people's sketches
	sketchSize    = 32       // terms kept per address
	dfBits        = 20       // each row of the document-frequency table has 2^dfBits counters
	dfCommonShare = 1.0 / 20 // terms in more of the messages are not topical
)

// sketch is the terms an address's mail shares most (space-saving counts).
type sketch struct {
	term  [sketchSize]uint32
	count [sketchSize]uint16
	n     uint8
}

func (s *sketch) add(t uint32) {
	low := 0
	for i := 0; i < int(s.n); i++ {
		if s.term[i] == t {
			s.count[i] = min(s.count[i]+1, math.MaxUint16-1)
			return
		}
		if s.count[i] < s.count[low] {
			low = i
		}
	}
	if int(s.n) < sketchSize {
		s.term[s.n], s.count[s.n] = t, 1
		s.n++
		return
	}
	// Space-saving: the newcomer takes the rarest term's place and count,
	// so a term that keeps coming back stays.
	s.term[low] = t
	s.count[low] = min(s.count[low]+1, math.MaxUint16-1)
}

// sketchBlock is how many sketches one allocation holds.
const sketchBlock = 1024

// newSketch (m.mu held) returns an empty sketch. Sketches are allocated in
// blocks, which hold no pointers: tens of thousands of small objects
// would cost their headers and the collector's time.
func (m *Model) newSketch() *sketch {
	if len(m.slab) == 0 {
		m.slab = make([]sketch, sketchBlock)
	}
	s := &m.slab[0]
	m.slab = m.slab[1:]
	return s
}

func (s *sketch) has(t uint32) bool {
	for i := 0; i < int(s.n); i++ {
		if s.term[i] == t {
			return true
		}
	}
	return false
}

// dfSize is the size of the document-frequency table: a count-min sketch
// of two rows, so that a term shares both its counters with another's only
// rarely. The Enron mailboxes' 109,000 messages fill a fifth of each row
// (210,000 distinct terms), so a term's count is off in about one in
// thirty.
const dfSize = 2 << dfBits

// dfSlots returns the counters of term t, one in each row.
func dfSlots(t uint32) (int, int) {
	return int(t & (1<<dfBits - 1)), 1<<dfBits + int((t*0x9E3779B1)>>(32-dfBits))
}

// df is how many messages had term t, or a little more.
func (m *Model) df(t uint32) uint16 {
	a, b := dfSlots(t)
	return min(m.dfs[a], m.dfs[b])
}

// learnTerms (m.mu held) counts a message's terms and adds its most
// topical ones to the sketches of its sender and recipients.
func (m *Model) learnTerms(terms []uint32, from uint32, people []uint32) {
	if len(terms) == 0 {
		return
	}
	dfs := m.docFreqs()
	m.docs++
	for _, t := range terms {
		a, b := dfSlots(t)
		bump(&dfs[a])
		bump(&dfs[b])
	}
	pick := m.topical(terms, termsLearned, 2)
	if len(pick) == 0 {
		return
	}
	m.sketchOf(from).addAll(pick)
	for _, id := range people {
		m.sketchOf(id).addAll(pick)
	}
}

// bump counts one more message in c, which stops at its largest value.
func bump(c *uint16) {
	if *c < math.MaxUint16 {
		*c++
	}
}

// docFreqs (m.mu held) returns the document-frequency table, made on the
// first message with words: a model of headers alone (message traces)
// never needs its 4 MB.
func (m *Model) docFreqs() []uint16 {
	if m.dfs == nil {
		m.dfs = make([]uint16, dfSize)
	}
	return m.dfs
}

// sketchOf (m.mu held) returns address id's sketch, made empty if it has
// none.
func (m *Model) sketchOf(id uint32) *sketch {
	s := m.sketches[id]
	if s == nil {
		s = m.newSketch()
		m.sketches[id] = s
	}
	return s
}

func (s *sketch) addAll(terms []uint32) {
	for _, t := range terms {
		s.add(t)
	}
}

// topical returns up to n of terms seen in at least least messages and in
// at most a twentieth of them, rarest first (ties by term, so the same
// terms give the same answer).
func (m *Model) topical(terms []uint32, n int, least uint16) []uint32 {
	if m.dfs == nil {
		return nil
	}
	most := float64(m.docs) * dfCommonShare
	// Each candidate as its frequency above its term: sorting the numbers
	// sorts by frequency, then term.
	keyed := make([]uint64, 0, len(terms))
	for _, t := range terms {
		// A full counter says only "at least 65,535 messages": common,
		// however many more an organisation of millions of messages has.
		if d := m.df(t); d >= least && d < math.MaxUint16 && float64(d) <= most {
			keyed = append(keyed, uint64(d)<<32|uint64(t))
		}
	}
	slices.Sort(keyed)
	out := make([]uint32, min(n, len(keyed)))
	for i := range out {
		out[i] = uint32(keyed[i])
	}
	return out
}

// Topic is what a message is about, for TopicFit: its topical terms,
// each weighed by its rarity.
type Topic struct {
	terms []uint32
	w     []float64
	all   float64
}

// Topic picks the terms of a message (Terms) that say what it is about;
// ok is false when there are too few to tell.
func (m *Model) Topic(terms []uint32) (t Topic, ok bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	t.terms = m.topical(terms, termsPerMsg, 1)
	if len(t.terms) < 4 {
		return Topic{}, false
	}
	t.w = make([]float64, len(t.terms))
	for i, x := range t.terms {
		t.w[i] = math.Log(float64(m.docs) / float64(m.df(x)))
		t.all += t.w[i]
	}
	return t, true
}

// TopicFit tells how well a message fits what addr's mail was about: the
// share of its topical terms, weighed by rarity, in addr's sketch; 0 for
// an address without one.
func (m *Model) TopicFit(t *Topic, addr string) float64 {
	if t.all == 0 {
		return 0
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	id, found := m.addrs.lookup(addr)
	if !found {
		return 0
	}
	s := m.sketches[id]
	if s == nil {
		return 0
	}
	in := 0.0
	for i, x := range t.terms {
		if s.has(x) {
			in += t.w[i]
		}
	}
	return in / t.all
}
