// Package synth makes a synthetic organisation and a year of its mail: people
// with Japanese (and some English) names in departments and project groups,
// partner companies with contacts, and the mail they exchange — threads,
// replies with quoted text, Cc habits, mailing lists, mass mail with Bcc,
// vacations, partners writing first, new contacts appearing over the year —
// rendered as real RFC 5322/MIME in the encodings Japanese mail uses.
//
// Everything is a function of the seed: the same seed and Options give
// byte-identical output. Mail is streamed in date order, so a year never has
// to be held in memory.
//
// It deliberately does not model misdirected mail in the history: the history
// is what honest people send, irregularities included. Mistakes are only in
// Scenarios, which are built from the generated habits.
package synth

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Options say how big the organisation and its history are.
type Options struct {
	People int       // staff, at least 2
	Days   int       // days of history, at least 1
	Start  time.Time // first day of history (its zone is the organisation's)
	// Rate is the number of new conversations an average person starts per
	// working day; replies, inbound partner mail and lists come on top.
	Rate   float64
	Domain string // the organisation's mail domain
}

// DefaultOptions gives a 1000-person organisation and a year of mail,
// about 150 000 messages.
func DefaultOptions() Options {
	return Options{
		People: 1000,
		Days:   365,
		Start:  time.Date(2025, 4, 1, 0, 0, 0, 0, jst),
		Rate:   0.22,
		Domain: "corp.example",
	}
}

var jst = time.FixedZone("JST", 9*3600)

// Limits keep hostile or mistaken options from asking for unbounded work.
const (
	maxPeople = 200_000
	maxDays   = 3660
	maxRate   = 50
)

func (o Options) validate() error {
	switch {
	case o.People < 2:
		return fmt.Errorf("people %d: an organisation needs at least 2 people", o.People)
	case o.People > maxPeople:
		return fmt.Errorf("people %d: at most %d", o.People, maxPeople)
	case o.Days < 1:
		return fmt.Errorf("days %d: at least 1 day of history", o.Days)
	case o.Days > maxDays:
		return fmt.Errorf("days %d: at most %d", o.Days, maxDays)
	case !(o.Rate > 0) || o.Rate > maxRate:
		return fmt.Errorf("rate %g: must be in (0, %d]", o.Rate, maxRate)
	case o.Start.IsZero():
		return errors.New("start date missing")
	case o.Domain == "" || strings.ContainsAny(o.Domain, "@ \t\r\n<>\"") || !strings.Contains(o.Domain, "."):
		return fmt.Errorf("domain %q: not a mail domain", o.Domain)
	}
	return nil
}

// Person is one member of staff.
type Person struct {
	ID        int
	Name      string // display name: 田中 太郎, or John Smith
	Surname   string // 田中 / Smith
	Address   string // t.tanaka@corp.example
	English   bool   // writes in English when the other side does
	Dept      int    // index in Org.Departments
	Groups    []int  // indexes in Org.Groups
	Roles     []string
	Boss      int  // the department head's ID; a head is their own boss
	OffHours  bool // often mails at night and on weekends
	Activity  float64
	Contacts  []int // partner contacts (indexes in Org.Contacts) this person deals with
	weights   []float64
	vacations [][2]int  // day ranges [from, to)
	roman     [2]string // surname and given name in romaji: Tanaka, Taro
	display   string    // the name mail headers show, when not Name
	project   int       // index in Org.projects, -1 for none
	joins     int       // the day they start, 0 for staff from the start
}

// Department is a unit with a mailing list and approvers.
type Department struct {
	Name, Alias string // 営業第一部, Sales 1
	List        string // eigyo1-all@corp.example
	Members     []int  // person IDs, head first
	Approvers   []int  // head and deputies
	Partners    []int  // partner indexes the department deals with
	Terms       []string
	external    float64
	assistant   int // the person who writes for the head, -1 for none
}

// Group is a cross-department project group.
type Group struct {
	Name    string
	List    string
	Members []int
}

// Partner is an outside company.
type Partner struct {
	Name, English, Domain, Kind string
	InEnglish                   bool
	Contacts                    []int // indexes in Org.Contacts
	romaji                      uint8 // its mail shows names in romaji: 1 Ichiro Tanaka, 2 TANAKA Ichiro
}

// Contact is a person at a partner company.
type Contact struct {
	ID      int
	Partner int
	Name    string // 田中 一郎 / Jennifer Smith
	Surname string
	Address string
	English bool
	// Joins is the day this contact first appears in mail (0 for contacts
	// known from the start); Introducer is the established contact who
	// introduces them, or -1 when they write first.
	Joins      int
	Introducer int
	Meets      int // the person they first write to or are introduced to
	arrival    arrival
	roman      [2]string // surname and given name in romaji
}

// Org is a generated organisation. Its fields are plain data for callers to
// read; changing them changes what Messages and Scenarios produce.
type Org struct {
	Opt         Options
	Seed        uint64
	Company     string
	People      []Person
	Departments []Department
	Groups      []Group
	Partners    []Partner
	Contacts    []Contact
	AllList     string // all-staff list
	projects    []project
}

func newRand(seed uint64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15^stream))
}

// New makes the organisation for seed and opt.
func New(seed uint64, opt Options) (*Org, error) {
	if err := opt.validate(); err != nil {
		return nil, fmt.Errorf("synth options: %w", err)
	}
	// Days run midnight to midnight in the start's zone.
	y, m, d := opt.Start.Date()
	opt.Start = time.Date(y, m, d, 0, 0, 0, 0, opt.Start.Location())
	o := &Org{Opt: opt, Seed: seed, Company: "株式会社みらい産業", AllList: "all@" + opt.Domain}
	r := newRand(seed, 1)
	o.makePartners(r)
	o.makeDepartments(r)
	o.makePeople(r)
	o.makeGroups(r)
	o.assignContacts(r)
	// What follows draws from its own stream, so that the people, partners
	// and habits above stay those of earlier versions for the same seed.
	o.addVariety(newRand(seed, 5))
	return o, nil
}

func (o *Org) makePartners(r *rand.Rand) {
	taken := map[string]bool{}
	for _, s := range partnerSpecs {
		p := Partner{Name: s.Name, English: s.English, Domain: s.Domain, Kind: s.Kind, InEnglish: s.InEnglish}
		n := 2 + r.IntN(5)
		for range n {
			o.addContact(r, &p, len(o.Partners), taken, 0, -1)
		}
		o.Partners = append(o.Partners, p)
	}
	// Guarantee Tanakas at two busy customers, so the wrong-Tanaka case is
	// always there to show, whatever the seed drew.
	for _, pi := range []int{0, 2} {
		c := &o.Contacts[o.Partners[pi].Contacts[0]]
		if c.Surname != "田中" {
			given := pickGiven(r)
			c.Surname, c.Name = "田中", "田中 "+given.Kanji
			c.roman = [2]string{"Tanaka", title(given.Roman)}
			c.Address = uniqueAddr(taken, "tanaka", o.Partners[pi].Domain)
		}
	}
	// A tenth of contacts join during the year: half introduced by a
	// colleague at their company, half writing first.
	for i := range o.Partners {
		p := &o.Partners[i]
		if r.IntN(10) < 4 {
			day := o.Opt.Days/6 + r.IntN(max(1, o.Opt.Days*2/3))
			intro := p.Contacts[0]
			if r.IntN(2) == 0 {
				intro = -1
			}
			o.addContact(r, p, i, taken, day, intro)
		}
	}
}

func (o *Org) addContact(r *rand.Rand, p *Partner, pi int, taken map[string]bool, joins, intro int) {
	c := Contact{ID: len(o.Contacts), Partner: pi, Joins: joins, Introducer: intro}
	var local string
	if p.InEnglish || r.IntN(25) == 0 {
		g, s := englishGiven[r.IntN(len(englishGiven))], englishSurnames[r.IntN(len(englishSurnames))]
		c.Name, c.Surname, c.English = g+" "+s, s, true
		c.roman = [2]string{s, g}
		local = strings.ToLower(g + "." + s)
	} else {
		s, g := pickSurname(r), pickGiven(r)
		c.Name, c.Surname = s.Kanji+" "+g.Kanji, s.Kanji
		c.roman = [2]string{title(s.Roman), title(g.Roman)}
		// Each company has its own address convention.
		switch len(p.Domain) % 4 {
		case 0:
			local = s.Roman
		case 1:
			local = g.Roman[:1] + "-" + s.Roman
		case 2:
			local = g.Roman + "." + s.Roman
		default:
			local = s.Roman + "." + g.Roman
		}
	}
	c.Address = uniqueAddr(taken, local, p.Domain)
	o.Contacts = append(o.Contacts, c)
	p.Contacts = append(p.Contacts, c.ID)
}

func uniqueAddr(taken map[string]bool, local, domain string) string {
	a := local + "@" + domain
	for n := 2; taken[a]; n++ {
		a = fmt.Sprintf("%s%d@%s", local, n, domain)
	}
	taken[a] = true
	return a
}

func (o *Org) makeDepartments(r *rand.Rand) {
	for _, s := range deptSpecs {
		d := Department{Name: s.Name, Alias: s.Alias, List: s.List + "@" + o.Opt.Domain, Terms: s.Terms, external: s.External}
		var cands []int
		for pi, p := range o.Partners {
			for _, k := range s.Kinds {
				if p.Kind == k {
					cands = append(cands, pi)
				}
			}
		}
		r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
		n := min(len(cands), 3+r.IntN(5))
		d.Partners = append(d.Partners, cands[:n]...)
		o.Departments = append(o.Departments, d)
	}
	// The busy customers with the guaranteed Tanakas are both Sales 1's.
	for _, pi := range []int{0, 2} {
		if !contains(o.Departments[0].Partners, pi) {
			o.Departments[0].Partners = append(o.Departments[0].Partners, pi)
		}
	}
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func (o *Org) makePeople(r *rand.Rand) {
	total := 0
	for _, s := range deptSpecs {
		total += s.Weight
	}
	// Sizes by weight; remainders go round-robin so the sum is exact and
	// every department has someone once there are enough people.
	sizes := make([]int, len(deptSpecs))
	n := 0
	for i, s := range deptSpecs {
		sizes[i] = o.Opt.People * s.Weight / total
		n += sizes[i]
	}
	for i := 0; n < o.Opt.People; i = (i + 1) % len(sizes) {
		sizes[i]++
		n++
	}
	taken := map[string]bool{}
	for di, size := range sizes {
		d := &o.Departments[di]
		for k := range size {
			p := Person{ID: len(o.People), Dept: di}
			if r.IntN(40) == 0 {
				g, s := englishGiven[r.IntN(len(englishGiven))], englishSurnames[r.IntN(len(englishSurnames))]
				p.Name, p.Surname, p.English = g+" "+s, s, true
				p.roman = [2]string{s, g}
				p.Address = uniqueAddr(taken, strings.ToLower(g[:1]+"."+s), o.Opt.Domain)
			} else {
				s, g := pickSurname(r), pickGiven(r)
				p.Name, p.Surname = s.Kanji+" "+g.Kanji, s.Kanji
				p.roman = [2]string{title(s.Roman), title(g.Roman)}
				p.Address = uniqueAddr(taken, g.Roman[:1]+"."+s.Roman, o.Opt.Domain)
			}
			p.Roles = []string{"sender"}
			switch {
			case k == 0:
				p.Roles = append(p.Roles, "approver")
				d.Approvers = append(d.Approvers, p.ID)
			case k <= max(1, size/15) && k < 4:
				// A deputy at least: the head's own held mail needs
				// another approver.
				p.Roles = append(p.Roles, "approver")
				d.Approvers = append(d.Approvers, p.ID)
			}
			if di == 11 && k == 1 { // IT runs misend
				p.Roles = append(p.Roles, "operator", "admin")
			}
			if di == 19 && k == 0 {
				p.Roles = append(p.Roles, "auditor")
			}
			p.Boss = d.firstOr(p.ID)
			p.OffHours = r.IntN(20) == 0
			// Activity spreads over a factor of ten, as in real mailboxes.
			p.Activity = 0.3 + r.ExpFloat64()
			if p.Activity > 4 {
				p.Activity = 4
			}
			o.makeVacations(r, &p)
			d.Members = append(d.Members, p.ID)
			o.People = append(o.People, p)
		}
	}
}

func (d *Department) firstOr(id int) int {
	if len(d.Members) > 0 {
		return d.Members[0]
	}
	return id
}

func (o *Org) makeVacations(r *rand.Rand, p *Person) {
	for range 1 + r.IntN(3) {
		from := r.IntN(o.Opt.Days)
		p.vacations = append(p.vacations, [2]int{from, from + 2 + r.IntN(6)})
	}
}

func (p *Person) away(day int) bool {
	for _, v := range p.vacations {
		if day >= v[0] && day < v[1] {
			return true
		}
	}
	return false
}

func (o *Org) makeGroups(r *rand.Rand) {
	for gi, s := range groupSpecs {
		g := Group{Name: s.Name, List: s.List + "@" + o.Opt.Domain}
		n := min(len(o.People), 5+r.IntN(20))
		seen := map[int]bool{}
		for len(g.Members) < n {
			id := r.IntN(len(o.People))
			if !seen[id] {
				seen[id] = true
				g.Members = append(g.Members, id)
				o.People[id].Groups = append(o.People[id].Groups, gi)
			}
		}
		o.Groups = append(o.Groups, g)
	}
}

// assignContacts gives each person a subset of their department's partners'
// contacts, with falling weights: everyone has a few people they mail most.
func (o *Org) assignContacts(r *rand.Rand) {
	for i := range o.People {
		p := &o.People[i]
		d := &o.Departments[p.Dept]
		if len(d.Partners) == 0 {
			continue
		}
		np := 1 + r.IntN(min(4, len(d.Partners)))
		start := r.IntN(len(d.Partners))
		for k := range np {
			pt := &o.Partners[d.Partners[(start+k)%len(d.Partners)]]
			nc := 1 + r.IntN(min(3, len(pt.Contacts)))
			cs := r.Perm(len(pt.Contacts))[:nc]
			for _, ci := range cs {
				p.Contacts = append(p.Contacts, pt.Contacts[ci])
			}
		}
	}
	// Every contact who joins during the year meets someone: a person who
	// deals with their company.
	for ci := range o.Contacts {
		c := &o.Contacts[ci]
		c.Meets = -1
		if c.Joins == 0 {
			continue
		}
		for pid := range o.People {
			if contains(o.People[pid].Contacts, ci) {
				c.Meets = pid
				break
			}
		}
		if c.Meets < 0 {
			for pid := range o.People {
				if contains(o.Departments[o.People[pid].Dept].Partners, c.Partner) {
					c.Meets = pid
					o.People[pid].Contacts = append(o.People[pid].Contacts, ci)
					break
				}
			}
		}
		if c.Meets < 0 {
			// Nobody deals with the company: the contact stays silent.
			c.Joins, c.Introducer = 0, -1
		}
	}
	for i := range o.People {
		p := &o.People[i]
		for k := range p.Contacts {
			p.weights = append(p.weights, 1/float64(k+1))
		}
	}
}
