package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

type partyKind uint8

const (
	pPerson partyKind = iota
	pContact
	pDeptList
	pGroupList
	pAllList
)

// party is a sender or recipient: a person, a partner contact or a list.
type party struct {
	kind partyKind
	id   int
}

type lang uint8

const (
	langJA lang = iota
	langEN
)

type eventKind uint8

const (
	kNew eventKind = iota
	kReply
	kList
	kMass
	kIntro
	kFwd
)

// event is one message planned; text and bytes come later, and only when
// rendering.
type event struct {
	at           time.Time
	seq          int
	kind         eventKind
	from         party
	to, cc, bcc  []party
	subject      string
	topic        *topic
	lang         lang
	secret       string
	attach       string
	partner      int // the partner the conversation is with, -1 if internal
	msgID        string
	parent       *event
	refs         []string
	depth        int
	text         string
	internalOnly bool
	fwdOf        *event  // the message a forward carries
	added        []party // people a reply brings into the thread
	forBoss      bool    // written by an assistant for the head, who is copied
	first        bool    // the first mail to a company: no greeting as to an acquaintance
}

func (e *event) firstTo() party {
	if len(e.to) > 0 {
		return e.to[0]
	}
	return party{kind: pAllList}
}

// gen walks the days. plan draws the events and text draws the words and
// encodings, from separate streams: planning alone (for Scenarios) then
// yields exactly the events rendering would.
type gen struct {
	org     *Org
	plan    *rand.Rand
	text    *rand.Rand
	render  bool
	seq     int
	pending [][]*event // replies scheduled per day
	day     int        // the day being planned
	// watch, when set, sees every planned event in date order.
	watch func(e *event)
}

func (o *Org) newGen(render bool) *gen {
	return &gen{
		org:     o,
		plan:    newRand(o.Seed, 2),
		text:    newRand(o.Seed, 3),
		render:  render,
		pending: make([][]*event, o.Opt.Days+1),
	}
}

func (g *gen) poisson(mean float64) int {
	// Knuth's method is fine for the small means used here.
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= g.plan.Float64()
		if p <= l || k > 200 {
			return k
		}
		k++
	}
}

func (g *gen) newEvent(kind eventKind, at time.Time, from party) *event {
	g.seq++
	return &event{at: at, seq: g.seq, kind: kind, from: from, partner: -1}
}

// workTime is a time on day within working hours, or late for off-hours
// people.
func (g *gen) workTime(day int, offHours bool) time.Time {
	base := g.org.Opt.Start.AddDate(0, 0, day)
	base = time.Date(base.Year(), base.Month(), base.Day(), 0, 0, 0, 0, g.org.Opt.Start.Location())
	var sec int
	switch {
	case offHours && g.plan.IntN(3) == 0:
		sec = 20*3600 + g.plan.IntN(4*3600)
	case g.plan.IntN(10) == 0:
		// Japanese offices work late: about one message in ten from
		// ordinary staff leaves between 18:30 and 22:00.
		sec = 18*3600 + 30*60 + g.plan.IntN(3*3600+30*60)
	default:
		sec = 8*3600 + 30*60 + g.plan.IntN(10*3600)
	}
	return base.Add(time.Duration(sec) * time.Second)
}

// run plans every day and hands each event, in date order, to emit.
func (g *gen) run(emit func(e *event) error) error {
	o := g.org
	var joiners []int
	for ci := range o.Contacts {
		if o.Contacts[ci].Joins > 0 && o.Contacts[ci].Meets >= 0 {
			joiners = append(joiners, ci)
		}
	}
	for day := range o.Opt.Days {
		date := o.Opt.Start.AddDate(0, 0, day)
		wd := date.Weekday()
		weekend := wd == time.Saturday || wd == time.Sunday
		events := g.pending[day]
		g.pending[day] = nil
		g.day = day
		for pid := range o.People {
			p := &o.People[pid]
			if p.joins == day && day > 0 {
				events = append(events, g.welcome(pid, day))
			}
			if p.joins > day {
				continue
			}
			// At weekends the off-hours people often mail, and anyone
			// else now and then: one in twenty-five catches up on a
			// weekend day, a few dozen people in a thousand, so that
			// weekends carry a couple of percent of the week's mail.
			if p.away(day) || (weekend && !(p.OffHours && g.plan.IntN(3) == 0) && g.plan.IntN(25) != 0) {
				continue
			}
			for range g.poisson(o.Opt.Rate * p.Activity) {
				events = append(events, g.conversation(pid, day))
			}
			if len(p.Contacts) > 0 && !weekend {
				for range g.poisson(o.Opt.Rate * p.Activity * 0.25) {
					if e := g.inbound(pid, day); e != nil {
						events = append(events, e)
					}
				}
			}
		}
		for _, ci := range joiners {
			if o.Contacts[ci].Joins == day {
				events = append(events, g.intro(ci, day))
			}
		}
		if !weekend {
			events = append(events, g.lists(day, date)...)
			events = append(events, g.assistants(day)...)
		}
		slices.SortStableFunc(events, cmpEvent)
		for i := 0; i < len(events); i++ {
			e := events[i]
			g.finish(e)
			if g.watch != nil {
				g.watch(e)
			}
			if err := emit(e); err != nil {
				return err
			}
			for _, r := range [2]*event{g.maybeReply(e, day), g.maybeForward(e, day)} {
				if r == nil {
					continue
				}
				rd := int(r.at.Sub(o.Opt.Start.AddDate(0, 0, day)).Hours()/24) + day
				switch {
				case rd <= day:
					// Later the same day: keep the day's list in order.
					j, _ := slices.BinarySearchFunc(events[i+1:], r, cmpEvent)
					events = slices.Insert(events, i+1+j, r)
				case rd < o.Opt.Days:
					g.pending[rd] = append(g.pending[rd], r)
				}
			}
			events[i] = nil // let the parent go once its replies hold it
		}
	}
	return nil
}

func cmpEvent(a, b *event) int {
	if c := a.at.Compare(b.at); c != 0 {
		return c
	}
	return a.seq - b.seq
}

// finish gives an event its identity and, when rendering, its text.
func (g *gen) finish(e *event) {
	dom := g.org.Opt.Domain
	if e.from.kind == pContact {
		dom = g.org.Partners[g.org.Contacts[e.from.id].Partner].Domain
	}
	if e.parent != nil {
		refs := e.parent.refs
		if len(refs) > 9 {
			refs = refs[len(refs)-9:]
		}
		e.refs = append(slices.Clone(refs), e.parent.msgID)
	}
	e.msgID = fmt.Sprintf("<%d.%08x.%d@%s>", e.at.Unix(), uint32(g.org.Seed*2654435761+uint64(e.seq)), e.seq, dom)
	if !g.render || e.text != "" {
		return
	}
	switch {
	case e.fwdOf != nil:
		e.text = g.forwardBody(e)
	case e.parent != nil:
		e.text = g.replyBody(e, e.parent)
	default:
		e.text = g.body(e)
	}
}

func (g *gen) langFor(from party, to []party) lang {
	en := func(p party) bool {
		switch p.kind {
		case pPerson:
			return g.org.People[p.id].English
		case pContact:
			c := g.org.Contacts[p.id]
			return c.English || g.org.Partners[c.Partner].InEnglish
		}
		return false
	}
	if len(to) == 0 {
		return langJA
	}
	if to[0].kind == pContact || from.kind == pContact {
		if en(to[0]) || en(from) {
			return langEN
		}
		return langJA
	}
	if en(from) && en(to[0]) {
		return langEN
	}
	return langJA
}
