package detect

import (
	"slices"
	"strings"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/model"
	"golang.org/x/text/unicode/norm"
)

// greeting reports an opening line or attachment name that names a person
// or company other than the recipients, when the model knows whom that name
// belongs to: an unknown name proves nothing.
func (c *check) greeting() {
	var rNames [][]string
	var rOrgs []string
	for _, r := range c.rs {
		rNames = append(rNames, c.nameTokensOf(r.Addr, r.Name))
		rOrgs = append(rOrgs, squash(orgLabel(r.dom)))
		for _, n := range nameTokens(r.Name) {
			rOrgs = append(rOrgs, squash(n))
		}
	}
	rarest := c.rarest()
	greetings := c.greetings()
	var greeted []string // every name token the opening addresses
	for _, g := range greetings {
		greeted = append(greeted, nameTokens(g.Person)...)
	}
	for _, g := range greetings {
		if g.Person != "" && g.Department != "" && g.Company == "" {
			c.greetedDepartment(g.Department, g.Person, rNames)
		}
		if g.Person != "" {
			c.greetedPerson(g, rNames)
			toks := nameTokens(g.Person)
			// Writing a new recipient's name is what someone who meant
			// them does; a slip leaves the greeting to the intended one.
			if rarest >= 0 && greetsAny(toks, rNames[rarest]) && !c.ungreetedPeer(rarest, greeted, rNames) {
				c.f[fGreetRarest] = 1 / (1 + c.rs[rarest].contact.Total())
				if w := c.namesake(rarest, toks, rNames); w > 0 {
					c.f[fGreetNamesake] = c.f[fGreetRarest] * w
				}
			}
		}
		if g.Company != "" {
			c.namedCompany(squash(g.Company), rOrgs, "greeting.company", "", g.Company)
			c.learnedCompany(squash(g.Company), g.Company)
			c.outsideGreeting(g.Company)
		}
	}
	for _, a := range c.msg.Attachments {
		name := squash(norm.NFKC.String(a.Filename))
		for _, org := range c.knownOrgs() {
			if len(org) >= 4 && strings.Contains(name, org) {
				c.namedCompany(org, rOrgs, "greeting.attachment", a.Filename, "")
			}
		}
	}
	c.attachmentCompanies(rOrgs)
}

// greetings are whom the opening lines address, parsed once per check.
func (c *check) greetings() []Greeting {
	if !c.openingParsed {
		c.opening, c.openingParsed = ParseGreeting(c.msg.Text), true
	}
	return c.opening
}

// greetedAs reports whether the opening names addr: a person's name it
// bears, and the department it sits in when the greeting gives one.
func (c *check) greetedAs(addr string) bool {
	for _, g := range c.greetings() {
		if g.Person == "" || !greetsAll(nameTokens(g.Person), c.nameTokensOf(addr, "")) {
			continue
		}
		if g.Department == "" || g.Company != "" || sameDepartment(g.Department, c.m.Department(addr)) {
			return true
		}
	}
	return false
}

// allNamedIn reports whether every recipient has a display name, in this
// message or in history, written in the script of the greeting's tokens.
func (c *check) allNamedIn(toks []string) bool {
	cjk := slices.ContainsFunc(toks, isCJK)
	for _, r := range c.rs {
		if !c.namedIn(r, cjk) {
			return false
		}
	}
	return true
}

// otherScript returns the name tokens, in the script the greeting is not
// written in, of the contacts that bear every greeted token.
func (c *check) otherScript(toks []string, cjk bool, cands []model.Contact) []string {
	var out []string
	for _, k := range cands {
		if k.Total() < minCandidateTx {
			break
		}
		names := c.nameTokensOf(k.Addr, "")
		if !greetsAll(toks, names) {
			continue
		}
		for _, t := range names {
			if isCJK(t) != cjk && !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// namedIn reports whether r is known by a name written in kanji (cjk) or
// in Latin letters: 田中様 to a partner whose address book entry reads
// "Tanaka Taro" greets him all the same, which no name comparison shows.
func (c *check) namedIn(r rcpt, cjk bool) bool {
	inScript := func(name string) bool { return name != "" && isCJK(name) == cjk }
	return inScript(r.Name) || slices.ContainsFunc(c.m.Names(r.Addr), inScript)
}

// ungreetedPeer reports whether another recipient outside the thread,
// exchanged with no more than recipient i, is named by none of the greeted
// tokens: the greeting speaks for the newcomer it names, not for one next
// to it.
func (c *check) ungreetedPeer(i int, greeted []string, rNames [][]string) bool {
	for j, r := range c.rs {
		if j != i && !r.inThread && r.contact.Total() <= c.rs[i].contact.Total() && !greetsAny(greeted, rNames[j]) {
			return true
		}
	}
	return false
}

// namesake returns how well the sender knows someone else whom the greeted
// name toks, which fits recipient i, fits as well: another recipient, or
// the contact suggested for i. In [0,1), 0 for nobody: the better known
// that namesake, the less the greeting speaks for i.
func (c *check) namesake(i int, toks []string, rNames [][]string) float64 {
	w := 0.0
	for j, rn := range rNames {
		if t := c.rs[j].contact.Total(); j != i && t > c.rs[i].contact.Total() && greetsAny(toks, rn) {
			w = max(w, t/(t+2))
		}
	}
	if k, ok := c.suggested[c.rs[i].Addr]; ok && greetsAny(toks, c.nameTokensOf(k, "")) {
		w = max(w, c.f[fSimilarContact])
	}
	return w
}

func (c *check) greetedPerson(g Greeting, rNames [][]string) {
	person := g.Person
	toks := nameTokens(person)
	if len(toks) == 0 {
		return
	}
	for _, rn := range rNames {
		// "Hi Bob," fits Robert Smith.
		if greetsAny(toks, rn) || shareToken(givenNames(toks), givenNames(rn)) {
			return
		}
	}
	// The sender's own name in the opening is a signature or a quote.
	if greetsAny(toks, c.nameTokensOf(c.sender, c.msg.From.Name)) {
		return
	}
	cands := c.candidates()
	// 田中様 to "Tanaka Kazuya": the greeting may name a recipient in the
	// other script. Contacts known by the greeted name in both scripts
	// say what it reads as (田中 → tanaka); without them, a recipient the
	// sender knows, by no name in the greeting's script, is most likely
	// the one it greets.
	cjk := slices.ContainsFunc(toks, isCJK)
	if other := c.otherScript(toks, cjk, cands); len(other) > 0 {
		for _, rn := range rNames {
			if shareToken(other, rn) {
				return
			}
		}
	} else {
		for _, r := range c.rs {
			if r.contact.Known() && !c.namedIn(r, cjk) {
				return
			}
		}
	}
	// Only when every recipient is known by name does a greeting that fits
	// none of them name someone else, rather than a recipient by a name
	// mail never showed ("Hi Bob" to bsmith@).
	// A bare opening names someone only if a contact bears the name
	// ("Thanks," does not).
	named := !g.Bare && c.allNamedIn(toks)
	if named {
		c.f[fGreetNobody] = 1
	}
	for _, k := range cands {
		if k.Total() < minCandidateTx {
			break // sorted: the rest are too rare to be who was meant
		}
		if greetsAll(toks, c.nameTokensOf(k.Addr, "")) {
			c.f[fGreeting] = 1
			c.add(finding.Finding{Code: finding.GreetingMismatch, Severity: finding.High, Suggestion: k.Addr}.
				Say("greeting.person", finding.Args{"person": person, "addr": k.Addr}))
			return
		}
	}
	if named {
		c.add(finding.Finding{Code: finding.GreetingMismatch, Severity: finding.Medium}.
			Say("greeting.nobody", finding.Args{"person": person}))
	}
}

// greetedDepartment reports a greeting that names a colleague with their
// department ("経理部 石川さん", as mail to another department opens) when
// every insider recipient the name fits sits in another department: the
// namesake elsewhere was picked. A department the directory does not have
// is another company's, and proves nothing here.
func (c *check) greetedDepartment(dept, person string, rNames [][]string) {
	if c.f[fGreetDepartment] != 0 || !slices.ContainsFunc(c.m.Departments(), func(d string) bool { return sameDepartment(dept, d) }) {
		return
	}
	toks := nameTokens(person)
	wrong, actual := "", ""
	for j, r := range c.rs {
		if !r.internal || !greetsAny(toks, rNames[j]) {
			continue
		}
		d := c.m.Department(r.Addr)
		if d == "" || sameDepartment(dept, d) {
			return // the one greeted is here, or may be
		}
		wrong, actual = r.Addr, d
	}
	if wrong == "" {
		return // the name fits no recipient: greetedPerson speaks for that
	}
	c.f[fGreetDepartment] = 1
	f := finding.Finding{Code: finding.GreetingMismatch, Severity: finding.High, Recipient: wrong}
	for _, k := range c.candidates() {
		if greetsAll(toks, c.nameTokensOf(k.Addr, "")) && sameDepartment(dept, c.m.Department(k.Addr)) {
			f.Suggestion = k.Addr
			break
		}
	}
	c.add(f.Say("greeting.department", finding.Args{"person": person, "department": dept, "addr": wrong, "actual": actual}))
}

// sameDepartment reports whether a greeting's department names directory
// department d: the whole name, or its last part ("経理部" for "管理本部
// 経理部" or "管理本部/経理部").
func sameDepartment(greeted, d string) bool {
	greeted, d = norm.NFKC.String(greeted), norm.NFKC.String(d)
	if greeted == "" || d == "" {
		return false
	}
	if greeted == d {
		return true
	}
	rest, ok := strings.CutSuffix(d, greeted)
	return ok && (strings.HasSuffix(rest, " ") || strings.HasSuffix(rest, "/"))
}

// outsideGreeting reports a greeting to someone at another company in mail
// that only goes to the organisation's own people: an outside recipient was
// meant.
func (c *check) outsideGreeting(company string) {
	if len(c.m.OrgDomains()) == 0 || c.f[fGreetOutside] != 0 {
		return
	}
	for _, r := range c.rs {
		if !r.internal {
			return
		}
	}
	c.f[fGreetOutside] = 1
	c.add(finding.Finding{Code: finding.GreetingMismatch, Severity: finding.High}.
		Say("greeting.outside", finding.Args{"company": company}))
}

// namedCompany reports org when no recipient belongs to it but a domain the
// sender mails does; key says where the name was (greeting.company, or
// greeting.attachment of file).
//
// written is the company's name as the sender wrote it, for the sentence:
// people know 株式会社山田商会, not yamada-shokai.co.jp.
func (c *check) namedCompany(org string, rOrgs []string, key, file, written string) {
	if org == "" {
		return
	}
	for _, o := range rOrgs {
		if o == org || (len(org) >= 3 && strings.Contains(o, org)) {
			return
		}
	}
	for _, d := range c.m.Domains(c.sender) {
		if c.m.IsInternal("x@"+d) || isFreemail(d) {
			continue
		}
		if squash(orgLabel(d)) == org {
			c.f[fGreeting] = 1
			args := finding.Args{"domain": d}
			if file != "" {
				args["file"] = file
			}
			if written != "" && key == "greeting.company" {
				key, args["company"] = "greeting.company_named", written
			}
			c.add(finding.Finding{Code: finding.GreetingMismatch, Severity: finding.High}.Say(key, args))
			return
		}
	}
}

// knownOrgs are the organisation labels of the outside domains the sender
// mails ("partnera" for partner-a.co.jp).
func (c *check) knownOrgs() []string {
	var out []string
	for _, d := range c.m.Domains(c.sender) {
		if c.m.IsInternal("x@"+d) || isFreemail(d) {
			continue
		}
		out = append(out, squash(orgLabel(d)))
	}
	return out
}

// squash lower-cases s and drops everything but letters and digits, so
// "Partner-A", "partner_a" and "partnera" compare equal.
func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r == '-' || r == '_' || r == '.' || r == ' ' || r == '　' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
