package detect

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Someone who means to write to a person they never mailed often names
// them in the text: "I've copied Mark", "adding Sara Shackleton", "Kay -
// can you …", "per Shackleton's note", or the message they answer. A
// wrong recipient, a colleague's contact or an autocomplete neighbour, is
// named only by chance. A namesake or a neighbour shares a name with the
// one meant ("Mark"), so a mention counts only by a token nobody else the
// sender mails bears: on Enron's mail, counting any shared token made the
// text name a slipped namesake twice as often, at no gain on honest mail.

// maxMentionText bounds the text read for names: a newcomer is named near
// the top or in the message just quoted, and hostile text must not cost
// more than this.
const maxMentionText = 16 << 10

// mention sets text_names_rarest when the text names every least known
// recipient outside the thread by a token of its own.
func (c *check) mention() {
	i := c.rarest()
	if i < 0 {
		return
	}
	least := c.rs[i].contact.Total()
	var at [maxExamined]int
	rarest := at[:0]
	for j, r := range c.rs {
		if !r.inThread && r.contact.Total() == least {
			if len(rarest) == maxExamined {
				return // a broadcast to strangers: no text names them all
			}
			rarest = append(rarest, j)
		}
	}
	// The sender's own name is a signature; another recipient's name
	// speaks for that recipient; a name two of the rarest bear names
	// neither.
	var shared []string
	addShared := func(toks []string) {
		for _, t := range toks {
			if !slices.Contains(shared, t) {
				shared = append(shared, t)
			}
		}
	}
	addShared(c.nameTokensOf(c.sender, c.msg.From.Name))
	var own [maxExamined][]string
	for j, r := range c.rs {
		k := slices.Index(rarest, j)
		if k < 0 {
			addShared(c.nameTokensOf(r.Addr, r.Name))
			continue
		}
		own[k] = c.nameTokensOf(r.Addr, r.Name)
		if s, ok := c.suggested[r.Addr]; ok {
			addShared(c.nameTokensOf(s, ""))
		}
		for _, o := range own[:k] {
			addShared(intersect(o, own[k]))
		}
	}
	var want []mentioned
	for _, toks := range own[:len(rarest)] {
		for _, t := range toks {
			if !slices.Contains(shared, t) {
				want = append(want, mentioned{tok: t})
			}
		}
	}
	if len(want) == 0 {
		return
	}
	scanMentions(c.msg.Text, want)
	if !namesAll(own[:len(rarest)], want) {
		return
	}
	// A name the contact suggested in a recipient's place bears too may
	// mean that one (above); for a newcomer, so may a name any of the
	// sender's contacts bears, suggested or not: the one meant may fit the
	// others no better. Only now, for the few messages that name their
	// newcomers, are the contacts read.
	if least < minCandidateTx {
		for _, k := range c.candidates() {
			if k.Total() < minCandidateTx || c.stopped() {
				break
			}
			if !c.present(k.Addr) && c.unsetBorne(k.Addr, want) && !namesAll(own[:len(rarest)], want) {
				return
			}
		}
	}
	if c.err == nil {
		c.f[fTextNamesRarest] = 1 / (1 + least)
	}
}

// mentioned is a name token looked for in the text, and whether it is
// there.
type mentioned struct {
	tok   string
	found bool
}

func intersect(a, b []string) []string {
	var out []string
	for _, t := range a {
		if slices.Contains(b, t) {
			out = append(out, t)
		}
	}
	return out
}

// namesAll reports whether each of own holds a token found.
func namesAll(own [][]string, ms []mentioned) bool {
	for _, toks := range own {
		if !slices.ContainsFunc(ms, func(m mentioned) bool { return m.found && slices.Contains(toks, m.tok) }) {
			return false
		}
	}
	return true
}

// unsetBorne clears the tokens found that addr is known by, and reports
// whether it cleared any. Most contacts were never named in this check:
// reading their names as text costs less than splitting them into tokens.
func (c *check) unsetBorne(addr string, ms []mentioned) bool {
	if n, ok := c.names[nameKey{addr, ""}]; ok {
		cleared := false
		for i := range ms {
			if ms[i].found && slices.Contains(n.tokens, ms[i].tok) {
				ms[i].found, cleared = false, true
			}
		}
		return cleared
	}
	cleared := markWords(localPart(addr), ms, false)
	for _, name := range c.m.Names(addr) {
		cleared = markWords(name, ms, false) || cleared
	}
	return cleared
}

// scanMentions marks found each token the text holds as a whole word, in
// any case (Latin letters), or anywhere (kanji, kana: Japanese puts no
// space between a name and what follows, 田中さん). Tokens are lower-case,
// as nameTokens gives them.
func scanMentions(text string, ms []mentioned) {
	if len(text) > maxMentionText {
		text = text[:maxMentionText]
	}
	markWords(text, ms, true)
}

// markWords sets found to v for each token text holds (as scanMentions
// reads it), and reports whether it changed any.
func markWords(text string, ms []mentioned, v bool) bool {
	changed := false
	var lengths uint64 // byte lengths of the Latin tokens still to mark, up to 63
	for i, m := range ms {
		switch {
		case m.found == v:
		case isCJK(m.tok):
			if strings.Contains(text, m.tok) {
				ms[i].found, changed = v, true
			}
		case len(m.tok) < 64:
			lengths |= 1 << len(m.tok)
		}
	}
	if lengths == 0 {
		return changed
	}
	var buf [64]byte
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		if !latinWordRune(r) {
			i += size
			continue
		}
		start, ascii := i, true
		for i < len(text) {
			r, size = rune(text[i]), 1
			if r >= utf8.RuneSelf {
				r, size = utf8.DecodeRuneInString(text[i:])
				ascii = false
			}
			if !latinWordRune(r) {
				break
			}
			i += size
		}
		// Lower-casing keeps an ASCII word's length: most words are
		// passed over by it alone.
		n := i - start
		if n >= 64 || ascii && lengths&(1<<n) == 0 {
			continue
		}
		w := buf[:0]
		for _, r := range text[start:i] {
			w = utf8.AppendRune(w, unicode.ToLower(r))
		}
		for k, m := range ms {
			if m.found != v && m.tok == string(w) {
				ms[k].found, changed = v, true
			}
		}
	}
	return changed
}

// latinWordRune reports whether r belongs to a word of space-separated
// script: letters and digits other than kanji and kana.
func latinWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return (unicode.IsLetter(r) || unicode.IsDigit(r)) && !unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}
