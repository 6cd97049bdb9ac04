package synth

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// The organisation's irregular but honest side: what a real company of a
// thousand people has and a tidy generator leaves out. Everything here is
// drawn from its own stream (see New), after the people, partners and
// habits; the mail it leads to is planned in honest.go.

// arrival is how a contact who joins during the year first appears.
type arrival uint8

const (
	// byIntroducer: as Contact.Introducer says, introduced by a colleague
	// at their company (who copies them), or writing first.
	byIntroducer arrival = iota
	// metWithColleague: met at a meeting; our person writes first, to the
	// colleague already known, with the new person in copy.
	metWithColleague
	// coldContact: at a company nobody here has mailed; our person writes
	// first.
	coldContact
)

// project is a joint piece of work with two partner companies: a
// customer's order a logistics company ships, a part one supplier makes
// to another's drawing. Its members write to both at once.
type project struct{ a, b int } // partner indexes

func (o *Org) addVariety(r *rand.Rand) {
	for i := range o.People {
		o.People[i].project = -1
	}
	for i := range o.Departments {
		o.Departments[i].assistant = -1
	}
	o.romajiDisplays(r)
	o.makeProjects(r)
	o.makeAssistants(r)
	o.makeHires(r)
	taken := map[string]bool{}
	for _, c := range o.Contacts {
		taken[c.Address] = true
	}
	o.partnerTurnover(r, taken)
	o.makeProspects(r, taken)
}

// romajiDisplays: many Japanese companies run mail systems set up for
// their offices abroad, whose directories give names in romaji. Their mail
// shows "Ichiro Tanaka" or "TANAKA Ichiro" while everyone still writes
// 田中様; about one company in six. Our own International department's
// accounts are set up the same way.
func (o *Org) romajiDisplays(r *rand.Rand) {
	for pi := range o.Partners {
		if !o.Partners[pi].InEnglish && r.IntN(6) == 0 {
			o.Partners[pi].romaji = 1 + uint8(r.IntN(2))
		}
	}
	for i := range o.People {
		if p := &o.People[i]; p.Dept == 2 && !p.English {
			p.display = p.roman[1] + " " + p.roman[0]
		}
	}
}

// romajiName writes a Japanese name as a romaji directory does: given name
// first, or SURNAME Given.
func romajiName(roman [2]string, style uint8) string {
	if style == 2 {
		return strings.ToUpper(roman[0]) + " " + roman[1]
	}
	return roman[1] + " " + roman[0]
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (p *Person) knows(o *Org, partner int) bool {
	for _, c := range p.Contacts {
		if o.Contacts[c].Partner == partner {
			return true
		}
	}
	return false
}

// meet adds a contact to those the person deals with, at a weight below
// their usual ones: a newer, less frequent correspondent.
func (p *Person) meet(ci int, w float64) {
	if !contains(p.Contacts, ci) {
		p.Contacts = append(p.Contacts, ci)
		p.weights = append(p.weights, w)
	}
}

// makeProjects: about half the departments that deal with two or more
// companies have a joint project with two of them. Its members are the
// department's people who deal with either company; each comes to know
// someone at the other.
func (o *Org) makeProjects(r *rand.Rand) {
	for di := range o.Departments {
		d := &o.Departments[di]
		if len(d.Partners) < 2 || r.IntN(2) != 0 {
			continue
		}
		k := r.Perm(len(d.Partners))
		pj := project{d.Partners[k[0]], d.Partners[k[1]]}
		for _, pid := range d.Members {
			p := &o.People[pid]
			if !p.knows(o, pj.a) && !p.knows(o, pj.b) {
				continue
			}
			p.project = len(o.projects)
			for _, pt := range []int{pj.a, pj.b} {
				if !p.knows(o, pt) {
					cs := o.Partners[pt].Contacts
					p.meet(cs[r.IntN(len(cs))], 0.3)
				}
			}
		}
		o.projects = append(o.projects, pj)
	}
}

// makeAssistants: the head of a department of twenty or more has someone
// who keeps their diary and writes for them (庶務担当); not the head nor a
// deputy.
func (o *Org) makeAssistants(r *rand.Rand) {
	for di := range o.Departments {
		d := &o.Departments[di]
		if len(d.Members) < 20 {
			continue
		}
		var cands []int
		for _, m := range d.Members {
			if !contains(d.Approvers, m) {
				cands = append(cands, m)
			}
		}
		if len(cands) > 0 {
			d.assistant = cands[r.IntN(len(cands))]
		}
	}
}

// Japanese companies take new graduates on 1 April, about 3% of staff a
// year, and hire mid-career through the year, another 4% or so. Heads,
// deputies, assistants and project members have been there longer.
const (
	graduatesPerYear = 0.03
	midCareerPerYear = 0.04
)

// makeHires picks who joins during the history and when (always a working
// day); until then they neither send nor are written to.
func (o *Org) makeHires(r *rand.Rand) {
	april := -1
	for day := 1; day < o.Opt.Days; day++ {
		if d := o.Opt.Start.AddDate(0, 0, day); d.Month() == 4 && d.Day() == 1 {
			april = o.workday(day)
			break
		}
	}
	mid := midCareerPerYear * float64(o.Opt.Days) / 365
	meets := map[int]bool{} // whom a joining contact first writes to
	for _, c := range o.Contacts {
		meets[c.Meets] = true
	}
	for di := range o.Departments {
		d := &o.Departments[di]
		for _, pid := range d.Members {
			if contains(d.Approvers, pid) || pid == d.assistant || len(o.People[pid].Groups) > 0 || meets[pid] {
				continue
			}
			switch x := r.Float64(); {
			case april > 0 && x < graduatesPerYear:
				o.People[pid].joins = april
			case x < graduatesPerYear+mid:
				o.People[pid].joins = o.workday(1 + r.IntN(max(1, o.Opt.Days-1)))
			}
		}
	}
}

// partnerTurnover: people at partners change. Japanese companies move
// staff every April and October, and new work brings new faces; beyond
// the few who join in makePartners, about one contact in eight is joined
// by a new colleague in a year. Each comes through a colleague already
// known here: half are introduced by that colleague's mail, half we first
// write to ourselves, to the colleague with the new person in copy, after
// meeting them. Some of the others who deal with the colleague come to
// write to the new person too.
func (o *Org) partnerTurnover(r *rand.Rand, taken map[string]bool) {
	dealers := map[int][]int{} // contact → people who deal with them
	for pid := range o.People {
		for _, c := range o.People[pid].Contacts {
			dealers[c] = append(dealers[c], pid)
		}
	}
	share := 0.125 * float64(o.Opt.Days) / 365
	for pi := range o.Partners {
		var known []int
		for _, c := range o.Partners[pi].Contacts {
			if o.Contacts[c].Joins == 0 && len(dealers[c]) > 0 {
				known = append(known, c)
			}
		}
		for range known {
			if r.Float64() >= share {
				continue
			}
			intro := known[r.IntN(len(known))]
			day := o.workday(o.rotationDay(r))
			var ds []int // those already working here that day
			for _, pid := range dealers[intro] {
				if o.People[pid].joins < day {
					ds = append(ds, pid)
				}
			}
			if len(ds) == 0 {
				continue
			}
			meets := ds[r.IntN(len(ds))]
			o.addContact(r, &o.Partners[pi], pi, taken, day, intro)
			c := &o.Contacts[len(o.Contacts)-1]
			c.Meets, c.arrival = meets, byIntroducer
			if r.IntN(2) == 0 {
				c.arrival = metWithColleague
			}
			o.People[meets].meet(c.ID, 0.5)
			for _, pid := range ds {
				if pid != meets && r.IntN(3) == 0 {
					o.People[pid].meet(c.ID, 0.3)
				}
			}
		}
	}
}

// rotationDay is when a new person at a partner appears: half in the
// three weeks after 1 April or 1 October, the rest any day.
func (o *Org) rotationDay(r *rand.Rand) int {
	if r.IntN(2) == 0 {
		var starts []int
		for day := 1; day < o.Opt.Days; day++ {
			d := o.Opt.Start.AddDate(0, 0, day)
			if d.Day() == 1 && (d.Month() == 4 || d.Month() == 10) {
				starts = append(starts, day)
			}
		}
		if len(starts) > 0 {
			return min(o.Opt.Days-1, starts[r.IntN(len(starts))]+r.IntN(21))
		}
	}
	return 1 + r.IntN(max(1, o.Opt.Days-1))
}

// workday is day, or the Monday after when it falls on a weekend (the
// Friday before at the end of the history): first mail to new people goes
// out on working days.
func (o *Org) workday(day int) int {
	for d := day; d < o.Opt.Days; d++ {
		if wd := o.Opt.Start.AddDate(0, 0, d).Weekday(); wd != time.Saturday && wd != time.Sunday {
			return d
		}
	}
	for d := day - 1; d > 0; d-- {
		if wd := o.Opt.Start.AddDate(0, 0, d).Weekday(); wd != time.Saturday && wd != time.Sunday {
			return d
		}
	}
	return day
}

// prospectsPerPersonYear is how many companies nobody here has mailed
// before get a first mail, per person and year. A company of a thousand
// has a few thousand companies in its vendor and customer masters, and a
// tenth or so of them turn over each year; add trade-show leads, venues,
// agencies and advisers, and a few hundred first mails to new companies a
// year is ordinary: 0.4 per person. They go out by how much of each
// department's mail goes outside, so sales and procurement write most.
const prospectsPerPersonYear = 0.4

var industries = []struct{ Kanji, Roman, English string }{
	{"工業", "kogyo", "Industries"}, {"商事", "shoji", "Trading"}, {"製作所", "ss", "Works"},
	{"システム", "system", "Systems"}, {"物産", "bussan", "Bussan"}, {"電機", "denki", "Electric"},
	{"化成", "kasei", "Chemical"}, {"精工", "seiko", "Precision"}, {"技研", "giken", "Engineering"},
	{"運輸", "unyu", "Transport"}, {"企画", "kikaku", "Planning"}, {"コンサルティング", "consulting", "Consulting"},
}

func (o *Org) makeProspects(r *rand.Rand, taken map[string]bool) {
	n := int(math.Round(prospectsPerPersonYear * float64(len(o.People)) * float64(o.Opt.Days) / 365))
	if n == 0 || o.Opt.Days < 2 {
		return
	}
	cum := make([]float64, len(o.People))
	sum := 0.0
	for i, p := range o.People {
		sum += p.Activity * o.Departments[p.Dept].external
		cum[i] = sum
	}
	domains := map[string]bool{o.Opt.Domain: true}
	for _, pt := range o.Partners {
		domains[pt.Domain] = true
	}
	for range n {
		pt, ok := newCompany(r, domains)
		if !ok {
			continue
		}
		owner, _ := slices.BinarySearch(cum, r.Float64()*sum)
		owner = min(owner, len(o.People)-1)
		day := o.workday(1 + r.IntN(o.Opt.Days-1))
		if o.People[owner].joins >= day {
			continue
		}
		pi := len(o.Partners)
		o.addContact(r, &pt, pi, taken, day, -1)
		o.Partners = append(o.Partners, pt)
		c := &o.Contacts[len(o.Contacts)-1]
		c.Meets, c.arrival = owner, coldContact
		o.People[owner].meet(c.ID, 0.3)
	}
}

// newCompany makes a company nobody here knows: 北川工業株式会社 at
// kitakawa-kogyo.co.jp, or now and then a foreign one.
func newCompany(r *rand.Rand, domains map[string]bool) (Partner, bool) {
	ind := industries[r.IntN(len(industries))]
	var pt Partner
	if r.IntN(10) == 0 {
		s := englishSurnames[r.IntN(len(englishSurnames))]
		pt = Partner{Name: s + " " + ind.English, English: s + " " + ind.English, Domain: strings.ToLower(s+"-"+ind.English) + ".com", InEnglish: true}
	} else {
		s := pickSurname(r)
		name := s.Kanji + ind.Kanji + "株式会社"
		if r.IntN(2) == 0 {
			name = "株式会社" + s.Kanji + ind.Kanji
		}
		pt = Partner{Name: name, English: title(s.Roman) + " " + title(ind.Roman), Domain: s.Roman + "-" + ind.Roman + pick(r, []string{".co.jp", ".co.jp", ".jp", ".com"})}
		if r.IntN(6) == 0 {
			pt.romaji = 1 + uint8(r.IntN(2))
		}
	}
	pt.Kind = "new"
	if domains[pt.Domain] {
		return pt, false
	}
	domains[pt.Domain] = true
	return pt, true
}

// NewCompanies is how many of Partners are companies nobody here had
// mailed before the year began: someone writes to them for the first time
// during it.
func (o *Org) NewCompanies() int {
	n := 0
	for _, p := range o.Partners {
		if len(p.Contacts) > 0 && o.Contacts[p.Contacts[0]].arrival == coldContact {
			n++
		}
	}
	return n
}
