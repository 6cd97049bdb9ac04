package detect

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Replies and forwards quote the message they answer, headers and all:
// Outlook's "-----Original Message----- / From: / To: / Cc:", its Japanese
// "差出人: / 宛先: / CC:", Notes' "Forwarded by … / To: … / cc:", mail
// clients' "> From:". Everyone those headers name took part in the
// conversation, which mail without References (most of Enron's, much that
// passes through gateways) cannot tell otherwise: someone added to a reply
// who was on the quoted message was meant, someone new to it may not be.

// quotedFields are the header names whose values name people.
var quotedFields = []string{"from", "to", "cc", "bcc", "sent by", "差出人", "送信者", "宛先", "ｃｃ"}

// maxQuotedLines bounds the scan: the headers of a long thread's quotes
// are spread through it, but not beyond this many lines.
const maxQuotedLines = 4000

// quoted is what the quoted headers of a message name: addresses and, for
// each name, its words.
type quoted struct {
	addrs map[string]bool
	names [][]string // lower-case words of each name
	// author is the first quoted From alone: who wrote the message the
	// text answers, as a reply quotes it first; authorText, that From as
	// written, for the sentence.
	author     *quoted
	authorText string
}

// maxAuthorText bounds the quoted author a finding repeats.
const maxAuthorText = 80

// authorFields are the quoted header names that say who wrote a message.
var authorFields = []string{"from", "差出人", "送信者"}

// quotedPeople reads the header lines quoted in text. A line counts when
// it starts, after quote marks and space, with a field name and a colon;
// the first line of the text never does, so a body that begins "To: all"
// names nobody.
func quotedPeople(text string) quoted {
	var q quoted
	i := -1
	for line := range strings.Lines(text) {
		if i++; i == 0 {
			continue
		}
		if i > maxQuotedLines {
			break
		}
		field, value, ok := quotedValue(strings.TrimRight(line, "\r\n"))
		if !ok {
			continue
		}
		first := q.author == nil && slices.Contains(authorFields, field)
		if first {
			q.author, q.authorText = &quoted{}, clipText(value, maxAuthorText)
		}
		for _, piece := range splitPeople(value) {
			q.add(piece)
			if first {
				q.author.add(piece)
			}
		}
	}
	return q
}

// splitPeople splits a quoted header's value into people. Outlook lists
// them as "Last, First; Last2, First2" (one person: "Last, First"), Notes
// as "First Last/OU/Org@Org, …": split on ";" when there is one, else on
// ",", putting back together a "Last, First" the comma split.
func splitPeople(value string) []string {
	if strings.Contains(value, ";") {
		return strings.Split(value, ";")
	}
	parts := strings.Split(value, ",")
	plain := func(s string) bool {
		s = strings.TrimSpace(s)
		return s != "" && !strings.ContainsAny(s, "@/<[")
	}
	var out []string
	for i := 0; i < len(parts); i++ {
		p := parts[i]
		if i+1 < len(parts) && plain(p) && len(strings.Fields(p)) == 1 && plain(parts[i+1]) {
			p += "," + parts[i+1]
			i++
		}
		out = append(out, p)
	}
	return out
}

// clipText cuts s to at most n bytes, on a character boundary, marking
// the cut.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// quotedValue returns the field name, lower case, and the value of a
// quoted header line, if line is one.
func quotedValue(line string) (field, value string, ok bool) {
	s := strings.TrimLeft(line, " \t>|")
	colon := strings.IndexAny(s, ":：")
	if colon <= 0 || colon > 12 {
		return "", "", false
	}
	field = strings.ToLower(strings.TrimSpace(s[:colon]))
	if !slices.Contains(quotedFields, field) {
		return "", "", false
	}
	_, size := utf8.DecodeRuneInString(s[colon:])
	return field, strings.TrimSpace(s[colon+size:]), true
}

func (q *quoted) add(piece string) {
	piece = strings.ToLower(strings.TrimSpace(piece))
	if piece == "" {
		return
	}
	// Addresses, in any wrapping: <a@b>, [mailto:a@b], a@b.
	for _, f := range strings.FieldsFunc(piece, func(r rune) bool { return strings.ContainsRune(" <>[]\"'();", r) }) {
		f = strings.TrimPrefix(f, "mailto:")
		if at := strings.IndexByte(f, '@'); at > 0 && strings.Contains(f[at:], ".") {
			if q.addrs == nil {
				q.addrs = map[string]bool{}
			}
			q.addrs[strings.TrimRight(f, ".,")] = true
		}
	}
	// The name: what comes before an address or a Notes hierarchy.
	name := piece
	if i := strings.IndexAny(name, "<[/@"); i >= 0 {
		name = name[:i]
	}
	words := strings.FieldsFunc(name, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",.\"'()　", r)
	})
	var keep []string
	for _, w := range words {
		if len(w) >= 2 || isCJK(w) {
			keep = append(keep, w)
		}
	}
	if len(keep) > 0 {
		q.names = append(q.names, keep)
	}
}

// has reports whether the quoted headers name addr, by address or by a
// name whose words include every word (two at least, or one in kanji) of
// one of names, the recipient's name tokens.
func (q quoted) has(addr string, names []string) bool {
	if q.addrs[addr] {
		return true
	}
	if len(names) == 0 {
		return false
	}
	for _, n := range q.names {
		hits := 0
		for _, t := range names {
			if slices.Contains(n, t) {
				hits++
			}
		}
		if hits >= 2 || (hits == 1 && len(names) == 1 && isCJK(names[0])) {
			return true
		}
	}
	return false
}

func (q quoted) empty() bool { return len(q.addrs) == 0 && len(q.names) == 0 }
