package attach

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// wordText writes the text of a Word document's body (word/document.xml):
// the runs (t elements) a paragraph (p) per line, tabs, breaks (br, cr)
// and the page breaks that end the lead (a br of type page, Word's
// lastRenderedPageBreak).
//
// It reads what runs with xmlScanner reads, token for token, in one pass
// that decides on each tag from the octets it must look at anyway: a tag
// is found by its '<' and ends at the first '>' after it; its local name
// is what follows the first ':' of its name; only t, p, tab, br, cr and
// lastRenderedPageBreak change the text, so other names are passed over
// as soon as they cannot be one of these. The tags between one text and
// the next repeat run after run; a stretch of them seen lately is done
// again at once (what it does depends on its octets alone, and on whether
// text before it was a run's). TestWordText and FuzzWordText hold it to
// runs on every corpus document and on fuzzed XML.
func (r *reader) wordText(data []byte) {
	// The text is appended to in place; what is past len(r.text) is what
	// runs held in its buffer, kept by commit where runs called write.
	t := r.text
	inText := false
	n := len(data)
	i := 0
	// The markup between one run's text and the next is much the same
	// run after run (</w:t></w:r><w:r><w:rPr>…</w:rPr><w:t>): the last
	// few such stretches of tags are remembered with what they did, and
	// one the octets after a text repeat is done again at once.
	var seen [4]wordGap
	var rec wordGap
	recording, next := false, 0
	for i < n {
		if data[i] != '<' {
			recording = false
			if !inText {
				j := bytes.IndexByte(data[i:], '<')
				if j < 0 {
					break
				}
				i += j
				continue
			}
			t, i = appendText(t, data, i)
			if len(t)-len(r.text) > 32<<10 {
				r.commit(t)
				t = r.text
			}
			if i >= n {
				break
			}
			for g := range seen {
				gap := &seen[g]
				size := gap.to - gap.from
				if size == 0 || gap.startIn != inText || i+size > n || !bytes.Equal(data[i:i+size], data[gap.from:gap.to]) {
					continue
				}
				for _, a := range gap.acts[:gap.n] {
					switch a {
					case '\n', '\t':
						t = append(t, a)
						if len(t)-len(r.text) > 32<<10 {
							r.commit(t)
							t = r.text
						}
					case 'B':
						t = append(t, '\n')
						fallthrough
					case 'P':
						r.commit(t)
						t = r.text
						r.endLead()
					}
				}
				i += size
				inText = gap.endIn
				goto again
			}
			rec, recording = wordGap{from: i, startIn: inText}, true
		again:
			continue
		}
		// A tag, a comment, CDATA or a declaration at i.
		k := i + 1
		if k >= n {
			break
		}
		end := false
		switch data[k] {
		case '/':
			end = true
			k++
		case '!':
			recording = false
			d := data[i:]
			switch {
			case bytes.HasPrefix(d, cdataOpen):
				cdata := d[len(cdataOpen):]
				e := bytes.Index(cdata, cdataClose)
				if e < 0 {
					i = n
				} else {
					cdata = cdata[:e]
					i += len(cdataOpen) + e + len(cdataClose)
				}
				if inText {
					t = append(t, cdata...)
					if len(t)-len(r.text) > 32<<10 {
						r.commit(t)
						t = r.text
					}
				}
				continue
			case bytes.HasPrefix(d, commentOpen):
				e := bytes.Index(d[len(commentOpen):], commentClose)
				if e < 0 {
					i = n
					continue
				}
				i += len(commentOpen) + e + len(commentClose)
				continue
			}
			fallthrough
		case '?':
			recording = false
			e := tagEnd(data[i:])
			if e < 0 {
				i = n
				continue
			}
			i += e + 1
			continue
		}
		// The local name starts after the first ':' and ends at white
		// space, '/' or '>'. Word's own prefix, w:, is the usual case:
		// then a first letter none of the names that matter start with
		// is enough.
		name, e := wordOther, -1
		if k+3 < n && data[k] == 'w' && data[k+1] == ':' {
			k += 2
			switch c0, c1 := data[k], data[k+1]; {
			case c1 == '>' && c0 > '>':
				// A name of one letter: <w:t>, </w:p>, <w:r>.
				e = k + 1
				switch c0 {
				case 't':
					name = wordT
				case 'p':
					name = wordP
				}
			case c0 == 't', c0 == 'p', c0 == 'b', c0 == 'c', c0 == 'l':
				name, k = wordName(data, k, k)
			}
		} else {
			name, k = wordName(data, k, -1)
		}
		if e < 0 && k+8 <= n {
			// tagEndFrom's first word, written out: it is not inlined.
			x := binary.LittleEndian.Uint64(data[k:]) ^ ('>' * ones)
			if t := (x - ones) &^ x & highs; t != 0 {
				e = k + bits.TrailingZeros64(t)/8
			}
		}
		if e < 0 {
			e = tagEndFrom(data, k)
		}
		if e < 0 {
			break
		}
		start := i
		i = e + 1
		switch {
		case end:
			switch name {
			case wordT:
				inText = false
			case wordP:
				t = append(t, '\n')
				recording = recording && rec.add('\n')
				if len(t)-len(r.text) > 32<<10 {
					r.commit(t)
					t = r.text
				}
			}
		case e == start+1:
			// "<>": no tag at all.
		case data[e-1] != '/':
			inText = name == wordT
			if inText && recording {
				rec.to, rec.endIn, recording = i, true, false
				if rec.to-rec.from <= 512 {
					seen[next] = rec
					next = (next + 1) % len(seen)
				}
			}
		default:
			// An empty element.
			switch name {
			case wordTab:
				t = append(t, '\t')
				recording = recording && rec.add('\t')
			case wordBr, wordCr:
				t = append(t, '\n')
				if name == wordBr && string(attr(data[start+1:e-1], "type")) == "page" {
					recording = recording && rec.add('B')
					r.commit(t)
					t = r.text
					r.endLead()
				} else {
					recording = recording && rec.add('\n')
				}
			case wordPageBreak:
				recording = recording && rec.add('P')
				r.commit(t)
				t = r.text
				r.endLead()
			default:
				continue
			}
			if len(t)-len(r.text) > 32<<10 {
				r.commit(t)
				t = r.text
			}
		}
	}
	r.commit(t)
}

// wordGap is a stretch of tags between a text and the next, data[from:to],
// and what it does: the octets it adds, 'B' a page break that adds a line
// and 'P' one that does not; and whether text is a run's before and
// after.
type wordGap struct {
	from, to       int
	startIn, endIn bool
	acts           [8]byte
	n              int
}

// add records what a tag of the stretch did, false when there is no room.
func (g *wordGap) add(a byte) bool {
	if g.n == len(g.acts) {
		return false
	}
	g.acts[g.n] = a
	g.n++
	return true
}

// The element names wordText acts on.
const (
	wordOther = iota
	wordT
	wordP
	wordTab
	wordBr
	wordCr
	wordPageBreak
)

// wordName reads the name of a tag from data[k:] up to white space, '/'
// or '>': it returns which of the names wordText acts on its local part
// is, and where the name ends. local is where the local part starts when
// the caller knows it, -1 when it is after the first ':'.
func wordName(data []byte, k, local int) (int, int) {
	first := k
	if local < 0 {
		local = k
	} else {
		first = -1 // the prefix is read
	}
name:
	for ; k < len(data); k++ {
		switch c := data[k]; {
		case c > '>':
			// Letters: the usual case, spared the tests below.
		case c == ':':
			if local == first {
				local = k + 1
			}
		case c == '>', c == '/', c == ' ', c == '\t', c == '\n', c == '\r':
			break name
		}
	}
	switch string(data[local:k]) {
	case "t":
		return wordT, k
	case "p":
		return wordP, k
	case "tab":
		return wordTab, k
	case "br":
		return wordBr, k
	case "cr":
		return wordCr, k
	case "lastRenderedPageBreak":
		return wordPageBreak, k
	}
	return wordOther, k
}

// appendText appends the text from data[i] up to the next '<' (or the
// end) to dst, its entities and character references decoded as
// appendUnescaped decodes them, and returns where the text ends. It looks
// for '<' and '&' together, eight octets at a time: the text of a run is
// mostly a few dozen octets, too short for the vector search to pay.
func appendText(dst, data []byte, i int) ([]byte, int) {
	n := len(data)
	from := i
	for {
		j := i
		for ; j+8 <= n; j += 8 {
			x := binary.LittleEndian.Uint64(data[j:])
			lt, amp := x^('<'*ones), x^('&'*ones)
			if m := ((lt - ones) &^ lt & highs) | ((amp - ones) &^ amp & highs); m != 0 {
				j += bits.TrailingZeros64(m) / 8
				goto found
			}
		}
		for j < n && data[j] != '<' && data[j] != '&' {
			j++
		}
	found:
		if j >= n || data[j] == '<' {
			return append(dst, data[from:j]...), j
		}
		// An entity at j: its ';' within twelve octets, and before the
		// text ends.
		semi := -1
		for k := j + 1; k < min(n, j+12); k++ {
			if data[k] == ';' {
				semi = k
				break
			}
			if data[k] == '<' {
				break
			}
		}
		if semi < 0 {
			i = j + 1
			continue
		}
		dst = append(dst, data[from:j]...)
		var ok bool
		if dst, ok = appendEntity(dst, data[j+1:semi]); !ok {
			dst = append(dst, data[j:semi+1]...)
		}
		i, from = semi+1, semi+1
	}
}

var (
	cdataOpen    = []byte("<![CDATA[")
	cdataClose   = []byte("]]>")
	commentOpen  = []byte("<!--")
	commentClose = []byte("-->")
)

// tagEndFrom is the index of the first '>' in data at or after from, -1
// when there is none. Eight octets at a time: attributes of office XML
// are short, too short for bytes.IndexByte's vector search to pay.
func tagEndFrom(data []byte, from int) int {
	if from+8 <= len(data) {
		x := binary.LittleEndian.Uint64(data[from:]) ^ ('>' * ones)
		if t := (x - ones) &^ x & highs; t != 0 {
			return from + bits.TrailingZeros64(t)/8
		}
	}
	return tagEndAfter(data, from)
}

// tagEndAfter is tagEndFrom past the first eight octets.
func tagEndAfter(data []byte, from int) int {
	k := from
	for ; k+8 <= len(data) && k < from+64; k += 8 {
		x := binary.LittleEndian.Uint64(data[k:]) ^ ('>' * ones)
		if t := (x - ones) &^ x & highs; t != 0 {
			return k + bits.TrailingZeros64(t)/8
		}
	}
	if i := bytes.IndexByte(data[k:], '>'); i >= 0 {
		return k + i
	}
	return -1
}

// ones and highs are the octets 0x01 and 0x80 in every place of a word:
// with them, (x - ones) &^ x & highs marks the zero octets of x, the
// lowest mark exactly (the marks above it may be false).
const ones, highs = 0x0101010101010101, 0x8080808080808080
