package synth

import (
	"slices"
	"time"
)

// The kinds of mail people write, each drawn from the plan stream.

// conversation starts a new thread from a person: to their team mostly,
// sometimes to other departments or groups, to partners as their department
// does.
func (g *gen) conversation(pid, day int) *event {
	o, r := g.org, g.plan
	p := &o.People[pid]
	d := &o.Departments[p.Dept]
	e := g.newEvent(kNew, g.workTime(day, p.OffHours), party{pPerson, pid})
	x := r.Float64()
	switch {
	case x < d.external && len(p.Contacts) > 0:
		c := g.pickContact(p, day)
		if r.IntN(40) == 0 && len(d.Partners) > 0 {
			// Covering for a colleague: someone at a company the department
			// deals with, whom this person has not mailed before.
			pt := o.Partners[d.Partners[r.IntN(len(d.Partners))]]
			if cc := pt.Contacts[r.IntN(len(pt.Contacts))]; o.Contacts[cc].Joins <= day {
				c = cc
			}
		}
		if c < 0 {
			g.internalTo(e, p, d)
			break
		}
		ct := o.Contacts[c]
		e.partner = ct.Partner
		e.to = []party{{pContact, c}}
		// Sometimes a second contact at the same company.
		if r.IntN(6) == 0 {
			for _, c2 := range o.Partners[ct.Partner].Contacts {
				if c2 != c && o.Contacts[c2].Joins <= day && contains(p.Contacts, c2) {
					e.to = append(e.to, party{pContact, c2})
					break
				}
			}
		}
		// A joint project's mail goes to both its companies.
		if c2 := g.projectPeer(p, ct.Partner, day); c2 >= 0 {
			if r.IntN(2) == 0 {
				e.to = append(e.to, party{pContact, c2})
			} else {
				e.cc = append(e.cc, party{pContact, c2})
			}
		}
		// Cc habits: the boss on external mail, or a teammate.
		if p.Boss != pid && r.IntN(4) == 0 {
			e.cc = append(e.cc, party{pPerson, p.Boss})
		}
		if r.IntN(5) == 0 {
			if m := g.teammate(p, d); m >= 0 {
				e.cc = append(e.cc, party{pPerson, m})
			}
		}
	case x < d.external+0.08 && len(p.Groups) > 0:
		gi := p.Groups[r.IntN(len(p.Groups))]
		e.to = []party{{pGroupList, gi}}
		e.internalOnly = true
	case x < d.external+0.18:
		// Another department.
		od := &o.Departments[r.IntN(len(o.Departments))]
		if len(od.Members) == 0 {
			g.internalTo(e, p, d)
			break
		}
		m := od.Members[r.IntN(len(od.Members))]
		if !g.present(m) {
			g.internalTo(e, p, d)
			break
		}
		e.to = []party{{pPerson, m}}
		if r.IntN(3) == 0 && p.Boss != pid {
			e.cc = []party{{pPerson, p.Boss}}
		}
		e.internalOnly = true
	default:
		g.internalTo(e, p, d)
	}
	e.lang = g.langFor(e.from, e.to)
	g.pickTopic(e)
	if r.IntN(150) == 0 && len(d.Terms) > 0 && e.partner < 0 {
		e.secret = d.Terms[r.IntN(len(d.Terms))]
		if len(p.Groups) > 0 && r.IntN(2) == 0 {
			e.secret = o.Groups[p.Groups[0]].Name
		}
	}
	return e
}

func (g *gen) internalTo(e *event, p *Person, d *Department) {
	r := g.plan
	e.internalOnly = true
	if r.IntN(40) == 0 {
		e.to = []party{{pDeptList, p.Dept}}
		return
	}
	for range 1 + r.IntN(3) {
		if m := g.teammate(p, d); m >= 0 && !slices.Contains(e.to, party{pPerson, m}) {
			e.to = append(e.to, party{pPerson, m})
		}
	}
	if len(e.to) == 0 {
		// Alone in the department: mail someone elsewhere.
		e.to = []party{{pPerson, (p.ID + 1) % len(g.org.People)}}
	}
	if p.Boss != p.ID && r.IntN(3) == 0 && !slices.Contains(e.to, party{pPerson, p.Boss}) {
		e.cc = append(e.cc, party{pPerson, p.Boss})
	}
}

// teammate prefers the people sitting near: members close in the list.
func (g *gen) teammate(p *Person, d *Department) int {
	if len(d.Members) < 2 {
		return -1
	}
	i := slices.Index(d.Members, p.ID)
	for range 4 {
		off := 1 + int(g.plan.ExpFloat64()*4)
		if g.plan.IntN(2) == 0 {
			off = -off
		}
		j := ((i+off)%len(d.Members) + len(d.Members)) % len(d.Members)
		if d.Members[j] != p.ID && g.present(d.Members[j]) {
			return d.Members[j]
		}
	}
	return -1
}

func (g *gen) pickContact(p *Person, day int) int {
	total := 0.0
	for k, c := range p.Contacts {
		if g.org.available(c, day) {
			total += p.weights[k]
		}
	}
	if total == 0 {
		return -1
	}
	x := g.plan.Float64() * total
	for k, c := range p.Contacts {
		if g.org.available(c, day) {
			x -= p.weights[k]
			if x <= 0 {
				return c
			}
		}
	}
	return -1
}

func (g *gen) pickTopic(e *event) {
	var ts []topic
	ext := e.partner >= 0
	switch {
	case e.lang == langEN && ext:
		ts = enExternal
	case e.lang == langEN:
		ts = enInternal
	case ext:
		ts = jaExternal
	default:
		ts = jaInternal
	}
	t := &ts[g.plan.IntN(len(ts))]
	e.topic = t
	e.subject = t.Subject
	if ext {
		// Subjects often name the company.
		if g.plan.IntN(3) == 0 {
			if e.lang == langEN {
				e.subject += " - " + g.org.Partners[e.partner].English
			} else {
				e.subject = "【" + shortName(g.org.Partners[e.partner].Name) + "様】" + e.subject
			}
		}
	}
	if t.Attach != "" && g.plan.IntN(8) == 0 {
		name := t.Attach
		if e.partner >= 0 {
			short := shortName(g.org.Partners[e.partner].Name)
			if e.lang == langEN {
				short = g.org.Partners[e.partner].English
			}
			name = replaceP(name, short)
		}
		e.attach = name
	}
}

// inbound is partner mail that starts a thread: a contact writes first.
func (g *gen) inbound(pid, day int) *event {
	o, r := g.org, g.plan
	p := &o.People[pid]
	c := g.pickContact(p, day)
	if c < 0 {
		return nil
	}
	e := g.newEvent(kNew, g.workTime(day, false), party{pContact, c})
	e.partner = o.Contacts[c].Partner
	e.to = []party{{pPerson, pid}}
	if r.IntN(4) == 0 {
		if m := g.teammate(p, &o.Departments[p.Dept]); m >= 0 {
			e.cc = []party{{pPerson, m}}
		}
	}
	// A partner in a joint project copies the other company.
	if c2 := g.projectPeer(p, e.partner, day); c2 >= 0 {
		e.cc = append(e.cc, party{pContact, c2})
	}
	e.lang = g.langFor(e.from, e.to)
	g.pickTopic(e)
	return e
}

// intro is a new contact's first appearance: introduced by a colleague at
// their company (who copies them), or writing first.
func (g *gen) intro(ci, day int) *event {
	o := g.org
	c := o.Contacts[ci]
	switch c.arrival {
	case coldContact:
		return g.coldMail(ci, day)
	case metWithColleague:
		return g.metMail(ci, day)
	}
	var e *event
	if c.Introducer >= 0 {
		e = g.newEvent(kIntro, g.workTime(day, false), party{pContact, c.Introducer})
		e.cc = []party{{pContact, ci}}
	} else {
		e = g.newEvent(kIntro, g.workTime(day, false), party{pContact, ci})
	}
	e.to = []party{{pPerson, c.Meets}}
	e.partner = c.Partner
	e.lang = g.langFor(e.from, e.to)
	t := &topic{Subject: "担当者変更のご挨拶", Lines: []string{"このたび、弊社の担当が変更となりましたのでご連絡いたします。", "今後は" + c.Name + "が窓口を担当いたします。", "引き続きよろしくお願いいたします。"}}
	if e.lang == langEN {
		t = &topic{Subject: "Introduction", Lines: []string{"I would like to introduce my colleague " + c.Name + ",", "who will be your main contact from now on."}}
	}
	e.topic, e.subject = t, t.Subject
	return e
}

// lists are the scheduled mass mail: the monthly all-staff newsletter,
// department notices on Mondays, and a sales department's seasonal mail to
// its customers with everyone in Bcc.
func (g *gen) lists(day int, date time.Time) []*event {
	o, r := g.org, g.plan
	var out []*event
	koho := o.Departments[18]
	if (date.Day() == 1 || (date.Weekday() == time.Monday && date.Day() <= 3)) && len(koho.Members) > 0 {
		e := g.newEvent(kList, g.workTime(day, false), party{pPerson, koho.Members[0]})
		e.to = []party{{pAllList, 0}}
		e.topic = &topic{Subject: "社内報 " + date.Format("2006年1月号"), Lines: []string{"今月の社内報をお届けします。", "新任者の紹介、各部署の取り組み、福利厚生のお知らせを掲載しています。"}}
		e.subject, e.internalOnly = e.topic.Subject, true
		out = append(out, e)
	}
	if date.Weekday() == time.Monday {
		for di := range o.Departments {
			d := &o.Departments[di]
			if len(d.Members) < 3 || r.IntN(4) != 0 {
				continue
			}
			e := g.newEvent(kList, g.workTime(day, false), party{pPerson, d.Members[0]})
			e.to = []party{{pDeptList, di}}
			e.topic = &jaInternal[r.IntN(len(jaInternal))]
			e.subject, e.internalOnly = "【"+d.Name+"】"+e.topic.Subject, true
			out = append(out, e)
		}
	}
	if (date.Day() == 15 || (date.Weekday() == time.Monday && date.Day() <= 17 && date.Day() > 15)) && date.Month()%3 == 0 {
		for _, di := range []int{0, 1} {
			d := &o.Departments[di]
			if len(d.Members) == 0 {
				continue
			}
			e := g.newEvent(kMass, g.workTime(day, false), party{pPerson, d.Members[0]})
			e.to = []party{{pPerson, d.Members[0]}}
			for _, pi := range d.Partners {
				for _, c := range o.Partners[pi].Contacts {
					if o.Contacts[c].Joins <= day {
						e.bcc = append(e.bcc, party{pContact, c})
					}
				}
			}
			e.topic = &topic{Subject: "新製品説明会のご案内", Lines: []string{"平素より格別のお引き立てを賜り、厚く御礼申し上げます。", "このたび、新製品説明会を下記のとおり開催いたします。", "ご多忙中とは存じますが、ぜひご参加くださいますようご案内申し上げます。"}}
			e.subject = e.topic.Subject
			out = append(out, e)
		}
	}
	return out
}

// maybeReply plans the answer to e, if any: from a recipient, to the sender,
// keeping the others in copy half the time.
func (g *gen) maybeReply(e *event, day int) *event {
	o, r := g.org, g.plan
	if e.kind == kMass || e.kind == kList || e.depth >= 5 {
		return nil
	}
	p := 0.6
	if e.depth > 0 {
		p = 0.35 / float64(e.depth)
	}
	if r.Float64() >= p {
		return nil
	}
	to := e.firstTo()
	var from party
	switch to.kind {
	case pPerson, pContact:
		from = to
	case pGroupList:
		m := o.Groups[to.id].Members
		from = party{pPerson, m[r.IntN(len(m))]}
	case pDeptList:
		m := o.Departments[to.id].Members
		from = party{pPerson, m[r.IntN(len(m))]}
	default:
		return nil
	}
	if from == e.from {
		return nil
	}
	if from.kind == pPerson && o.People[from.id].away(day) {
		return nil
	}
	at := g.later(e.at, from)
	re := g.newEvent(kReply, at, from)
	re.to = []party{e.from}
	if r.IntN(2) == 0 {
		// Reply all, the lists the message went to included.
		for _, x := range append(slices.Clone(e.to), e.cc...) {
			if x != from && x != e.from && x.kind != pAllList && !slices.Contains(re.cc, x) {
				re.cc = append(re.cc, x)
			}
		}
	}
	re.parent, re.depth, re.partner, re.topic = e, e.depth+1, e.partner, e.topic
	re.lang, re.internalOnly = e.lang, e.internalOnly
	g.addToThread(re, day)
	re.subject = "Re: " + trimRe(e.subject)
	return re
}

// later is when an answer or a forward to mail sent at goes out.
func (g *gen) later(at time.Time, from party) time.Time {
	r := g.plan
	delay := time.Duration(5+r.ExpFloat64()*180) * time.Minute
	at = at.Add(delay)
	// Replies that would go out late wait for the morning, unless the
	// replier keeps late hours; until ten, half go out in the evening.
	if h := at.Hour(); h >= 22 || h < 8 || (h >= 20 && r.IntN(2) == 0) {
		off := from.kind == pPerson && g.org.People[from.id].OffHours
		if !off {
			next := at
			if h >= 20 {
				next = at.AddDate(0, 0, 1)
			}
			// A Friday night's answer waits for Monday.
			for wd := next.Weekday(); h >= 20 && (wd == time.Saturday || wd == time.Sunday); wd = next.Weekday() {
				next = next.AddDate(0, 0, 1)
			}
			at = time.Date(next.Year(), next.Month(), next.Day(), 9, r.IntN(120), r.IntN(60), 0, at.Location())
		}
	}
	return at
}
