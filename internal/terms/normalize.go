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
// It is one pass: runs that are already NFKC (checked with the quick-check
// tables; nearly all of Japanese and English mail) are folded and copied
// rune by rune, and only the segments that need it go through the NFKC
// transform. Case folding is simple (rune to lower case, final sigma to
// sigma), not the full folding that maps ß to ss.
func compact(text string, buf []byte) (out []byte, gaps []uint64) {
	w := compactor{out: buf[:0]}
	if cap(w.out) < len(text) {
		w.out = make([]byte, 0, len(text)+len(text)/8)
	}
	w.gaps = make([]uint64, len(text)/64+1)
	var scratch [128]byte
	s := text
	for len(s) > 0 {
		n := norm.NFKC.QuickSpanString(s)
		w.emit(s[:n])
		s = s[n:]
		if len(s) == 0 {
			break
		}
		k := norm.NFKC.NextBoundaryInString(s, true)
		if k <= 0 {
			k = len(s)
		}
		w.emit(string(norm.NFKC.AppendString(scratch[:0], s[:k])))
		s = s[k:]
	}
	return w.out, w.gaps
}

type compactor struct {
	out  []byte
	gaps []uint64
	gap  bool
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
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
				w.gap = true
				continue
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			}
			w.mark()
			w.out = append(w.out, c)
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if isSpace(r) {
			w.gap = true
			i += n
			continue
		}
		w.mark()
		if f := foldRune(r); f != r {
			w.out = utf8.AppendRune(w.out, f)
		} else {
			w.out = append(w.out, s[i:i+n]...)
		}
		i += n
	}
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

// foldCase folds a whole string the same way.
func foldCase(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b = append(b, byte(r))
			continue
		}
		b = utf8.AppendRune(b, foldRune(r))
	}
	return string(b)
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
