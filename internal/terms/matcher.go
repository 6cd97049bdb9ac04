package terms

import (
	"slices"

	ahocorasick "github.com/petar-dambovaliev/aho-corasick"
)

// Matcher finds which of a fixed set of terms occur in a text. It is
// immutable and safe for concurrent use.
type Matcher struct {
	ac       ahocorasick.AhoCorasick
	patterns []pattern
}

type pattern struct {
	norm string
	// boundary at the start/end: the term begins/ends with an ASCII letter
	// or digit and must not continue a word there.
	startWord, endWord bool
}

// NewMatcher builds a matcher for terms (any form: they are normalised here).
// Terms that normalise to "" never match. Pattern i of the result is terms[i].
func NewMatcher(terms []string) *Matcher {
	m := &Matcher{patterns: make([]pattern, len(terms))}
	pats := make([]string, len(terms))
	for i, t := range terms {
		n := Normalize(t)
		pats[i] = n
		if n == "" {
			// The automaton needs a pattern per index; one that can't occur
			// in normalised text (white space is removed) keeps them aligned.
			pats[i] = " "
		}
		m.patterns[i] = pattern{norm: n}
		if n != "" {
			m.patterns[i].startWord = isWordByte(n[0])
			m.patterns[i].endWord = isWordByte(n[len(n)-1])
		}
	}
	b := ahocorasick.NewAhoCorasickBuilder(ahocorasick.Opts{
		MatchKind: ahocorasick.StandardMatch, // overlapping: nested terms all count
		DFA:       true,
	})
	m.ac = b.Build(pats)
	return m
}

// Len returns the number of terms.
func (m *Matcher) Len() int { return len(m.patterns) }

// Text is a normalised text ready for matching several matchers against it.
type Text struct {
	b    []byte
	gaps []uint64
}

// Prepare normalises texts (subject, body, attachments …) into one Text.
// Parts are joined with a gap so no term spans two of them.
func Prepare(parts ...string) Text {
	size := 0
	for _, p := range parts {
		size += len(p) + 1
	}
	w := compactor{out: make([]byte, 0, size+size/8), gaps: make([]uint64, size/64+1)}
	for _, p := range parts {
		if len(w.out) > 0 && len(p) > 0 {
			// A NUL never occurs in a term's normalised form: it
			// separates parts so no term spans two of them.
			w.out = append(w.out, 0)
			w.gap = false
		}
		w.add(p)
	}
	return Text{b: w.out, gaps: w.gaps}
}

// Len is the normalised length in bytes.
func (t Text) Len() int { return len(t.b) }

func (t Text) gapAt(i int) bool {
	return i>>6 < len(t.gaps) && t.gaps[i>>6]&(1<<(i&63)) != 0
}

// Match returns the indexes of the terms found in t, ascending, each once.
func (m *Matcher) Match(t Text) []int {
	if len(m.patterns) == 0 || len(t.b) == 0 {
		return nil
	}
	var seen []bool
	var found []int
	it := m.ac.IterOverlappingByte(t.b)
	for mt := it.Next(); mt != nil; mt = it.Next() {
		i := mt.Pattern()
		if seen != nil && seen[i] {
			continue
		}
		p := m.patterns[i]
		s, e := mt.Start(), mt.End()
		if p.startWord && s > 0 && isWordByte(t.b[s-1]) && !t.gapAt(s) {
			continue
		}
		if p.endWord && e < len(t.b) && isWordByte(t.b[e]) && !t.gapAt(e) {
			continue
		}
		if seen == nil {
			seen = make([]bool, len(m.patterns))
		}
		seen[i] = true
		found = append(found, i)
	}
	slices.Sort(found)
	return found
}
