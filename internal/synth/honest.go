package synth

import (
	"slices"
	"strings"
)

// The honest mail that is not the everyday pattern: people added to
// threads, forwards, joint projects, assistants, new people at partners
// and first mail to new companies. The rates are what a Japanese company
// of a thousand people sends, reasoned in each comment; they are not set
// from what any detector makes of them.

// available says whether a contact can be written to on day: known from
// the start, or already arrived (their first mail goes first).
func (o *Org) available(ci, day int) bool {
	j := o.Contacts[ci].Joins
	return j == 0 || j < day
}

// addToThread brings someone into a thread on a reply: 「経理部の石川さんを
// CCに追加します」. About one reply in twelve does: half the time a
// teammate, a fifth the boss, the rest someone in another department the
// thread has come to concern (legal for a contract, quality for a defect,
// logistics for a date). Partners do the same with their own colleagues.
func (g *gen) addToThread(re *event, day int) {
	o, r := g.org, g.plan
	if r.IntN(12) != 0 {
		return
	}
	var add party
	switch re.from.kind {
	case pPerson:
		p := &o.People[re.from.id]
		switch x := r.IntN(10); {
		case x < 5:
			m := g.teammate(p, &o.Departments[p.Dept])
			if m < 0 {
				return
			}
			add = party{pPerson, m}
		case x < 7:
			add = party{pPerson, p.Boss}
		default:
			od := &o.Departments[r.IntN(len(o.Departments))]
			if len(od.Members) == 0 {
				return
			}
			add = party{pPerson, od.Members[r.IntN(len(od.Members))]}
			if !g.present(add.id) {
				return
			}
		}
	case pContact:
		cs := o.Partners[o.Contacts[re.from.id].Partner].Contacts
		c := cs[r.IntN(len(cs))]
		if !o.available(c, day) {
			return
		}
		add = party{pContact, c}
	default:
		return
	}
	if add == re.from || slices.Contains(re.to, add) || slices.Contains(re.cc, add) {
		return
	}
	re.cc = append(re.cc, add)
	re.added = append(re.added, add)
}

// maybeForward passes a message on. A partner's request goes to whoever
// can answer it, often in another department: about one partner message
// in fifteen that a person receives is forwarded, and one internal message
// in fifty. A tenth of the forwards of internal mail go to a partner the
// forwarder deals with (a schedule, a drawing); never one marked
// confidential. Some mail clients keep a forward in its thread
// (References), others start a new one: one in four is kept here.
func (g *gen) maybeForward(e *event, day int) *event {
	o, r := g.org, g.plan
	if e.kind == kMass || e.kind == kList || e.fwdOf != nil {
		return nil
	}
	from := party{kind: pAllList}
	for _, x := range e.to {
		if x.kind == pPerson && x != e.from {
			from = x
			break
		}
	}
	if from.kind != pPerson || o.People[from.id].away(day) {
		return nil
	}
	p := 1.0 / 50
	if e.from.kind == pContact {
		p = 1.0 / 15
	}
	if r.Float64() >= p {
		return nil
	}
	fp := &o.People[from.id]
	var to party
	switch x := r.IntN(10); {
	case x == 0 && e.internalOnly && e.secret == "" && len(fp.Contacts) > 0:
		c := g.pickContact(fp, day)
		if c < 0 {
			return nil
		}
		to = party{pContact, c}
	case x < 5:
		m := g.teammate(fp, &o.Departments[fp.Dept])
		if m < 0 {
			return nil
		}
		to = party{pPerson, m}
	default:
		od := &o.Departments[r.IntN(len(o.Departments))]
		if len(od.Members) == 0 {
			return nil
		}
		to = party{pPerson, od.Members[r.IntN(len(od.Members))]}
		if !g.present(to.id) {
			return nil
		}
	}
	if to == from || to == e.from {
		return nil
	}
	fw := g.newEvent(kFwd, g.later(e.at, from), from)
	fw.to = []party{to}
	fw.fwdOf, fw.topic, fw.attach = e, e.topic, e.attach
	fw.lang = g.langFor(from, fw.to)
	if to.kind == pContact {
		fw.partner = o.Contacts[to.id].Partner
	} else {
		fw.internalOnly = true
	}
	fw.subject = pick(r, []string{"FW: ", "Fwd: ", "転送: "}) + trimRe(e.subject)
	if r.IntN(4) == 0 {
		fw.parent, fw.depth = e, e.depth+1
	}
	return fw
}

// projectPeer is, for a member of a joint project writing to one of its
// companies, their contact at the other when this mail concerns the
// project (a quarter of the member's mail with either), else -1.
func (g *gen) projectPeer(p *Person, partner, day int) int {
	o := g.org
	if p.project < 0 {
		return -1
	}
	pj := o.projects[p.project]
	other := pj.a
	switch partner {
	case pj.a:
		other = pj.b
	case pj.b:
	default:
		return -1
	}
	if g.plan.IntN(4) != 0 {
		return -1
	}
	for _, c := range p.Contacts {
		if o.Contacts[c].Partner == other && o.available(c, day) {
			return c
		}
	}
	return -1
}

// coldMail is the first mail to a company nobody here has written to.
func (g *gen) coldMail(ci, day int) *event {
	o, r := g.org, g.plan
	c := o.Contacts[ci]
	p := &o.People[c.Meets]
	e := g.newEvent(kNew, g.workTime(day, p.OffHours), party{pPerson, c.Meets})
	e.to = []party{{pContact, ci}}
	e.partner, e.first = c.Partner, true
	if p.Boss != p.ID && r.IntN(4) == 0 {
		e.cc = []party{{pPerson, p.Boss}}
	}
	e.lang = g.langFor(e.from, e.to)
	ts := jaFirstContact
	if e.lang == langEN {
		ts = enFirstContact
	}
	e.topic = &ts[r.IntN(len(ts))]
	e.subject = e.topic.Subject
	return e
}

// metMail is the first mail to a new person at a partner, met at a
// meeting: to the colleague already known, the new person in copy (or,
// a third of the time, both in To).
func (g *gen) metMail(ci, day int) *event {
	o, r := g.org, g.plan
	c := o.Contacts[ci]
	p := &o.People[c.Meets]
	e := g.newEvent(kNew, g.workTime(day, p.OffHours), party{pPerson, c.Meets})
	e.to = []party{{pContact, c.Introducer}}
	e.cc = []party{{pContact, ci}}
	if r.IntN(3) == 0 {
		e.to, e.cc = append(e.to, e.cc...), nil
	}
	e.partner = c.Partner
	e.lang = g.langFor(e.from, e.to)
	t := &topic{Subject: "先日のお打ち合わせのお礼", Lines: []string{"先日はお打ち合わせのお時間をいただき、ありがとうございました。", "今後は" + c.Surname + "様にもご連絡させていただきたく、本メールにも加えております。", "引き続きよろしくお願いいたします。"}}
	if e.lang == langEN {
		t = &topic{Subject: "Thank you for the meeting", Lines: []string{"Thank you for your time at the meeting last week.", "I have copied " + c.Name + ", who will be working with us from now on."}}
	}
	e.topic, e.subject = t, t.Subject
	return e
}

// assistants: the assistant of a department head writes for them a couple
// of times a week (two a week is 0.4 a working day): arranging a meeting
// with other heads, or with a partner who asked for the head's time. The
// head is always in copy. Many of these go to people the assistant has
// never written to.
func (g *gen) assistants(day int) []*event {
	o := g.org
	var out []*event
	for di := range o.Departments {
		d := &o.Departments[di]
		if d.assistant < 0 || o.People[d.assistant].away(day) {
			continue
		}
		for range g.poisson(0.4) {
			out = append(out, g.onBehalf(di, day))
		}
	}
	return out
}

func (g *gen) onBehalf(di, day int) *event {
	o, r := g.org, g.plan
	d := &o.Departments[di]
	head := &o.People[d.Members[0]]
	e := g.newEvent(kNew, g.workTime(day, false), party{pPerson, d.assistant})
	e.cc, e.forBoss = []party{{pPerson, head.ID}}, true
	if len(head.Contacts) > 0 && r.IntN(3) == 0 {
		if c := g.pickContact(head, day); c >= 0 {
			e.to, e.partner = []party{{pContact, c}}, o.Contacts[c].Partner
		}
	}
	if len(e.to) == 0 {
		e.internalOnly = true
		for range 1 + r.IntN(3) {
			od := &o.Departments[r.IntN(len(o.Departments))]
			if len(od.Members) > 0 && od.Members[0] != head.ID && !slices.Contains(e.to, party{pPerson, od.Members[0]}) {
				e.to = append(e.to, party{pPerson, od.Members[0]})
			}
		}
		if len(e.to) == 0 {
			e.to = []party{{pPerson, d.Members[1]}}
		}
	}
	e.lang = g.langFor(e.from, e.to)
	boss := head.Surname + headTitle(d.Name)
	var t *topic
	switch {
	case e.lang == langEN:
		t = &topic{Subject: "Meeting with " + head.roman[0] + "-san", Lines: []string{"I am writing on behalf of " + head.roman[1] + " " + head.roman[0] + ", head of " + d.Alias + ", who is copied.", "Could you let me know a few times that would suit you next week?"}}
	case e.partner >= 0:
		t = &topic{Subject: "弊社" + boss + "との面談日程のご相談", Lines: []string{"弊社" + d.Name + "の" + head.Surname + "の代理でご連絡いたします。", "来週以降でご面談のお時間をいただけますでしょうか。", "候補日をいくつかお知らせいただけますと幸いです。"}}
	default:
		t = &topic{Subject: "【日程調整】" + boss + "との打ち合わせ", Lines: []string{d.Name + "の" + boss + "の代理でご連絡します。", "来週の打ち合わせの日程を調整させてください。", "ご都合のよい時間帯をお知らせください。"}}
	}
	e.topic, e.subject = t, t.Subject
	return e
}

var jaFirstContact = []topic{
	{"【ご挨拶】展示会ご来場のお礼", []string{"先日は弊社ブースにお立ち寄りいただき、誠にありがとうございました。", "お話しさせていただいた製品の資料をお送りいたします。", "ご不明な点がございましたら、お気軽にお問い合わせください。"}, "製品資料.pdf"},
	{"お見積りのご依頼", []string{"貴社のウェブサイトを拝見し、ご連絡いたしました。", "下記の部品につきまして、お見積りをお願いできますでしょうか。", "数量と納期は別紙のとおりです。"}, "見積依頼書.xlsx"},
	{"お問い合わせの件", []string{"貴社のサービスについてお伺いしたく、ご連絡いたしました。", "一度お打ち合わせの機会をいただけますと幸いです。"}, ""},
}

var enFirstContact = []topic{
	{"Follow-up from the trade show", []string{"It was a pleasure meeting you at our booth last week.", "As promised, I am sending our product overview.", "I would be glad to arrange a call at your convenience."}, "Product_overview.pdf"},
	{"Request for quotation", []string{"We found your company through your website.", "Could you send us a quotation for the parts listed in the attached sheet?"}, "RFQ.xlsx"},
}

// headTitle is how a department head is named in a greeting: 部長, or
// 室長 for an office.
func headTitle(dept string) string {
	if strings.HasSuffix(dept, "室") {
		return "室長"
	}
	return "部長"
}

// present says whether a person has joined by the day being planned.
func (g *gen) present(pid int) bool { return g.org.People[pid].joins <= g.day }

// welcome is the head's mail on a newcomer's first day: to them, with a
// few of the team in copy, so that the team starts writing to them.
func (g *gen) welcome(pid, day int) *event {
	o, r := g.org, g.plan
	p := &o.People[pid]
	d := &o.Departments[p.Dept]
	e := g.newEvent(kNew, g.workTime(day, false), party{pPerson, p.Boss})
	e.to = []party{{pPerson, pid}}
	for range 2 + r.IntN(3) {
		if m := g.teammate(p, d); m >= 0 && m != p.Boss && !slices.Contains(e.cc, party{pPerson, m}) {
			e.cc = append(e.cc, party{pPerson, m})
		}
	}
	e.internalOnly = true
	e.lang = g.langFor(e.from, e.to)
	t := &topic{Subject: "【ご紹介】本日着任の" + p.Surname + "さん", Lines: []string{"本日から" + d.Name + "に着任した" + p.Name + "さんです。", "まずは社内システムのアカウント設定と、チームの定例への参加からお願いします。", "皆さん、いろいろと教えてあげてください。"}}
	if e.lang == langEN {
		t = &topic{Subject: "Welcome " + p.roman[1], Lines: []string{p.Name + " joins " + d.Alias + " today.", "Please help them settle in."}}
	}
	e.topic, e.subject = t, t.Subject
	return e
}
