package eval

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/misend/misend/internal/mail"
)

// A Strategy makes one kind of misdirection: given a message about to be
// sent and the history before it, it picks which true recipient the sender
// meant and the wrong address that went out instead. It is deterministic in
// the random source it is given. The set is closed; see Strategies.
type Strategy interface {
	Name() string
	// wrong returns the index in msg.Recipients() of the intended recipient
	// and the wrong address, or ok false when no plausible one exists.
	wrong(x *index, msg *mail.Message, r *rand.Rand) (intended int, wrong mail.Address, ok bool)
}

// Strategies returns every strategy, in report order.
func Strategies() []Strategy {
	return []Strategy{ColleagueContact{}, SameName{}, LookalikeDomain{}, Autocomplete{}, Typo{}, RecentContact{}}
}

func names(ss []Strategy) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Name()
	}
	return out
}

// StrategiesByName returns the named strategies ("all" or empty for all).
func StrategiesByName(want []string) ([]Strategy, error) {
	every := Strategies()
	if len(want) == 0 || (len(want) == 1 && want[0] == "all") {
		return every, nil
	}
	var out []Strategy
	for _, n := range want {
		var found Strategy
		for _, s := range every {
			if s.Name() == strings.TrimSpace(n) {
				found = s
			}
		}
		if found == nil {
			return nil, fmt.Errorf("unknown strategy %q (have %s)", n, strings.Join(names(every), ", "))
		}
		out = append(out, found)
	}
	return out, nil
}

// usable reports whether a is a wrong address for msg: not the sender and
// not already on the message.
func usable(msg *mail.Message, a string) bool {
	if a == "" || a == msg.From.Addr {
		return false
	}
	for _, r := range msg.Recipients() {
		if r.Addr == a {
			return false
		}
	}
	return true
}

// named returns addr with the display name history has for it.
func (x *index) named(addr string) mail.Address {
	return mail.Address{Name: x.names[addr], Addr: addr}
}

// ColleagueContact sends to a contact of a co-worker whom the sender never
// mailed: the mistake of writing on a colleague's behalf, or picking from a
// shared address book.
type ColleagueContact struct{}

func (ColleagueContact) Name() string { return "colleague-contact" }

func (ColleagueContact) wrong(x *index, msg *mail.Message, r *rand.Rand) (int, mail.Address, bool) {
	sender := msg.From.Addr
	rcpts := msg.Recipients()
	if len(rcpts) == 0 {
		return 0, mail.Address{}, false
	}
	// Co-workers first: insiders the sender mails; any insider otherwise.
	var pool []string
	if c := x.contacts[sender]; c != nil {
		for _, a := range c.list {
			if x.contacts[a] != nil {
				pool = append(pool, a)
			}
		}
	}
	for _, from := range [][]string{pool, x.colleagues} {
		for try := 0; try < 8 && len(from) > 0; try++ {
			col := from[r.IntN(len(from))]
			cs := x.contacts[col]
			if col == sender || cs == nil || len(cs.list) == 0 {
				continue
			}
			a := cs.list[r.IntN(len(cs.list))]
			if usable(msg, a) && !x.sentTo(sender, a) {
				return r.IntN(len(rcpts)), x.named(a), true
			}
		}
	}
	return 0, mail.Address{}, false
}

// RecentContact sends to someone else the sender mailed lately: the wrong
// entry of the client's recent addresses, or reply-all on the wrong
// conversation. The wrong address is a real contact, so only the message
// around it (thread, other recipients, greeting) can give it away.
type RecentContact struct{}

func (RecentContact) Name() string { return "recent-contact" }

func (RecentContact) wrong(x *index, msg *mail.Message, r *rand.Rand) (int, mail.Address, bool) {
	rcpts := msg.Recipients()
	if len(rcpts) == 0 {
		return 0, mail.Address{}, false
	}
	var cands []string
	for _, a := range x.recent[msg.From.Addr] {
		if usable(msg, a) {
			cands = append(cands, a)
		}
	}
	if len(cands) == 0 {
		return 0, mail.Address{}, false
	}
	return r.IntN(len(rcpts)), x.named(cands[r.IntN(len(cands))]), true
}

// SameName sends to someone sharing a given or family name with a true
// recipient, as names seen in history show: the wrong "Tanaka" or "John".
type SameName struct{}

func (SameName) Name() string { return "same-name" }

func (SameName) wrong(x *index, msg *mail.Message, r *rand.Rand) (int, mail.Address, bool) {
	rcpts := msg.Recipients()
	if len(rcpts) == 0 {
		return 0, mail.Address{}, false
	}
	start := r.IntN(len(rcpts))
	for k := range rcpts {
		i := (start + k) % len(rcpts)
		var cands []string
		for _, t := range nameTokens(rcpts[i]) {
			if s := x.byName[t]; s != nil {
				for _, a := range s.list {
					if usable(msg, a) {
						cands = append(cands, a)
					}
				}
			}
		}
		if len(cands) > 0 {
			return i, x.named(cands[r.IntN(len(cands))]), true
		}
	}
	return 0, mail.Address{}, false
}

// Autocomplete sends to the known address whose local part shares the
// longest prefix with a true recipient's: the client completed the wrong
// entry. Known addresses are all that the organisation's mail has seen.
type Autocomplete struct{}

func (Autocomplete) Name() string { return "autocomplete" }

// minPrefix is how much a sender types before completion is offered.
const minPrefix = 2

// maxNeighbours bounds the scan around a recipient in the sorted addresses.
const maxNeighbours = 64

func (Autocomplete) wrong(x *index, msg *mail.Message, r *rand.Rand) (int, mail.Address, bool) {
	rcpts := msg.Recipients()
	if len(rcpts) == 0 {
		return 0, mail.Address{}, false
	}
	start := r.IntN(len(rcpts))
	for k := range rcpts {
		i := (start + k) % len(rcpts)
		if cands := x.prefixNeighbours(msg, rcpts[i].Addr); len(cands) > 0 {
			return i, x.named(cands[r.IntN(len(cands))]), true
		}
	}
	return 0, mail.Address{}, false
}

// prefixNeighbours returns the usable known addresses whose local part
// shares the longest common prefix (at least minPrefix) with addr's.
func (x *index) prefixNeighbours(msg *mail.Message, addr string) []string {
	local := localOf(addr)
	sorted := x.addresses()
	pos := sortSearch(sorted, addr)
	best := minPrefix
	var cands []string
	consider := func(a string) {
		if !usable(msg, a) || a == addr {
			return
		}
		n := commonPrefix(local, localOf(a))
		switch {
		case n > best:
			best, cands = n, append(cands[:0], a)
		case n == best:
			cands = append(cands, a)
		}
	}
	for j := pos - 1; j >= 0 && j >= pos-maxNeighbours; j-- {
		consider(sorted[j])
	}
	for j := pos; j < len(sorted) && j < pos+maxNeighbours; j++ {
		consider(sorted[j])
	}
	return cands
}

func sortSearch(s []string, a string) int {
	lo, hi := 0, len(s)
	for lo < hi {
		m := (lo + hi) / 2
		if s[m] < a {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
