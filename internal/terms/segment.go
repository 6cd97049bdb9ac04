package terms

import (
	"github.com/ikawaha/kagome/v2/tokenizer"
)

// segTerm is a term found in a segment.
type segTerm struct {
	term   string
	person bool
}

// Segment flags: whether white space comes before and after the segment in
// the text given to kagome.
const (
	spaceBefore = 1 << iota
	spaceAfter
)

// isLatticeSpace tells whether c is one of the bytes kagome's IPA
// dictionary classes as SPACE (not '\r' and '\f', which are DEFAULT).
func isLatticeSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\v' }

// segments yields the pieces of s between runs of white space, each with
// whether white space precedes and follows it.
//
// Tokenising s piece by piece finds exactly the nouns of tokenising it
// whole, when each piece is tokenised with a "\n" where white space
// surrounds it. In kagome's lattice a run of white space is covered only by
// nodes of the one SPACE unknown-word entry (no dictionary word contains
// white space: TestNoDictionaryWordHoldsSpace), which share their left and
// right connection ids. So every path crosses the run through nodes of the
// same ids; the cost of what lies before the run does not depend on the
// choice after it and the reverse, and the best path of the whole text is
// the best path of each piece with its surroundings reduced to "one SPACE
// node" or BOS/EOS. Nouns never chain across white space (it ends a
// compound), so nothing spans two pieces either.
func segments(s string) func(yield func(string, int) bool) {
	return func(yield func(string, int) bool) {
		i := 0
		for i < len(s) {
			start := i
			for i < len(s) && isLatticeSpace(s[i]) {
				i++
			}
			if i == len(s) {
				return
			}
			flags := 0
			if i > start || start > 0 {
				flags |= spaceBefore
			}
			j := i
			for j < len(s) && !isLatticeSpace(s[j]) {
				j++
			}
			if j < len(s) {
				flags |= spaceAfter
			}
			if !yield(s[i:j], flags) {
				return
			}
			i = j
		}
	}
}

// maxCachedSegment is the longest piece kept in the cache: a long piece
// without white space is seldom repeated word for word.
const maxCachedSegment = 4 << 10

// segment returns the terms of one piece of text, from the cache if it was
// seen before. buf is scratch space for the tokeniser's input.
func (x *Extractor) segment(tk *tokenizer.Tokenizer, seg string, flags int, buf *[]byte) []segTerm {
	if isASCII(seg) {
		// After the ASCII words were cut out only punctuation is left:
		// nothing with a letter in it, so no term.
		if x != nil {
			x.ascii.Add(int64(len(seg)))
		}
		return nil
	}
	c := (*segmentCache)(nil)
	if x != nil {
		x.segments.Add(1)
		if len(seg) <= maxCachedSegment {
			c = x.cache
		}
	}
	if c != nil {
		if ts, ok := c.get(seg, flags); ok {
			x.hits.Add(1)
			x.cached.Add(int64(len(seg)))
			return ts
		}
	}
	in := seg
	if flags != 0 {
		b := (*buf)[:0]
		if flags&spaceBefore != 0 {
			b = append(b, '\n')
		}
		b = append(b, seg...)
		if flags&spaceAfter != 0 {
			b = append(b, '\n')
		}
		*buf = b
		in = string(b)
	}
	ts := nouns(tk, in)
	if x != nil {
		x.tokenized.Add(int64(len(seg)))
	}
	if c != nil {
		c.put(seg, flags, ts)
	}
	return ts
}
