package eval

import (
	"math/rand/v2"

	"github.com/misend/misend/internal/mail"
)

// Typo mistypes the local part of a recipient the sender has mailed at
// least minTypoSent times: one key substituted by a neighbour, two
// swapped, one left out, one doubled, or one character taken for a
// look-alike. The domain stays, and the result is an address no message of
// the history names: the mail goes to a mailbox that does not exist, or to
// a stranger at the same organisation.
type Typo struct{}

func (Typo) Name() string { return "typo" }

// minTypoSent is how often the sender must have mailed an address for a
// slip of it to count: people mistype the addresses they type, and an
// address mailed once is as often picked from a list as typed.
const minTypoSent = 2

// minTypoLocal is the shortest local part mistyped: slips of "jo" are
// another person's initials more often than a typo.
const minTypoLocal = 4

func (Typo) wrong(x *index, msg *mail.Message, r *rand.Rand) (int, mail.Address, bool) {
	rcpts := msg.Recipients()
	var cands []int
	for i, a := range rcpts {
		if x.timesSent(msg.From.Addr, a.Addr) >= minTypoSent && len(localOf(a.Addr)) >= minTypoLocal {
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 {
		return 0, mail.Address{}, false
	}
	// Any of them, not only the commonest: the mistyped one is whoever
	// the sender typed this time.
	r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	for _, i := range cands {
		local, dom := localOf(rcpts[i].Addr), domainOf(rcpts[i].Addr)
		for try := 0; try < 8; try++ {
			l := mistype(local, r.IntN(typoHomoglyph+1), r)
			a := l + "@" + dom
			if l != local && validLocal(l) && x.seen[a] == "" && usable(msg, a) {
				// A typed address carries no display name: the
				// client has none for an address it never saw.
				return i, mail.Address{Addr: a}, true
			}
		}
	}
	return 0, mail.Address{}, false
}

// validLocal reports whether l can stand as a dot-atom local part.
func validLocal(l string) bool {
	if l == "" || l[0] == '.' || l[len(l)-1] == '.' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '+') {
			return false
		}
	}
	return true
}
