package terms

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
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
func compact(text string, buf []byte) (out []byte, gaps []uint64) {
	if isASCII(text) {
		return compactASCII(text, buf)
	}
	folded := foldCase(norm.NFKC.String(text))
	out = buf[:0]
	gaps = make([]uint64, len(folded)/64+1)
	gap := false
	for i := 0; i < len(folded); {
		r, n := utf8.DecodeRuneInString(folded[i:])
		if isSpace(r) {
			gap = true
			i += n
			continue
		}
		if gap {
			p := len(out)
			gaps[p>>6] |= 1 << (p & 63)
			gap = false
		}
		out = append(out, folded[i:i+n]...)
		i += n
	}
	return out, gaps
}

// compactASCII is compact for pure ASCII, the common case for English mail,
// in one pass without allocation beyond out.
func compactASCII(text string, buf []byte) ([]byte, []uint64) {
	out := buf[:0]
	if cap(out) < len(text) {
		out = make([]byte, 0, len(text))
	}
	gaps := make([]uint64, len(text)/64+1)
	gap := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			gap = true
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if gap {
			p := len(out)
			gaps[p>>6] |= 1 << (p & 63)
			gap = false
		}
		out = append(out, c)
	}
	return out, gaps
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func foldCase(s string) string {
	// A cases.Caser keeps state and is not safe for concurrent use, so each
	// call gets its own.
	return cases.Fold().String(s)
}

// isSpace includes the zero-width characters that are used to split a word
// invisibly, besides Unicode white space.
func isSpace(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
		return true
	}
	return unicode.IsSpace(r)
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z'
}
