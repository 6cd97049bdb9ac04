package detect

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/misend/misend/internal/finding"
)

// What the organisation's mail says of a recipient new to the sender,
// beyond whether anyone knows them (org_unknown): when anyone last
// exchanged mail with them, and whether they work in a circle of anyone
// on the message.

// newcomer returns recipient i, new to the sender, with what the
// organisation's mail says of them looked up: the score reads it for the
// rarest newcomer, the NEW_RECIPIENT sentence for each.
func (c *check) newcomer(i int) *rcpt {
	r := &c.rs[i]
	if !r.looked {
		r.orgLast, r.otherCircle, r.looked = c.m.OrgLastSeen(r.Addr), c.otherCircle(i), true
	}
	return r
}

// otherCircle reports whether recipient i falls in another circle of the
// organisation's mail graph (model.Circle) than the sender and every other
// recipient: a newcomer someone on the message works with comes from one
// of theirs; a namesake or an address-book neighbour taken by mistake,
// from anywhere.
func (c *check) otherCircle(i int) bool {
	circle, ok := c.m.Circle(c.rs[i].Addr)
	if !ok {
		return false
	}
	if s, ok := c.m.Circle(c.sender); !ok || s == circle {
		return false
	}
	for j, o := range c.rs {
		if j == i {
			continue
		}
		if s, ok := c.m.Circle(o.Addr); ok && s == circle {
			return false
		}
	}
	return true
}

// staleHalf is the age at which staleness reaches one half.
const staleHalf = 60 * 24 * time.Hour

// staleness is how long ago the organisation last exchanged mail with a
// recipient, as 1-2^(-age/staleHalf): 0 for this week's correspondent,
// near 1 for a name from years ago. Someone new to the sender is usually
// someone the organisation deals with now; a wrong pick from an address
// book or a colleague's contacts is as often someone from long ago. An
// address nobody ever exchanged mail with has no age (org_unknown covers it).
func staleness(last, now time.Time) float64 {
	if last.IsZero() || !now.After(last) {
		return 0
	}
	return 1 - math.Exp2(-float64(now.Sub(last))/float64(staleHalf))
}

// longAgo is the staleness (two months) from which a sender is told when
// the organisation last dealt with a recipient new to them.
const longAgo = 0.5

// unfamiliar words f, the NEW_RECIPIENT finding of recipient i, with what
// makes the newcomer unlike those people usually start writing to, as
// org_stale and other_circle measure it, so that a sender warned partly
// for these reasons is told them. f is returned as it is when neither
// applies.
func (c *check) unfamiliar(i int, f finding.Finding) finding.Finding {
	r := c.newcomer(i)
	var why []string
	args := finding.Args{}
	if staleness(r.orgLast, c.now) >= longAgo {
		why = append(why, "unfamiliar.long_ago")
		args["months"] = strconv.Itoa(int(c.now.Sub(r.orgLast).Hours() / (24 * 30)))
	}
	if r.otherCircle {
		why = append(why, "unfamiliar.other_circle")
	}
	if len(why) == 0 {
		return f
	}
	args["why"] = strings.Join(why, " ")
	key := "new_recipient.unfamiliar"
	if r.internal {
		key = "new_recipient.colleague_unfamiliar"
		// Low rather than info: a colleague from another circle is
		// worth the sender's second look.
		f.Severity = finding.Low
	}
	return f.Say(key, args)
}
