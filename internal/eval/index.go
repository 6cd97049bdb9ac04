package eval

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/misend/misend/internal/mail"
)

// index is what the strategies know of the history learned so far: who
// mails whom, the display names of addresses, and every address seen. It
// holds lists in first-seen order, so a seeded pick is the same on every run.
type index struct {
	org orgDomains

	contacts   map[string]*addrSet        // insider sender → addresses it mailed
	recent     map[string][]string        // insider sender → the last addresses it mailed, latest last
	domains    map[string]map[string]bool // insider sender → domains it mailed
	colleagues []string                   // insiders that sent mail, first-seen order

	names  map[string]string   // address → a display name seen for it
	byName map[string]*addrSet // name token → addresses carrying it

	// sorted is every address seen, sorted, for prefix neighbours, but
	// for those in unsorted, seen since it was last asked for (addresses):
	// inserting each new address in place would move half the list every
	// time, which for a whole history's addresses costs more than the
	// rest of the index.
	sorted      []string
	unsorted    []string
	seen        map[string]string // every address seen → the index's own copy of it
	seenDomains map[string]bool   // domains of every address seen, built on first use
}

// addrSet is a set that keeps insertion order and counts how often each
// address was added.
type addrSet struct {
	list []string
	has  map[string]int
}

func (s *addrSet) add(a string) {
	if s.has == nil {
		s.has = map[string]int{}
	}
	if s.has[a] == 0 {
		s.list = append(s.list, a)
	}
	s.has[a]++
}

func newIndex(org []string) *index {
	return &index{org: org, contacts: map[string]*addrSet{}, recent: map[string][]string{}, domains: map[string]map[string]bool{},
		names: map[string]string{}, byName: map[string]*addrSet{}, seen: map[string]string{}}
}

// add records msg as history.
//
// What it keeps of msg are copies (see own): a parsed address or name is
// often a substring of its whole header field, which would keep the field
// of every message of the history alive for as long as the index.
func (x *index) add(msg *mail.Message) {
	from := x.address(msg.From)
	rcpts := msg.Recipients() // a new slice: msg keeps its own addresses
	for i, r := range rcpts {
		rcpts[i].Addr = x.address(r)
	}
	if from == "" || !x.org.has(from) || len(rcpts) == 0 {
		return
	}
	c := x.contacts[from]
	if c == nil {
		c = &addrSet{}
		x.contacts[from] = c
		x.colleagues = append(x.colleagues, from)
	}
	ds := x.domains[from]
	if ds == nil {
		ds = map[string]bool{}
		x.domains[from] = ds
	}
	for _, r := range rcpts {
		if r.Addr != from {
			c.add(r.Addr)
			ds[r.Domain()] = true
			x.recent[from] = remember(x.recent[from], r.Addr)
		}
	}
}

// recentKept is how many of a sender's latest recipients the index keeps:
// about what a mail client's list of recent addresses offers.
const recentKept = 20

// remember moves a to the end of recent, dropping the oldest past
// recentKept.
func remember(recent []string, a string) []string {
	if i := slices.Index(recent, a); i >= 0 {
		recent = slices.Delete(recent, i, i+1)
	} else if len(recent) == recentKept {
		recent = slices.Delete(recent, 0, 1)
	}
	return append(recent, a)
}

// address records a and returns the index's own copy of its address.
func (x *index) address(a mail.Address) string {
	if a.Addr == "" || !strings.Contains(a.Addr, "@") {
		return strings.Clone(a.Addr) // not indexed, but kept as a contact
	}
	own, seen := x.seen[a.Addr]
	if !seen {
		own = strings.Clone(a.Addr)
		x.seen[own] = own
		x.unsorted = append(x.unsorted, own)
		if x.seenDomains != nil {
			x.seenDomains[domainOf(own)] = true
		}
	}
	named := x.names[own]
	byLocal := a.Name == "" || strings.Contains(a.Name, "@") // nameTokens reads the local part
	if !byLocal && named == "" {
		x.names[own] = strings.Clone(a.Name)
	}
	// Most addresses come again and again under the same name, whose
	// tokens were indexed the first time: the name the index keeps is the
	// first one the address came with, and an address never kept under a
	// name always came without one, its tokens those of its local part.
	if seen && (byLocal && named == "" || !byLocal && a.Name == named) {
		return own
	}
	for _, t := range nameTokens(a) {
		s := x.byName[t]
		if s == nil {
			s = &addrSet{}
			x.byName[strings.Clone(t)] = s
		}
		s.add(own)
	}
	return own
}

// addresses returns every address seen, sorted.
func (x *index) addresses() []string {
	if len(x.unsorted) == 0 {
		return x.sorted
	}
	// Merged from the back, in place: no address moves more than once.
	add := x.unsorted
	slices.Sort(add)
	i, j := len(x.sorted)-1, len(add)-1
	x.sorted = slices.Grow(x.sorted, len(add))[:len(x.sorted)+len(add)]
	for w := len(x.sorted) - 1; j >= 0; w-- {
		if i >= 0 && x.sorted[i] > add[j] {
			x.sorted[w] = x.sorted[i]
			i--
		} else {
			x.sorted[w] = add[j]
			j--
		}
	}
	x.unsorted = add[:0]
	return x.sorted
}

// sentTo reports whether sender has mailed addr before.
func (x *index) sentTo(sender, addr string) bool {
	c := x.contacts[sender]
	return c != nil && c.has[addr] > 0
}

// timesSent is how many messages of the history sender sent to addr.
func (x *index) timesSent(sender, addr string) int {
	if c := x.contacts[sender]; c != nil {
		return c.has[addr]
	}
	return 0
}

// mailedDomain reports whether sender has mailed anyone at dom before.
func (x *index) mailedDomain(sender, dom string) bool { return x.domains[sender][dom] }

// nameTokens returns the lower-cased given and family names of an address:
// the words of its display name (split on spaces, including the ideographic
// space, commas and dots, so "Smith, John" and "田中　太郎" both give two), or
// when there is none, the words of a local part like "john.smith". A Japanese
// name written without a space, "田中太郎", gives its first two characters as
// the surname, the commonest surname length; a guess, but a wrong token only
// makes a same-name candidate less apt, never a wrong one for another reason.
func nameTokens(a mail.Address) []string {
	name := a.Name
	fromLocal := name == "" || strings.Contains(name, "@")
	if fromLocal {
		name = localOf(a.Addr)
		if !strings.ContainsAny(name, "._") {
			return nil // "jsmith" is no name to split
		}
	}
	name = strings.ToLower(name)
	words := strings.FieldsFunc(name, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",._()\"'/-", r) || unicode.IsDigit(r)
	})
	var out []string
	for _, w := range words {
		n := utf8.RuneCountInString(w)
		if n < 2 || n > 24 {
			continue
		}
		if len(words) == 1 && isHan(w) && n >= 3 && n <= 5 {
			out = append(out, string([]rune(w)[:2]))
			continue
		}
		if fromLocal && (roleWords[w] || strings.Contains(a.Domain(), w)) {
			continue // "enron_update@concure.com" names no person
		}
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// roleWords are parts of local parts that name a function, not a person.
var roleWords = map[string]bool{
	"admin": true, "administration": true, "info": true, "sales": true, "support": true, "update": true,
	"updates": true, "team": true, "mail": true, "news": true, "service": true, "services": true,
	"office": true, "noreply": true, "reply": true, "group": true, "list": true, "dept": true,
	"help": true, "desk": true, "hr": true, "it": true, "web": true, "contact": true, "main": true,
}

func isHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}
