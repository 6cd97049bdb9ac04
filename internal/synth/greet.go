package synth

import (
	"strings"
)

// Greetings as people write them, drawn from the text stream: the first
// line names whom a message is for, and real first lines vary. Several
// people are named in turn or greeted as 各位 or 関係者各位, a team by its
// name, the people in copy on a line of their own, and short internal
// notes and quick replies often have no greeting at all. Names are the
// ones people use, whatever the address book shows: 田中様 to a partner
// whose mail system shows "Ichiro Tanaka", "Dear Tanaka-san" to 田中 一郎.

// displayName is the name mail headers show: romaji for partners whose
// mail systems give romaji names and for our International department,
// the directory's name otherwise.
func (g *gen) displayName(p party) string {
	o := g.org
	switch p.kind {
	case pPerson:
		if d := o.People[p.id].display; d != "" {
			return d
		}
	case pContact:
		c := o.Contacts[p.id]
		if st := o.Partners[c.Partner].romaji; st > 0 && !c.English {
			return romajiName(c.roman, st)
		}
	}
	return g.fullName(p)
}

// enName is how English mail names someone: the given name of an English
// speaker, Tanaka-san for a Japanese name.
func (g *gen) enName(p party) string {
	o := g.org
	switch p.kind {
	case pPerson:
		if pp := o.People[p.id]; pp.English {
			return pp.roman[1]
		} else {
			return pp.roman[0] + "-san"
		}
	case pContact:
		if c := o.Contacts[p.id]; c.English {
			return c.roman[1]
		} else {
			return c.roman[0] + "-san"
		}
	}
	return "all"
}

func joinNames(names []string, sep string) string { return strings.Join(names, sep) }

// jaExternalGreeting names the partner recipients: the company and the
// person, both people of one company in turn (or the first only, or
// 関係者各位), each company's person when there are two companies; then,
// now and then, those in copy.
func (g *gen) jaExternalGreeting(e *event) string {
	o, r := g.org, g.text
	var tos []Contact
	companies := map[int]bool{}
	for _, t := range e.to {
		if t.kind == pContact {
			c := o.Contacts[t.id]
			tos = append(tos, c)
			companies[c.Partner] = true
		}
	}
	var b strings.Builder
	switch {
	case len(tos) == 0:
		b.WriteString("関係者各位\n")
	case len(companies) > 1:
		if r.IntN(3) == 0 {
			b.WriteString("関係者各位\n")
			break
		}
		for _, c := range tos {
			b.WriteString(o.Partners[c.Partner].Name + " " + c.Surname + "様\n")
		}
	case len(tos) > 1:
		b.WriteString(o.Partners[tos[0].Partner].Name + "\n")
		switch x := r.IntN(20); {
		case x < 12:
			var ns []string
			for _, c := range tos {
				ns = append(ns, c.Surname+"様")
			}
			b.WriteString(joinNames(ns, "、") + "\n")
		case x < 17:
			b.WriteString(tos[0].Surname + "様\n")
		default:
			b.WriteString("関係者各位\n")
		}
	default:
		b.WriteString(o.Partners[tos[0].Partner].Name + "\n" + tos[0].Surname + "様\n")
	}
	b.WriteString(g.ccLine(e, "様", "弊社 "))
	return b.String()
}

// ccLine names the people in copy, 「（CC：鈴木様、弊社 佐藤）」, in a third
// of the messages that copy anyone.
func (g *gen) ccLine(e *event, honorific, ours string) string {
	if len(e.cc) == 0 || g.text.IntN(3) != 0 {
		return ""
	}
	var ns []string
	for _, c := range e.cc {
		switch c.kind {
		case pContact:
			ns = append(ns, g.org.Contacts[c.id].Surname+"様")
		case pPerson:
			if ours != "" {
				ns = append(ns, ours+g.org.People[c.id].Surname)
			} else {
				ns = append(ns, g.org.People[c.id].Surname+honorific)
			}
		}
	}
	if len(ns) == 0 {
		return ""
	}
	return "（CC：" + joinNames(ns, "、") + "）\n"
}

// jaInternalGreeting names colleagues: by surname, with the department for
// someone elsewhere, by title for a head; several in turn, or as 皆さん or
// 各位; a list by its team's name. One short note in ten has none.
func (g *gen) jaInternalGreeting(e *event) string {
	o, r := g.org, g.text
	to := e.firstTo()
	switch to.kind {
	case pDeptList:
		d := o.Departments[to.id].Name
		return pick(r, []string{d + "各位", d + "の皆さん", "各位", "関係者各位"}) + "\n\n"
	case pGroupList:
		gr := o.Groups[to.id].Name
		return pick(r, []string{gr + "メンバー各位", gr + "の皆さん", "各位"}) + "\n\n"
	case pAllList:
		return "社員各位\n\n"
	}
	if r.IntN(10) == 0 {
		return ""
	}
	var ps []party
	for _, t := range e.to {
		if t.kind == pPerson {
			ps = append(ps, t)
		}
	}
	var line string
	switch {
	case len(ps) > 1:
		switch r.IntN(5) {
		case 0, 1:
			var ns []string
			for _, p := range ps {
				ns = append(ns, g.surname(p)+"さん")
			}
			line = joinNames(ns, "、")
		case 2:
			line = "皆さん"
		case 3:
			line = "各位"
		default:
			line = g.colleague(e.from, ps[0])
		}
	case len(ps) == 1:
		line = g.colleague(e.from, ps[0])
	default:
		line = "各位"
	}
	return line + "\n" + g.ccLine(e, "さん", "") + "\n"
}

// colleague is how one colleague is greeted: 石川さん, 経理部 石川さん, or
// 石川部長 for a head of another department half the time.
func (g *gen) colleague(from, to party) string {
	o := g.org
	if to.kind == pPerson {
		tp := o.People[to.id]
		if tp.Boss == tp.ID && from.kind == pPerson && o.People[from.id].Dept != tp.Dept && g.text.IntN(2) == 0 {
			return tp.Surname + headTitle(o.Departments[tp.Dept].Name)
		}
	}
	return g.internalSalutation(from, to) + "さん"
}

// enGreeting opens English mail: Dear Tanaka-san, Dear John, Dear all,
// Dear Accounting team; a colleague in another department sometimes with
// theirs ("Hi Sato-san (Legal)").
func (g *gen) enGreeting(e *event) string {
	o, r := g.org, g.text
	to := e.firstTo()
	switch to.kind {
	case pDeptList:
		return "Dear " + o.Departments[to.id].Alias + " team,\n\n"
	case pGroupList, pAllList:
		return "Hi all,\n\n"
	}
	var ns []string
	for _, t := range e.to {
		if t.kind == pPerson || t.kind == pContact {
			ns = append(ns, g.enName(t))
		}
	}
	if len(ns) > 1 {
		switch r.IntN(3) {
		case 0:
			return "Dear all,\n\n"
		case 1:
			return "Dear " + strings.Join(ns[:len(ns)-1], ", ") + " and " + ns[len(ns)-1] + ",\n\n"
		}
		// A team addressed by its department, when they share one.
		if to.kind == pPerson {
			d := o.People[to.id].Dept
			same := true
			for _, t := range e.to {
				same = same && t.kind == pPerson && o.People[t.id].Dept == d
			}
			if same {
				return "Dear " + o.Departments[d].Alias + " team,\n\n"
			}
		}
		return "Hi team,\n\n"
	}
	if to.kind == pPerson && e.from.kind == pPerson {
		if d := o.People[to.id].Dept; d != o.People[e.from.id].Dept && r.IntN(3) == 0 {
			return "Hi " + ns[0] + " (" + o.Departments[d].Alias + "),\n\n"
		}
	}
	return "Dear " + ns[0] + ",\n\n"
}

// addedNote says who a reply brings in: 「経理部の石川さんにもCCで共有します。」
// Half the replies that bring someone in say nothing of it: people copy a
// colleague in without a word (in Enron's mail, four in five honest
// messages to someone the sender never mailed do not name them).
func (g *gen) addedNote(e *event) string {
	if len(e.added) == 0 || g.text.IntN(2) == 0 {
		return ""
	}
	o := g.org
	var b strings.Builder
	for _, a := range e.added {
		switch {
		case e.lang == langEN:
			b.WriteString("I have copied " + g.fullName(a) + ", who can help with this.\n")
		case a.kind == pContact:
			b.WriteString("弊社の" + o.Contacts[a.id].Surname + "をCCに追加いたします。\n")
		case e.from.kind == pPerson && o.People[a.id].Dept != o.People[e.from.id].Dept:
			b.WriteString(o.Departments[o.People[a.id].Dept].Name + "の" + o.People[a.id].Surname + "さんにもCCで共有します。\n")
		default:
			b.WriteString(o.People[a.id].Surname + "さんをCCに追加します。\n")
		}
	}
	return b.String()
}

// forwardBody passes a message on with a line of why, and the original
// below, as mail clients lay a forward out.
func (g *gen) forwardBody(e *event) string {
	o, r := g.org, g.text
	src := e.fwdOf
	var b strings.Builder
	to := e.firstTo()
	if e.lang == langEN {
		b.WriteString(g.enGreeting(e))
		b.WriteString(pick(r, []string{"FYI, please see below.", "Forwarding this for your reference.", "Could you take a look at the message below?"}) + "\n\nBest regards,\n" + g.fullName(e.from) + "\n\n")
		b.WriteString("---------- Forwarded message ---------\nFrom: " + g.displayName(src.from) + " <" + g.addr(src.from) + ">\nDate: " + src.at.Format("Mon, Jan 2, 2006 at 15:04") + "\nSubject: " + src.subject + "\n\n")
	} else {
		switch {
		case to.kind == pContact:
			b.WriteString(g.jaExternalGreeting(e) + "\nいつもお世話になっております。" + o.Company + "の" + g.surname(e.from) + "です。\n\n")
			b.WriteString("ご参考までに、下記をお送りいたします。\nご確認のほど、よろしくお願いいたします。\n")
		default:
			b.WriteString(g.jaInternalGreeting(e) + "お疲れさまです。" + g.surname(e.from) + "です。\n\n")
			if src.from.kind == pContact {
				c := o.Contacts[src.from.id]
				b.WriteString(shortName(o.Partners[c.Partner].Name) + "の" + c.Surname + "様から下記の連絡がありました。\nご確認いただけますでしょうか。\n")
			} else {
				b.WriteString(pick(r, []string{"下記、共有します。", "ご参考まで転送します。", "下記の件、ご対応をお願いできますでしょうか。"}) + "\n")
			}
		}
		b.WriteString("\n--\n" + g.fullName(e.from) + "\n\n")
		b.WriteString("-----Original Message-----\nFrom: " + g.displayName(src.from) + " <" + g.addr(src.from) + ">\nSent: " + src.at.Format("2006/01/02 15:04") + "\nSubject: " + src.subject + "\n\n")
	}
	lines := strings.Split(strings.TrimRight(src.text, "\n"), "\n")
	if len(lines) > 40 {
		lines = lines[:40]
	}
	b.WriteString(strings.Join(lines, "\n") + "\n")
	return b.String()
}
