package terms

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// quoteMarkers start the quoted part of a reply or forward in the mail
// clients seen in Japanese and English offices.
var quoteMarkers = []string{
	"-----original message-----",
	"----- original message -----",
	"----- forwarded by",
	"---------------------- forwarded by",
	"-----元のメッセージ-----",
	"----- 転送メッセージ -----",
	"-------- original message --------",
	"-------- 転送メッセージ --------",
}

// OwnText returns what the sender wrote in text: lines quoted with '>' and
// everything from a reply or forward marker on are left out. Recommendation
// learns from it, so a quoted header block (From:, Sent:, Subject:) or
// another person's mail does not count as the sender's vocabulary; matching
// still sees the whole text.
func OwnText(text string) string {
	text = text[:quoteCut(text)]
	if !strings.Contains(text, "\n>") && !strings.HasPrefix(text, ">") {
		return text
	}
	var b strings.Builder
	for line := range strings.Lines(text) {
		if !strings.HasPrefix(strings.TrimLeft(line, " \t"), ">") {
			b.WriteString(line)
		}
	}
	return b.String()
}

// quoteCut returns where the first quote marker starts in text, compared
// case-insensitively, or len(text).
//
// Every marker starts with five dashes, which most mail lacks; and when
// lower-casing keeps every character's length, a marker can be compared in
// place, byte by byte, without lower-casing the text.
func quoteCut(text string) int {
	if !strings.Contains(text, "-----") {
		return len(text)
	}
	if !lowerKeepsLengths(text) {
		return quoteCutLower(text)
	}
	for i := 0; ; {
		j := strings.Index(text[i:], "-----")
		if j < 0 {
			return len(text)
		}
		i += j
		for _, m := range quoteMarkers {
			if hasLowerPrefix(text[i:], m) {
				return i
			}
		}
		i++
	}
}

// quoteCutLower finds the markers in strings.ToLower(text). ToLower keeps
// byte offsets for these ASCII and Japanese markers only when the text
// before them is unchanged in length; it falls back to the whole text when
// the lengths differ.
func quoteCutLower(text string) int {
	lower := strings.ToLower(text)
	if len(lower) != len(text) {
		return len(text)
	}
	cut := len(text)
	for _, m := range quoteMarkers {
		if i := strings.Index(lower, m); i >= 0 && i < cut {
			cut = i
		}
	}
	return cut
}

// lowerKeepsLengths tells whether strings.ToLower(s) maps every character
// to one of the same length in UTF-8 (and s is valid UTF-8).
func lowerKeepsLengths(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return false
		}
		if (r < 0x3000 || r >= 0xa640) && utf8.RuneLen(unicode.ToLower(r)) != n {
			return false
		}
		i += n
	}
	return true
}

// hasLowerPrefix tells whether s starts with marker m once lower-cased,
// for s whose characters keep their length when lower-cased: a letter of
// m can then only come from the same ASCII letter in either case, and a
// Japanese character of m (which has no case) only from itself.
func hasLowerPrefix(s, m string) bool {
	if len(s) < len(m) {
		return false
	}
	for k := 0; k < len(m); k++ {
		c := s[k]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != m[k] {
			return false
		}
	}
	return true
}
