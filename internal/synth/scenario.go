package synth

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Scenario is a message for the demo, dated just after the history ends and
// built from the history's real habits. Mistake says whether misend ought to
// stop it.
type Scenario struct {
	Name        string
	Description string
	Raw         []byte
	Mistake     bool
}

// habits is what Scenarios needs to know of the history.
type habits struct {
	ext      map[[2]int]int // person, contact → messages sent
	internal map[[2]int]int // person, person → messages sent
	lastInt  map[int]*event // person → last internal-only message they sent or got
	lastExt  map[int]*event // person → last message from a contact to them
	intros   map[int]*event // new contact → the message introducing them
}

func (o *Org) habits() *habits {
	h := &habits{ext: map[[2]int]int{}, internal: map[[2]int]int{}, lastInt: map[int]*event{}, lastExt: map[int]*event{}, intros: map[int]*event{}}
	g := o.newGen(false)
	g.watch = func(e *event) {
		if e.kind == kIntro {
			for _, c := range append(slices.Clone(e.cc), e.from) {
				if c.kind == pContact && o.Contacts[c.id].Introducer >= 0 {
					h.intros[c.id] = e
				}
			}
		}
		if e.from.kind == pPerson {
			for _, l := range [][]party{e.to, e.cc} {
				for _, t := range l {
					switch t.kind {
					case pContact:
						h.ext[[2]int{e.from.id, t.id}]++
					case pPerson:
						h.internal[[2]int{e.from.id, t.id}]++
					}
				}
			}
			if e.internalOnly && e.kind != kList && len(e.to) > 0 && e.to[0].kind == pPerson {
				h.lastInt[e.from.id] = e
			}
		}
		if e.from.kind == pContact && e.kind != kIntro {
			for _, t := range e.to {
				if t.kind == pPerson {
					h.lastExt[t.id] = e
				}
			}
		}
	}
	g.run(func(*event) error { return nil })
	return h
}

// top returns the keys of counts for person pid, most mailed first.
func top(counts map[[2]int]int, pid int) []int {
	var ks []int
	for k := range counts {
		if k[0] == pid {
			ks = append(ks, k[1])
		}
	}
	slices.SortFunc(ks, func(a, b int) int {
		if c := cmp.Compare(counts[[2]int{pid, b}], counts[[2]int{pid, a}]); c != 0 {
			return c
		}
		return a - b
	})
	return ks
}

// Scenarios builds the demo messages: six or seven mistakes (the wrong
// colleague needs namesakes in two departments) and four honest messages.
// It replays the history's planning (not its rendering) to learn the habits,
// so it costs a fraction of Messages.
func (o *Org) Scenarios() ([]Scenario, error) {
	h := o.habits()
	g := o.newGen(true)
	g.text = newRand(o.Seed, 4)
	at := o.Opt.Start.AddDate(0, 0, o.Opt.Days)
	at = time.Date(at.Year(), at.Month(), at.Day(), 10, 0, 0, 0, at.Location())
	var out []Scenario
	add := func(name, desc string, mistake bool, e *event) {
		e.at = at.Add(time.Duration(len(out)) * 7 * time.Minute)
		g.seq++
		e.seq = g.seq
		g.finish(e)
		var b bytes.Buffer
		g.write(&b, e)
		out = append(out, Scenario{Name: name, Description: desc, Raw: b.Bytes(), Mistake: mistake})
	}
	mk := func(from party, to ...party) *event {
		e := &event{from: from, to: to, partner: -1}
		e.lang = g.langFor(from, to)
		return e
	}

	// The wrong Tanaka: the sender's usual 田中 at one partner, and another
	// 田中 they never mailed.
	s, a, b := -1, -1, -1
	best := 0
	for k, n := range h.ext {
		if o.Contacts[k[1]].Surname != "田中" || n < best || (n == best && s >= 0 && (k[0] > s || (k[0] == s && k[1] > a))) {
			continue
		}
		for ci, c := range o.Contacts {
			if c.Surname == "田中" && c.Partner != o.Contacts[k[1]].Partner && h.ext[[2]int{k[0], ci}] == 0 {
				s, a, b, best = k[0], k[1], ci, n
				break
			}
		}
	}
	if s < 0 {
		return nil, fmt.Errorf("scenarios: no sender mails a 田中 at a partner; history too small (%d people, %d days)", o.Opt.People, o.Opt.Days)
	}
	ca, cb := o.Contacts[a], o.Contacts[b]
	e := mk(party{pPerson, s}, party{pContact, b})
	e.partner = ca.Partner
	e.subject = "お見積りの件"
	e.text = g.greetJA(ca, s) + "ご依頼いただいたお見積書を送付いたします。\nご確認のほど、よろしくお願いいたします。\n" + g.sig(s)
	add("wrong-tanaka", fmt.Sprintf("%sさんはいつも%sの%sさんに送っているが、今回は%sの%sさんを選んでしまった", o.People[s].Surname, o.Partners[ca.Partner].Name, ca.Name, o.Partners[cb.Partner].Name, cb.Name), true, e)

	// A look-alike of a partner domain the sender uses.
	s2, c2 := o.busiest(h, func(c Contact) bool { return strings.HasSuffix(o.Partners[c.Partner].Domain, ".co.jp") })
	if s2 < 0 {
		return nil, fmt.Errorf("scenarios: nobody mails a .co.jp partner")
	}
	ct := o.Contacts[c2]
	fake := strings.TrimSuffix(ct.Address, ".co.jp") + ".com"
	e = mk(party{pPerson, s2}, party{pContact, c2})
	e.subject = "資料送付のご連絡"
	e.text = g.greetJA(ct, s2) + "先日お話しした資料をお送りいたします。\n" + g.sig(s2)
	add("lookalike-domain", fmt.Sprintf("%s宛てのつもりが %s（.co.jp ではなく .com）", ct.Address, fake), true, g.retarget(e, fake, ct.Name))

	// Two clients in one To.
	s3, x, y := o.twoPartners(h, 0)
	if s3 < 0 {
		return nil, fmt.Errorf("scenarios: nobody mails two partners")
	}
	e = mk(party{pPerson, s3}, party{pContact, x}, party{pContact, y})
	e.subject = "ご提案資料の送付"
	e.text = g.greetJA(o.Contacts[x], s3) + "ご提案資料を添付いたします。価格は貴社向けの特別条件です。\n" + g.sig(s3)
	add("two-clients", fmt.Sprintf("%sと%sの二社が同じ宛先に入っている", o.Partners[o.Contacts[x].Partner].Name, o.Partners[o.Contacts[y].Partner].Name), true, e)

	// An outsider added to an internal-only thread.
	s4, parent := o.internalThread(h)
	if s4 < 0 {
		return nil, fmt.Errorf("scenarios: no internal thread with a sender who also mails partners")
	}
	ext := top(h.ext, s4)[0]
	to := []party{parent.from}
	if parent.from.id == s4 {
		to = slices.Clone(parent.to)
	}
	e = mk(party{pPerson, s4}, append(to, party{pContact, ext})...)
	e.parent, e.subject = parent, "Re: "+trimRe(parent.subject)
	e.refs = []string{parent.msgID}
	e.text = g.surnameOf(to[0]) + "さん\n\n了解です。社内の検討状況と原価の内訳は以下のとおりです。\n" + g.sig(s4)
	add("outsider-in-internal-thread", fmt.Sprintf("社内だけのスレッド「%s」への返信に社外の %s が入っている", trimRe(parent.subject), o.Contacts[ext].Address), true, e)

	// Mass mail with every customer in To instead of Bcc.
	sales := o.Departments[0]
	var many []party
	for _, pi := range sales.Partners {
		for _, c := range o.Partners[pi].Contacts {
			if o.Contacts[c].Joins == 0 {
				many = append(many, party{pContact, c})
			}
		}
	}
	if len(sales.Members) == 0 || len(many) < 5 {
		return nil, fmt.Errorf("scenarios: sales department too small for a mass mail")
	}
	e = mk(party{pPerson, sales.Members[0]}, many...)
	e.subject = "年末年始休業のお知らせ"
	e.text = "お取引先各位\n\n平素は格別のお引き立てを賜り、厚く御礼申し上げます。\n年末年始の休業期間についてご案内いたします。\n" + g.sig(sales.Members[0])
	add("mass-mail-in-to", fmt.Sprintf("社外アドレス%d件が To に並んでいる（Bcc にすべき一斉送信）", len(many)), true, e)

	// A greeting naming one partner, sent to another the sender also knows.
	s6, ga, gb := o.twoPartners(h, 1)
	if s6 < 0 {
		s6, ga, gb = s3, x, y
	}
	e = mk(party{pPerson, s6}, party{pContact, gb})
	e.subject = "ご注文内容の確認"
	e.text = g.greetJA(o.Contacts[ga], s6) + "ご注文いただいた内容を確認いたしました。\n" + g.sig(s6)
	add("greeting-names-other-partner", fmt.Sprintf("本文の宛名は%s %s様だが、宛先は%sの%s", o.Partners[o.Contacts[ga].Partner].Name, o.Contacts[ga].Surname, o.Partners[o.Contacts[gb].Partner].Name, o.Contacts[gb].Address), true, e)

	// A colleague in another department, and the namesake elsewhere the
	// address book offered: the greeting still names the department meant.
	if s8, ia, ib := o.wrongColleague(h); s8 >= 0 {
		pa, pb := o.People[ia], o.People[ib]
		e = mk(party{pPerson, s8}, party{pPerson, ib})
		e.subject = "月次締めの件"
		e.text = o.Departments[pa.Dept].Name + " " + pa.Surname + "さん\n\nお疲れさまです。" + o.People[s8].Surname + "です。\n今月の締めの資料を送ります。\n" + g.sig(s8)
		add("wrong-colleague", fmt.Sprintf("%sさんはいつも%sの%sさんに送っているが、今回は%sの%s（%s）を選んでしまった", o.People[s8].Surname, o.Departments[pa.Dept].Name, pa.Name, o.Departments[pb.Dept].Name, pb.Name, pb.Address), true, e)
	}

	// Honest: a reply in a known partner thread.
	s7, pe := -1, (*event)(nil)
	for pid := range o.People {
		if ev := h.lastExt[pid]; ev != nil && (pe == nil || ev.at.After(pe.at)) {
			s7, pe = pid, ev
		}
	}
	if pe == nil {
		return nil, fmt.Errorf("scenarios: no partner ever wrote in")
	}
	e = mk(party{pPerson, s7}, pe.from)
	e.parent, e.subject, e.refs = pe, "Re: "+trimRe(pe.subject), append(slices.Clone(pe.refs), pe.msgID)
	e.text = g.greetJA(o.Contacts[pe.from.id], s7) + "ご連絡ありがとうございます。承知いたしました。\n" + g.sig(s7)
	add("reply-known-thread", "取引先からのメールへのいつもの返信", false, e)

	// Honest: writing to a contact a colleague at their company introduced.
	var nc []int
	for ci := range h.intros {
		nc = append(nc, ci)
	}
	slices.Sort(nc)
	if len(nc) > 0 {
		ci := nc[0]
		intro := h.intros[ci]
		c := o.Contacts[ci]
		e = mk(party{pPerson, c.Meets}, party{pContact, ci})
		e.cc = []party{{pContact, c.Introducer}}
		e.parent, e.subject, e.refs = intro, "Re: "+trimRe(intro.subject), []string{intro.msgID}
		e.text = g.greetJA(c, c.Meets) + "ご紹介ありがとうございます。今後ともよろしくお願いいたします。\n" + g.sig(c.Meets)
		add("new-contact-introduced", fmt.Sprintf("%sから紹介された新しい担当者 %s への初めてのメール", o.Contacts[c.Introducer].Name, c.Name), false, e)
	}

	// Honest: a usual team mail and a usual partner mail.
	tm := top(h.internal, s)
	if len(tm) > 0 {
		e = mk(party{pPerson, s}, party{pPerson, tm[0]})
		e.subject = "週報"
		e.text = o.People[tm[0]].Surname + "さん\n\nお疲れさまです。今週の業務報告です。\n" + g.sig(s)
		add("usual-team-mail", "いつもの同僚への週報", false, e)
	}
	e = mk(party{pPerson, s}, party{pContact, a})
	e.subject = "納期のご確認"
	e.text = g.greetJA(ca, s) + "ご注文いただいた製品の納期についてご連絡いたします。\n" + g.sig(s)
	add("usual-partner-mail", fmt.Sprintf("いつもの%s %s様へのメール", o.Partners[ca.Partner].Name, ca.Surname), false, e)
	return out, nil
}

func (g *gen) surnameOf(p party) string { return g.surname(p) }

func (g *gen) greetJA(c Contact, from int) string {
	o := g.org
	return o.Partners[c.Partner].Name + "\n" + c.Surname + "様\n\nいつもお世話になっております。\n" + o.Company + "の" + o.People[from].Surname + "です。\n\n"
}

func (g *gen) sig(pid int) string {
	return "\nよろしくお願いいたします。\n\n--\n" + g.fullName(party{pPerson, pid}) + "\n" + g.signatureOrg(party{pPerson, pid}) + "\n"
}

// retarget points a scenario at an address outside the organisation's
// known contacts by adding a throwaway contact for it.
func (g *gen) retarget(e *event, addr, name string) *event {
	o := *g.org
	o.Contacts = append(slices.Clone(o.Contacts), Contact{ID: len(o.Contacts), Partner: o.Contacts[e.to[0].id].Partner, Name: name, Surname: strings.Fields(name)[0], Address: addr})
	g2 := *g
	g2.org = &o
	*g = g2
	e.to = []party{{pContact, len(o.Contacts) - 1}}
	return e
}

// busiest is the sender and contact with the most mail among contacts ok
// accepts.
func (o *Org) busiest(h *habits, ok func(Contact) bool) (int, int) {
	s, c, best := -1, -1, 0
	for k, n := range h.ext {
		if !ok(o.Contacts[k[1]]) {
			continue
		}
		if n > best || (n == best && (k[0] < s || (k[0] == s && k[1] < c))) {
			s, c, best = k[0], k[1], n
		}
	}
	return s, c
}

// twoPartners is the skip+1st sender who mails contacts at two companies,
// with their top contact at each.
func (o *Org) twoPartners(h *habits, skip int) (int, int, int) {
	for pid := range o.People {
		cs := top(h.ext, pid)
		for _, y := range cs[min(1, len(cs)):] {
			if len(cs) > 0 && o.Contacts[y].Partner != o.Contacts[cs[0]].Partner && h.ext[[2]int{pid, y}] >= 3 {
				if skip == 0 {
					return pid, cs[0], y
				}
				skip--
				break
			}
		}
	}
	return -1, -1, -1
}

// wrongColleague is a sender, the colleague in another department they
// mail most among those with a namesake elsewhere, and that namesake, whom
// the sender never mailed; -1s when the organisation has no such pair.
func (o *Org) wrongColleague(h *habits) (sender, meant, wrong int) {
	bySurname := map[string][]int{}
	for _, p := range o.People {
		bySurname[p.Surname] = append(bySurname[p.Surname], p.ID)
	}
	sender, meant, wrong = -1, -1, -1
	best := 0
	for k, n := range h.internal {
		s, a := o.People[k[0]], o.People[k[1]]
		if n < 3 || s.Dept == a.Dept || n < best || (n == best && sender >= 0 && (k[0] > sender || (k[0] == sender && k[1] > meant))) {
			continue
		}
		for _, b := range bySurname[a.Surname] {
			if pb := o.People[b]; pb.Dept != a.Dept && b != s.ID && h.internal[[2]int{s.ID, b}] == 0 {
				sender, meant, wrong, best = s.ID, a.ID, b, n
				break
			}
		}
	}
	return sender, meant, wrong
}

// internalThread is the latest internal-only message of someone who also
// mails partners.
func (o *Org) internalThread(h *habits) (int, *event) {
	s, ev := -1, (*event)(nil)
	for pid := range o.People {
		e := h.lastInt[pid]
		if e == nil || len(top(h.ext, pid)) == 0 {
			continue
		}
		if ev == nil || e.at.After(ev.at) {
			s, ev = pid, e
		}
	}
	return s, ev
}
