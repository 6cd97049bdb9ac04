package detect

import (
	"math"
	"slices"
	"strings"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/model"
)

// Contacts considered as "did you mean" candidates: the sender's most
// exchanged ones. A contact outside this list is not frequent enough to be
// the one autocomplete or memory should have picked.
const (
	maxCandidates  = 400
	minCandidateTx = 1.0 // decayed messages exchanged
	// rareFactor is how many times more mail a contact must have had than
	// a recipient the sender knows, for the recipient to be the rare
	// namesake of the two.
	rareFactor = 4.0
	// maxExamined bounds how many recipients of one message are compared
	// with every candidate, and checked for lookalike domains: a message to
	// hundreds of strangers is flagged long before the last one.
	maxExamined = 10
	// maxNamesakeRecipients bounds the recipients compared pairwise.
	maxNamesakeRecipients = 60
)

// similarContacts finds the "wrong Tanaka": a new or rare recipient whose
// name or address resembles a frequent contact of the sender who fits the
// other recipients and the thread better. The contact is suggested.
func (c *check) similarContacts() {
	var cands []model.Contact
	var examined [2]int // new, known: known recipients must not crowd out new ones
	for _, r := range c.byOrgNovelty() {
		// A rare contact counts too, as the sender's other namesake: only
		// when someone mailed far more often fits the others better.
		known := r.contact.Sent >= 1 || r.contact.Received >= 1
		if r.inThread || (known && len(c.rs) < 2) {
			continue
		}
		kind := 0
		if known {
			kind = 1
		}
		if examined[kind]++; examined[kind] > maxExamined {
			continue
		}
		if cands == nil {
			cands = c.candidates()
		}
		rNames := c.nameTokensOf(r.Addr, r.Name)
		rFamily := c.familyOf(r.Addr, r.Name)
		rLocal := localPart(r.Addr)
		best, bestStrength, bestWhy, bestTotal, bestGain, bestGreeted := "", 0.0, "", 0.0, 0, false
		for _, k := range cands {
			if k.Total() < minCandidateTx || c.stopped() {
				break // sorted by Total: the rest are rarer still
			}
			if k.Addr == r.Addr || c.present(k.Addr) {
				continue
			}
			sim, why := similarity(r.Addr, rLocal, r.dom, rNames, rFamily, k.Addr,
				func() []string { return c.nameTokensOf(k.Addr, "") }, func() []string { return c.familyOf(k.Addr, "") })
			if sim == 0 {
				continue
			}
			if why == whyGivenName && r.internal != c.m.IsInternal(k.Addr) {
				// A colleague is no likelier meant than a partner's
				// person who shares her given name: "did you mean" must
				// never offer someone less plausible than the recipient.
				continue
			}
			if known && k.Total() < rareFactor*(1+r.contact.Total()) {
				break // sorted by Total: no one left is mailed far more
			}
			gain := c.fit(k.Addr) - c.fit(r.Addr)
			if gain < 0 || (known && gain == 0) {
				continue
			}
			// The one the greeting names is the one meant, however
			// alike another looks.
			s := sim * k.Total() / (k.Total() + 2)
			greeted := c.greetedAs(k.Addr)
			if (greeted && !bestGreeted) || (greeted == bestGreeted && s > bestStrength) {
				best, bestStrength, bestWhy, bestTotal, bestGain, bestGreeted = k.Addr, s, why, k.Total(), gain, greeted
			}
		}
		if best == "" || c.err != nil {
			continue
		}
		if c.suggested == nil {
			c.suggested = map[string]string{}
		}
		c.suggested[r.Addr] = best
		if known {
			c.f[fSimilarKnown] = math.Max(c.f[fSimilarKnown], bestStrength/(1+r.contact.Total()))
			c.add(finding.Finding{Code: finding.SimilarContact, Severity: finding.Low, Recipient: r.Addr, Suggestion: best}.
				Say("similar_contact", finding.Args{"best": best, "why": bestWhy}))
			continue
		}
		if bestStrength > c.f[fSimilarContact] {
			c.f[fSimilarContact] = bestStrength
			c.f[fSimilarFreq] = math.Log1p(bestTotal)
			c.f[fSimilarFit] = math.Log1p(float64(bestGain))
			c.f[fSimilarTopic] = c.topicGain(best, r.Addr)
			c.f[fSimilarSameOrg] = 0
			c.f[fSimilarGivenOnly] = 0
			c.f[fSimilarAddress] = 0
			switch bestWhy {
			case whyGivenName:
				c.f[fSimilarGivenOnly] = 1
			case whyNumbered, whyOneLetter:
				c.f[fSimilarAddress] = 1
			}
			if registrable(domainOf(best)) == registrable(r.dom) {
				c.f[fSimilarSameOrg] = 1
			}
		}
		sev := finding.Medium
		if bestStrength >= 0.5 {
			sev = finding.High
		}
		c.add(finding.Finding{Code: finding.SimilarContact, Severity: sev, Recipient: r.Addr, Suggestion: best}.
			Say("similar_contact", finding.Args{"best": best, "why": bestWhy}))
	}
}

// byOrgNovelty returns the recipients, those the organisation never
// exchanged mail with first: on a long list, a mistyped address is one
// nobody knows, and it must be among the few compared with every contact.
func (c *check) byOrgNovelty() []rcpt {
	if len(c.rs) <= maxExamined {
		return c.rs
	}
	rs := slices.Clone(c.rs)
	known := make(map[string]int, len(rs))
	for _, r := range rs {
		known[r.Addr] = c.m.OrgAddress(r.Addr)
	}
	slices.SortStableFunc(rs, func(a, b rcpt) int { return known[a.Addr] - known[b.Addr] })
	return rs
}

// namesakePairs reports two recipients who look alike and were never on
// one message of the sender's before: an address book that completed the
// wrong entry next to the right one, or a namesake added by mistake. The
// rarer of the two is blamed, and its novelty is the strength.
func (c *check) namesakePairs() {
	if len(c.rs) < 2 || len(c.rs) > maxNamesakeRecipients {
		return
	}
	// Beyond the model's pair cap, whether two were mailed together is not
	// known, and a long list holds namesakes by chance: only a pair of a
	// contact and someone the sender never exchanged mail with counts, and
	// only when their addresses are one letter or a number apart.
	long := len(c.rs) > maxPairRecipients
	rarer, other, why := -1, -1, ""
	for i, a := range c.rs {
		aNames, aFamily, aLocal := c.nameTokensOf(a.Addr, a.Name), c.familyOf(a.Addr, a.Name), localPart(a.Addr)
		for j := i + 1; j < len(c.rs); j++ {
			if c.stopped() {
				return
			}
			b := c.rs[j]
			if a.inThread && b.inThread {
				continue
			}
			if long && (a.contact.Known() == b.contact.Known() || !addressAlike(aLocal, a.dom, b.Addr)) {
				continue
			}
			r, o := i, j
			if b.contact.Total() < a.contact.Total() {
				r, o = j, i
			}
			nov := 1 / (1 + c.rs[r].contact.Total())
			if nov <= c.f[fNamesakePair] {
				continue // cannot beat the pair found
			}
			sim, w := similarity(a.Addr, aLocal, a.dom, aNames, aFamily, b.Addr,
				func() []string { return c.nameTokensOf(b.Addr, b.Name) }, func() []string { return c.familyOf(b.Addr, b.Name) })
			if sim == 0 || sim*nov <= c.f[fNamesakePair] || (!long && c.m.Together(c.sender, a.Addr, b.Addr) > 0) {
				continue
			}
			c.f[fNamesakePair] = sim * nov
			rarer, other, why = r, o, w
		}
	}
	if rarer < 0 {
		return
	}
	sev := finding.Low
	if !c.rs[rarer].contact.Known() {
		sev = finding.Medium
	}
	c.add(finding.Finding{Code: finding.SimilarContact, Severity: sev, Recipient: c.rs[rarer].Addr}.
		Say("similar_recipient", finding.Args{"other": c.rs[other].Addr, "why": why}))
}

// fit is how well addr belongs with the message's other recipients: the
// messages the sender had with both, plus a bonus for being in the thread.
func (c *check) fit(addr string) int {
	n := 0
	if c.threaded {
		for _, p := range c.thread {
			if p == addr {
				n += 5
			}
		}
	}
	if len(c.rs) > maxPairRecipients {
		return n
	}
	for _, o := range c.rs {
		if o.Addr != addr {
			n += c.m.Together(c.sender, addr, o.Addr)
		}
	}
	return n
}

// candidates are the sender's most exchanged contacts, most first: whom a
// recipient or a name may stand for. Fetched once per check, since
// sorting every contact costs more than most detectors.
func (c *check) candidates() []model.Contact {
	if !c.candsFetched {
		c.cands, c.candsFetched = c.m.Contacts(c.sender, c.now), true
		if len(c.cands) > maxCandidates {
			c.cands = c.cands[:maxCandidates]
		}
	}
	return c.cands
}

func (c *check) present(addr string) bool {
	for _, r := range c.rs {
		if r.Addr == addr {
			return true
		}
	}
	return false
}

// nameTokensOf gathers the name tokens of addr: from the display name in
// this message, every display name the model has seen for it, and its
// local part.
func (c *check) nameTokensOf(addr, shown string) []string { return c.namesOf(addr, shown).tokens }

// familyOf gathers the family names of addr (see familyNames) from the same
// places.
func (c *check) familyOf(addr, shown string) []string { return c.namesOf(addr, shown).family }

// names are what an address is called: name tokens and family names.
type names struct{ tokens, family []string }

// nameKey is an address and the display name it bears in the message,
// "" for none.
type nameKey struct{ addr, shown string }

func (c *check) namesOf(addr, shown string) names {
	// Contacts are compared with every rare recipient and greeting, and
	// recipients' names read by several detectors: names are worked out
	// once per check, and kept across checks for as long as the model
	// knows the address by the same names.
	if n, ok := c.names[nameKey{addr, shown}]; ok {
		return n
	}
	known := c.m.Names(addr)
	// By the set of names, not their order: the model orders them by use,
	// which changes with every message.
	key := addr + "\x00" + shown + "\x00" + strings.Join(slices.Sorted(slices.Values(known)), "\x00")
	n, ok := c.d.names.get(key)
	if !ok {
		n = c.computeNames(addr, shown, known)
		c.d.names.put(key, n)
	}
	if c.names == nil {
		c.names = map[nameKey]names{}
	}
	c.names[nameKey{addr, shown}] = n
	return n
}

func (c *check) computeNames(addr, shown string, known []string) names {
	var n names
	add := func(to *[]string, t string) {
		// Initials and short fragments match too much.
		if (len(t) >= 3 || isCJK(t)) && !slices.Contains(*to, t) {
			*to = append(*to, t)
		}
	}
	both := func(display string) {
		toks := nameTokens(display)
		for _, t := range toks {
			add(&n.tokens, t)
		}
		if f := familyOfTokens(display, toks); f != "" {
			add(&n.family, f)
		}
	}
	if shown != "" {
		both(shown)
	}
	for _, name := range known {
		both(name)
	}
	local := localPart(addr)
	for _, t := range nameTokens(local) {
		add(&n.tokens, t)
	}
	if f := localFamily(local); f != "" {
		add(&n.family, f)
	}
	return n
}

func localPart(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[:i]
	}
	return addr
}

// Reasons whose likeness is in the address itself, not only the name, as
// the finding catalogue's keys for the sender's words.
const (
	whyGivenName = "similar.given"
	whyNumbered  = "similar.numbered"
	whyOneLetter = "similar.one_letter"
)

// addressAlike reports whether k is at r's domain and its local part is
// one letter, or only a number, away from r's.
func addressAlike(rLocal, rDom, k string) bool {
	kLocal := localPart(k)
	if domainOf(k) != rDom || len(kLocal) < 3 {
		return false
	}
	return editDistance(rLocal, kLocal, 1) <= 1 || (len(rLocal) != len(kLocal) && trimDigits(rLocal) == trimDigits(kLocal))
}

// trimDigits drops the digits that end a local part, which number
// namesakes (t.fukuda2).
func trimDigits(local string) string {
	return strings.TrimRightFunc(local, func(r rune) bool { return r >= '0' && r <= '9' })
}

// similarity scores how easily r could have been picked instead of k, in
// [0,1], and says why as the catalogue key of the words for the sender.
func similarity(r, rLocal, rDom string, rNames, rFamily []string, k string, kNames, kFamily func() []string) (float64, string) {
	kLocal, kDom := localPart(k), domainOf(k)
	switch {
	case rLocal == kLocal && len(rLocal) >= 3 && rDom != kDom:
		return 1, "similar.other_domain"
	case rDom == kDom && len(rLocal) != len(kLocal) && len(kLocal) >= 3 && trimDigits(rLocal) == trimDigits(kLocal):
		// t.fukuda and t.fukuda2: namesakes the mail system numbered,
		// next to each other in every address list.
		return 0.9, whyNumbered
	case rDom == kDom && len(kLocal) >= 3 && editDistance(rLocal, kLocal, 1) <= 1:
		return 0.85, whyOneLetter
	case rDom == kDom && len(kLocal) >= 8 && editDistance(rLocal, kLocal, 2) <= 2:
		// Two letters apart in a long address is as often another name
		// (m.shibata, m.hirata) as a slip.
		return 0.5, "similar.two_letters"
	}
	if len(rFamily) > 0 && shareToken(rFamily, kFamily()) {
		return 0.8, "similar.family"
	}
	// A shared given name alone is a weaker likeness: Japanese colleagues
	// are addressed, and looked up, by family name.
	if len(rNames) > 0 && shareToken(rNames, kNames()) {
		return 0.6, whyGivenName
	}
	if p := commonPrefix(rLocal, kLocal); p >= 4 || (p >= 3 && rDom == kDom) {
		return 0.6, "similar.prefix"
	}
	return 0, ""
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}

// lookalikeDomains reports a recipient domain that imitates one the sender,
// or many in the organisation, already mail: a typo, a homoglyph, another
// ending. A domain the organisation itself knows well is not a lookalike.
func (c *check) lookalikeDomains() {
	var known []string // the organisation's own domains first, nOwn of them
	nOwn := 0
	examined := 0
	for _, r := range c.rs {
		if r.internal || r.trusted || r.domain.Known() || r.inThread || c.m.OrgDomain(r.dom) >= 2 || isFreemail(r.dom) {
			continue
		}
		if examined++; examined > maxExamined {
			break
		}
		if known == nil {
			own := c.m.OrgDomains()
			nOwn = len(own)
			// The trusted domains are partners the organisation named
			// itself: their imitations matter even to a sender who never
			// mailed them.
			known = slices.Concat(own, c.opt.TrustedDomains, c.m.Domains(c.sender), c.m.PopularDomains(3))
		}
		for j, k := range known {
			if c.stopped() {
				return
			}
			if k == r.dom {
				continue
			}
			look := lookalike
			if j < nOwn {
				look = lookalikeOwn
			}
			why, ok := look(r.dom, k)
			if !ok {
				continue
			}
			c.f[fLookalike] = 1
			c.add(finding.Finding{Code: finding.LookalikeDomain, Severity: finding.High, Recipient: r.Addr,
				Suggestion: localPart(r.Addr) + "@" + k}.
				Say("lookalike_domain", finding.Args{"domain": r.dom, "why": why, "known": k}))
			break
		}
	}
}
