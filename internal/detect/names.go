package detect

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// nameTokens splits a display name or an address local part into
// lower-cased tokens: "Tanaka, Taro" and "taro.tanaka" both give
// {tanaka, taro}. A run of CJK letters without spaces ("田中太郎") also
// yields its first and last two characters, the usual length of a Japanese
// surname and given name, so "田中太郎" and "田中 花子" share "田中".
func nameTokens(s string) []string {
	s = norm.NFKC.String(s)
	var out []string
	add := func(t string) {
		if t == "" {
			return
		}
		for _, o := range out {
			if o == t {
				return
			}
		}
		out = append(out, t)
	}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		f = strings.ToLower(f)
		if isCJK(f) {
			f = strings.TrimRight(f, "様殿さん")
			n := utf8.RuneCountInString(f)
			if n >= 3 && n <= 5 {
				r := []rune(f)
				add(string(r[:2]))
				add(string(r[n-2:]))
				continue
			}
			if n >= 1 {
				add(f)
			}
			continue
		}
		if len(f) < 2 || honorific[f] {
			continue
		}
		add(f)
	}
	return out
}

// familyNames guesses the family name in a display name: the first word of
// a Japanese name ("田中 太郎", or the first two characters of "田中太郎"),
// the part before the comma of "Smith, John", else the last word of a
// Western name ("John Smith"). Lower-cased; nil when there is no name.
func familyNames(display string) []string {
	f := familyOfTokens(display, nameTokens(display))
	if f == "" {
		return nil
	}
	return []string{f}
}

// familyOfTokens is familyNames given the display name's nameTokens, so a
// name is split once for both.
func familyOfTokens(display string, toks []string) string {
	if len(toks) == 0 {
		return ""
	}
	if strings.IndexByte(display, ',') > 0 || strings.ContainsRune(display, '，') || isCJK(toks[0]) {
		return toks[0]
	}
	return toks[len(toks)-1]
}

// localFamily guesses the family name in an address local part: the last
// of its dot, dash or underscore separated words ("t.fukuda2", "m-kinoshita",
// "john.smith"), or the whole local part, without trailing digits, which
// number namesakes; "" when that leaves fewer than three letters.
func localFamily(local string) string {
	if i := strings.LastIndexAny(local, ".-_"); i >= 0 {
		local = local[i+1:]
	}
	w := strings.TrimRightFunc(local, unicode.IsDigit)
	if len(w) < 3 {
		return ""
	}
	return strings.ToLower(w)
}

var honorific = map[string]bool{"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "san": true, "sama": true, "jr": true, "sr": true}

func isCJK(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) {
			return true
		}
	}
	return false
}

// shareToken reports whether a and b have a token in common.
func shareToken(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// editDistance is the optimal-string-alignment distance between a and b
// (bytes): insertions, deletions, substitutions and swaps of two adjacent
// letters each count one, since a swap is one slip of the fingers. It gives
// up early and returns max+1 once the distance must exceed max.
func editDistance(a, b string, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			best = min(best, cur[j])
		}
		if best > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
