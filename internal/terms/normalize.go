package terms

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns text as the matcher sees it: NFKC, case-folded, white
// space removed. Terms and messages go through the same function.
func Normalize(text string) string {
	c, _ := compact(text, nil)
	return string(c)
}

// compact normalises text into buf (reused if large enough) and returns, for
// each byte of the result, whether white space was removed just before it
// (bit set in gaps), so word boundaries survive the removal.
//
// It is one pass. Runes that NFKC leaves alone and that nothing can combine
// onto (ASCII, kana, common CJK ideographs and punctuation), when the next
// rune is one of those too, are folded and copied directly; everything else
// goes through the NFKC transform one normalisation segment at a time. Case
// folding is simple (rune to lower case, final sigma to sigma), not the full
// folding that maps ß to ss.
func compact(text string, buf []byte) (out []byte, gaps []uint64) {
	w := compactor{out: buf[:0]}
	if cap(w.out) < len(text) {
		w.out = make([]byte, 0, len(text)+len(text)/8)
	}
	w.gaps = make([]uint64, len(text)/64+1)
	w.add(text)
	return w.out, w.gaps
}

func decodeAt(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

// add normalises s onto the end of w.
func (w *compactor) add(s string) {
	if len(s) == 0 {
		return
	}
	var scratch [128]byte
	i := 0
	r, n := decodeAt(s, 0)
	for i < len(s) {
		// ASCII followed by ASCII never changes under NFKC: the bulk of
		// English mail and of headers-like text takes this loop.
		if r < utf8.RuneSelf && i+1 < len(s) && s[i+1] < utf8.RuneSelf {
			for i+1 < len(s) && s[i+1] < utf8.RuneSelf {
				w.emitASCII(s[i])
				i++
			}
			r, n = rune(s[i]), 1
			continue
		}
		j := i + n
		var next rune
		nn := 0
		if j < len(s) {
			next, nn = decodeAt(s, j)
		}
		if inert(r) && (nn == 0 || inert(next)) {
			w.emitRune(r, s[i:j])
			i, r, n = j, next, nn
			continue
		}
		k := norm.NFKC.NextBoundaryInString(s[i:], true)
		if k <= 0 {
			k = len(s) - i
		}
		w.emit(string(norm.NFKC.AppendString(scratch[:0], s[i:i+k])))
		i += k
		if i < len(s) {
			r, n = decodeAt(s, i)
		}
	}
}

// inert tells whether NFKC leaves r unchanged and no following rune can
// compose with it into something else, as long as that rune is inert too.
func inert(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return true
	case r >= 0x4e00 && r <= 0x9fff: // CJK unified ideographs
		return true
	case r >= 0x3041 && r <= 0x3096: // hiragana (not the combining marks)
		return true
	case r >= 0x30a1 && r <= 0x30fa, r == 0x30fb, r == 0x30fc: // katakana, ・, ー
		return true
	case r >= 0x3001 && r <= 0x3005, r >= 0x3008 && r <= 0x3011: // 、。〃々 and brackets
		return true
	}
	return false
}

type compactor struct {
	out  []byte
	gaps []uint64
	gap  bool
	// keep: white space stays in the output (nfkcFold) instead of being
	// recorded as a gap.
	keep bool
}

func (w *compactor) mark() {
	if !w.gap {
		return
	}
	w.gap = false
	p := len(w.out)
	for p>>6 >= len(w.gaps) {
		w.gaps = append(w.gaps, 0)
	}
	w.gaps[p>>6] |= 1 << (p & 63)
}

func (w *compactor) emit(s string) {
	for i := 0; i < len(s); {
		r, n := decodeAt(s, i)
		w.emitRune(r, s[i:i+n])
		i += n
	}
}

// emitRune appends rune r, whose encoding in the input is raw, folded, or
// records a gap for white space.
func (w *compactor) emitRune(r rune, raw string) {
	if r < utf8.RuneSelf {
		w.emitASCII(byte(r))
		return
	}
	if isSpace(r) && !w.keep {
		w.gap = true
		return
	}
	w.mark()
	if r == utf8.RuneError && w.keep {
		// An invalid byte becomes U+FFFD, as when ranging over the
		// string: what NFKC then folding the whole text gives.
		w.out = utf8.AppendRune(w.out, r)
		return
	}
	if f := foldRune(r); f != r {
		w.out = utf8.AppendRune(w.out, f)
	} else {
		w.out = append(w.out, raw...)
	}
}

func (w *compactor) emitASCII(c byte) {
	switch {
	case w.keep:
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		w.out = append(w.out, c)
		return
	case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
		w.gap = true
		return
	case 'A' <= c && c <= 'Z':
		c += 'a' - 'A'
	}
	if w.gap {
		w.mark()
	}
	w.out = append(w.out, c)
}

func foldRune(r rune) rune {
	switch {
	case r >= 0x3000 && r < 0xa640:
		// CJK symbols, kana, CJK ideographs, Yi: no case. Most Japanese
		// text is here, and unicode.IsUpper's table search is not free.
		return r
	case r == 'ς':
		return 'σ'
	case unicode.IsUpper(r) || unicode.IsTitle(r):
		return unicode.ToLower(r)
	}
	return r
}

// nfkcFold returns s NFKC-normalised and case-folded as compact does it,
// white space kept, in one pass: most Japanese and English text never goes through
// the NFKC transform.
func nfkcFold(s string) string {
	w := compactor{out: make([]byte, 0, len(s)+len(s)/8), keep: true}
	w.add(s)
	return string(w.out)
}

// isSpace includes the zero-width characters that are used to split a word
// invisibly, besides Unicode white space.
func isSpace(r rune) bool {
	if r > 0x3000 {
		return r == '\ufeff'
	}
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
		return true
	}
	return unicode.IsSpace(r)
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z'
}
