// Package detect looks at one outgoing message in the light of the sender's
// learned history (package model) and returns findings, then a score in
// [0,1].
//
// Findings name one reason each, for one recipient, in a sentence the sender
// can act on, with a suggested fix where one exists ("did you mean …").
// Novelty alone is weak evidence, since honest mail reaches new people every
// day, so every novelty finding is softened by what speaks for the recipient:
// they wrote to the sender before, the message answers a thread they are in,
// the sender's team or organisation knows them or their domain.
//
// The score is a logistic regression over Features (see FeatureNames):
// per-finding strengths, novelty of the rarest recipient, softening
// evidence and counts; plus, in weights fitted on an organisation's own
// history, a small forest of boosted regression trees on what the
// regression leaves unexplained (trees.go). The regression carries the
// main effects, which trace to findings; the trees add what a sum cannot
// say ("new, and nobody in the quoted conversation, and one letter from a
// frequent contact"). Fitted on history only and measured on the Enron
// mailboxes after the fit (scripts/enron-eval.sh), the trees lifted
// detection at a 2% alarm rate from 20% to 30% for a colleague's contact,
// from 41% to 59% for namesakes and from 40% to 58% for autocomplete
// slips, for a few microseconds per check (BenchmarkScoreFitted).
// Weights are fitted, never hand-picked: Fit solves L2-regularised logistic
// regression on standardised features by iteratively reweighted least
// squares, with the two classes weighted equally so a score of 0.5 is the
// balanced decision boundary, then boosts the trees on the same balanced
// loss, then lowers the intercept until at most MaxAlarm of the honest
// training mail reaches the warn band.
//
// misend import fits weights on the organisation's own history
// (eval.Calibration: the last quarter of the history is scored, clean and
// with injected slips, before it is learned) and stores them with
// SaveWeights, recording what they were fitted on (FitInfo); check, eval
// and the gateway use stored weights when there are any (LoadWeights).
// The built-in weights (weights.json), for a history too small to fit on,
// are the regression alone, produced by `go test ./internal/detect -run
// TestFitDefaultWeights -update` on a 1000-person synthetic organisation
// (package synth: 240 days of real MIME mail read back with the real
// parser, and its directory): trees fitted on generated mail would learn
// its generator's habits as much as mistakes. The test without -update
// fails when weights.json is stale, and TestDetectionTarget checks them on
// an organisation from another generator (package model/mailgen).
//
// There is no isolation forest among the inputs: one over these features,
// fitted on clean mail and given to the fit as one more input, changed
// detection at a 2% alarm rate by less than half a point on synthetic
// organisations and by two points on Enron's mail, not enough to give up
// scores that trace to findings.
//
// Content findings (confidential terms, personal data) come from
// ContentCheckers implemented elsewhere; this package only passes them on
// and counts them in the score. It deliberately does not learn, decide
// verdicts (package policy) or read message bodies beyond the greeting
// lines, quoted headers, recipients' names in the first 16 KiB of text
// (mention.go), attachment names, and the words of the first 4 KiB as keyed
// hashes, to compare with what each recipient's mail is about (topic.go).
// That comparison moves the score only: no finding tells a sender which
// words someone else's mail holds.
package detect

import (
	"context"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/model"
)

// ContentChecker adds findings from what a message says (confidential terms,
// personal data). Implemented outside this package.
type ContentChecker interface {
	CheckContent(msg *mail.Message) []finding.Finding
}

// Detector checks messages against a model. Safe for concurrent use.
type Detector struct {
	Model   *model.Model
	Content []ContentChecker
	Weights *Weights // nil means the built-in default weights

	refitted atomic.Pointer[Weights] // SetWeights; wins over Weights
	names    nameCache               // contacts' name tokens, across checks
}

// Options are what the policy in force tells a check, taken by the
// decision once per message (package decide).
type Options struct {
	// Trusted reports whether a domain is one of the organisation's
	// trusted outside domains (or under one); nil trusts none.
	Trusted func(domain string) bool
	// TrustedDomains are those domains, compared with every recipient
	// domain for look-alikes like the domains the sender mails.
	TrustedDomains []string
}

// Result is what Check found.
type Result struct {
	Findings []finding.Finding
	Features Features
	Score    float64
}

// maxCheckedRecipients bounds the work per message: beyond this many
// recipients, a message is a broadcast and the rest add no new evidence.
const maxCheckedRecipients = 200

// rcpt is one recipient with what the model says about them for this sender.
type rcpt struct {
	mail.Address
	dom      string
	internal bool
	contact  model.Contact // sender ↔ this address
	domain   model.Contact // sender ↔ this domain
	inThread bool
	together int // messages the sender had with this recipient and any other one here
	// trusted: outside, at one of the organisation's trusted domains.
	trusted bool
	// For a recipient new to the sender, looked up once (newcomer): when
	// the organisation last exchanged mail with them, and whether they are
	// in another circle than everyone else on the message.
	orgLast     time.Time
	otherCircle bool
	looked      bool
}

type check struct {
	d        *Detector
	m        *model.Model
	msg      *mail.Message
	now      time.Time
	opt      Options
	sender   string
	rs       []rcpt
	thread   []string
	threaded bool
	findings []finding.Finding
	f        Features

	names map[nameKey]names // names of addresses, by address and the name shown
	// suggested is the "did you mean" contact found for a recipient, by
	// the recipient's address.
	suggested map[string]string
	// opening is whom the message's first lines address (see opening()).
	opening       []Greeting
	openingParsed bool
	// topicQ is what the message is about (see topicOf()).
	topicQ    *model.Topic
	topicDone bool
	// cands are the sender's contacts (see candidates()).
	cands        []model.Contact
	candsFetched bool

	ctx   context.Context
	steps int   // loop steps taken, for stopped
	err   error // the context's, once the check gives up
}

// Check scores msg as if it were being sent at now. It does not learn from it.
func (d *Detector) Check(msg *mail.Message, now time.Time) Result {
	r, _ := d.CheckContext(context.Background(), msg, now, Options{})
	return r
}

// CheckWith is Check with what the policy in force says about domains.
//
// A trusted domain is vouched for by the organisation, so it counts as
// known: a recipient there is never NEW_DOMAIN, and adds no new-domain
// evidence to the score; two outside companies of which at most one is
// untrusted are no CROSS_COMPANY. Everything about the person stays: a new
// or rare recipient at a trusted domain is still NEW_RECIPIENT, the wrong
// person there still SIMILAR_CONTACT, and a domain that imitates a trusted
// one is compared with it and reported as LOOKALIKE_DOMAIN even when the
// sender never mailed the real one.
func (d *Detector) CheckWith(msg *mail.Message, now time.Time, opt Options) Result {
	r, _ := d.CheckContext(context.Background(), msg, now, opt)
	return r
}

// CheckContext is CheckWith that gives up once ctx is done, between its
// steps and every few recipients or contacts within them, so a check past
// its deadline stops costing CPU; it then returns ctx's error and no
// result.
func (d *Detector) CheckContext(ctx context.Context, msg *mail.Message, now time.Time, opt Options) (Result, error) {
	c := d.newCheck(ctx, msg, now, opt)
	if err := c.run(); err != nil {
		return Result{}, err
	}
	return Result{Findings: c.findings, Features: c.f, Score: d.weights().Score(c.f)}, nil
}

func (d *Detector) newCheck(ctx context.Context, msg *mail.Message, now time.Time, opt Options) *check {
	c := &check{d: d, m: d.Model, msg: msg, now: now, opt: opt, sender: msg.From.Addr, f: make(Features, numFeatures), ctx: ctx}
	if c.m == nil {
		c.m = model.New(model.Config{})
	}
	return c
}

// stopEvery is how many steps of a loop pass between looks at the
// context: a step costs microseconds, a look a lock.
const stopEvery = 16

// stopped reports whether the check must give up because its context is
// done. Loops over recipients and contacts call it once per step and it
// looks every stopEvery steps; between detectors done looks every time.
func (c *check) stopped() bool {
	if c.err == nil {
		if c.steps++; c.steps%stopEvery == 1 {
			c.err = c.ctx.Err()
		}
	}
	return c.err != nil
}

func (c *check) done() bool {
	if c.err == nil {
		c.err = c.ctx.Err()
	}
	return c.err != nil
}

// run finds the findings and features, or gives up with the context's
// error.
func (c *check) run() error {
	c.collect()
	var steps []func()
	if len(c.rs) > 0 {
		steps = []func(){c.novelty, c.similarContacts, c.namesakePairs, c.lookalikeDomains, c.combination,
			c.externalInInternalThread, c.crossCompany, c.bccRecommended, c.greeting, c.mention, c.freemail, c.topic}
	}
	steps = append(steps, c.habits, c.attachments, c.discountShortHistory)
	for _, step := range steps {
		if c.done() {
			return c.err
		}
		step()
	}
	for _, cc := range c.d.Content {
		if c.done() {
			return c.err
		}
		for _, f := range cc.CheckContent(c.msg) {
			if f.Severity == finding.High || f.Severity == finding.Medium {
				c.f[fContent] = 1
			}
			c.findings = append(c.findings, f)
		}
	}
	if len(c.msg.Problems) > 0 {
		c.add(finding.Finding{Code: finding.ParseProblem, Severity: finding.Info}.
			Say("parse_problem", finding.Args{"problem": c.msg.Problems[0]}))
	}
	if c.done() {
		return c.err
	}
	return nil
}

func (c *check) add(f finding.Finding) { c.findings = append(c.findings, f) }

// collect looks up every recipient once; detectors then only read c.rs.
func (c *check) collect() {
	c.thread, c.threaded = c.m.Conversation(c.sender, c.msg)
	q := quotedPeople(c.msg.Text)
	if !q.empty() {
		c.f[fQuoted] = 1
	}
	if mail.IsForward(c.msg.Subject) {
		c.f[fForward] = 1
	}
	all := c.msg.Recipients()
	inThread := 0
	for _, a := range all {
		if a.Addr == c.sender || !strings.Contains(a.Addr, "@") {
			continue
		}
		if len(c.rs) == maxCheckedRecipients || c.stopped() {
			break
		}
		r := rcpt{Address: a, dom: a.Domain(), internal: c.m.IsInternal(a.Addr)}
		r.trusted = !r.internal && c.opt.Trusted != nil && c.opt.Trusted(r.dom)
		r.contact = c.m.Contact(c.sender, a.Addr, c.now)
		r.domain = c.m.Domain(c.sender, r.dom, c.now)
		r.inThread = c.threaded && slices.Contains(c.thread, a.Addr)
		if !q.empty() && !r.inThread {
			if q.has(a.Addr, c.quotableNames(r)) {
				r.inThread = true
			} else {
				c.f[fQuotedOutsider] = max(c.f[fQuotedOutsider], 1/(1+r.contact.Total()))
			}
		}
		if r.inThread {
			inThread++
		}
		c.rs = append(c.rs, r)
	}
	if len(c.rs) > 0 {
		c.f[fInThread] = float64(inThread) / float64(len(c.rs))
	}
	if c.threaded {
		// A reply goes to the conversation's people; anyone else was
		// added by hand, and a rare one more likely by mistake.
		for _, r := range c.rs {
			if !r.inThread {
				c.f[fThreadOutsider] = max(c.f[fThreadOutsider], 1/(1+r.contact.Total()))
			}
		}
	}
	if q.author != nil && !q.author.empty() && !mail.IsForward(c.msg.Subject) {
		if _, reply := mail.BaseSubject(c.msg.Subject); reply && c.authorGone(*q.author) {
			c.f[fReplyAuthorGone] = 1
			c.add(finding.Finding{Code: finding.ReplyAuthorMissing, Severity: finding.Low, Recipient: c.unquoted()}.
				Say("reply_author", finding.Args{"author": q.authorText}))
		}
	}
	c.f[fLogRecipients] = math.Log1p(float64(len(c.rs)))
	c.f[fLogHistory] = math.Log1p(c.m.SentTotal(c.sender, c.now))
	if len(c.rs) > 1 && len(c.rs) <= maxPairRecipients {
		for i := range c.rs {
			for j := range c.rs {
				if i != j {
					c.rs[i].together += c.m.Together(c.sender, c.rs[i].Addr, c.rs[j].Addr)
				}
			}
		}
	}
}

// authorGone reports whether a reply leaves out the author of the message
// it quotes: neither the sender (answering their own message) nor any
// recipient is who wrote it. A reply goes back to its author; one that
// does not was often meant for another conversation, or the author was
// replaced by someone else.
func (c *check) authorGone(author quoted) bool {
	if author.has(c.sender, c.nameTokensOf(c.sender, c.msg.From.Name)) {
		return false
	}
	for _, r := range c.rs {
		if author.has(r.Addr, c.quotableNames(r)) {
			return false
		}
	}
	return true
}

// quotableNames are the name tokens by which quoted headers may name r:
// by name only for an address the organisation has mailed, since a
// mistyped address shows the name it was meant for.
func (c *check) quotableNames(r rcpt) []string {
	if r.contact.Known() || c.m.OrgAddress(r.Addr) > 0 {
		return c.nameTokensOf(r.Addr, r.Name)
	}
	return nil
}

// unquoted returns the first recipient the quoted headers do not name, or
// the first recipient when they name all: the one a sender confirms to
// answer REPLY_AUTHOR_MISSING.
func (c *check) unquoted() string {
	for _, r := range c.rs {
		if !r.inThread {
			return r.Addr
		}
	}
	if len(c.rs) == 0 {
		return ""
	}
	return c.rs[0].Addr
}

// fullHistory is how many (decayed) sent messages a sender needs before
// novelty means something: to a new employee everyone is new.
const fullHistory = 50.0

// senderRelative are the features that measure novelty against the
// sender's own history.
var senderRelative = []int{fNovelty, fNewExternal, fNewDomain, fDeptUnknown, fOrgUnknown, fOrgDomainUnknown,
	fNoCooccur, fThreadNewcomer, fNoveltyFirstRate, fFreemailNew, fRarestInternal, fThreadOutsider, fQuotedOutsider,
	fTextNamesRarest, fOrgStale, fOtherCircle}

// discountShortHistory scales novelty by how much history the sender has.
// Findings stay (they are true), but they weigh less in the score.
func (c *check) discountShortHistory() {
	conf := math.Min(1, c.m.SentTotal(c.sender, c.now)/fullHistory)
	c.f[fHistory] = conf
	for _, i := range senderRelative {
		c.f[i] *= conf
	}
}

// maxPairRecipients matches the model's cap: beyond it, pairs were not all
// learned, so their absence proves nothing.
const maxPairRecipients = 12

// rarest returns the index of the least exchanged recipient outside the
// thread, or -1 when every recipient is in it.
func (c *check) rarest() int {
	best, bestTotal := -1, math.Inf(1)
	for i, r := range c.rs {
		if r.inThread {
			continue
		}
		if t := r.contact.Total(); t < bestTotal {
			best, bestTotal = i, t
		}
	}
	return best
}

// novelty reports recipients and domains the sender never exchanged mail
// with, softened by what the team and organisation know.
func (c *check) novelty() {
	i := c.rarest()
	if i < 0 {
		return
	}
	r := c.rs[i]
	c.f[fNovelty] = 1 / (1 + r.contact.Total())
	c.f[fFirstRate] = c.m.FirstContactRate(c.sender, c.now)
	c.f[fNoveltyFirstRate] = c.f[fNovelty] * c.f[fFirstRate]
	if r.contact.Received > 0 {
		c.f[fWroteBefore] = 1
	}
	// What the team and the organisation know only matters for someone the
	// sender never exchanged mail with; without a directory there is no
	// team, and that says nothing about the recipient.
	if !r.contact.Known() {
		if c.m.HasDepartment(c.sender) {
			c.f[fDeptUnknown] = 1 / (1 + float64(c.m.DeptAddress(c.sender, r.Addr)))
		}
		c.f[fOrgUnknown] = 1 / (1 + float64(c.m.OrgAddress(r.Addr)))
		n := c.newcomer(i)
		c.f[fOrgStale] = staleness(n.orgLast, c.now)
		if n.otherCircle {
			c.f[fOtherCircle] = 1
		}
		if r.internal {
			c.f[fRarestInternal] = 1
		}
		c.acquaintance(i)
	}
	for i, r := range c.rs {
		if r.inThread || r.contact.Known() {
			continue
		}
		if c.threaded {
			c.f[fThreadNewcomer] = 1
		}
		dept := c.m.DeptAddress(c.sender, r.Addr)
		org := c.m.OrgAddress(r.Addr)
		if !r.internal {
			c.f[fNewExternal] = 1
		}
		key := "new_recipient"
		sev := finding.Medium
		switch {
		case r.internal:
			key, sev = "new_recipient.colleague", finding.Info
		case dept > 0:
			key, sev = "new_recipient.team", finding.Low
		case org > 0:
			key = "new_recipient.org"
		}
		c.add(c.unfamiliar(i, finding.Finding{Code: finding.NewRecipient, Severity: sev, Recipient: r.Addr}.Say(key, nil)))

		if r.internal || r.domain.Known() || r.trusted {
			continue
		}
		c.f[fNewDomain] = 1
		dd := c.m.DeptDomain(c.sender, r.dom)
		od := c.m.OrgDomain(r.dom)
		c.f[fOrgDomainUnknown] = math.Max(c.f[fOrgDomainUnknown], 1/(1+float64(od)))
		key = "new_domain.team"
		sev = finding.Low
		switch {
		case od == 0:
			key, sev = "new_domain.nobody", finding.High
		case !c.m.HasDepartment(c.sender):
			// Without a directory there is no team to speak of.
			key, sev = "new_domain.org", finding.Medium
		case dd == 0:
			key, sev = "new_domain.team_neither", finding.Medium
		}
		c.add(finding.Finding{Code: finding.NewDomain, Severity: sev, Recipient: r.Addr}.
			Say(key, finding.Args{"domain": r.dom}))
	}
}

// acquaintance measures whether the other recipients know recipient i, whom
// the sender never exchanged mail with: people brought into a conversation
// usually know someone in it, a slip of the address book knows nobody.
// Only pairs with an insider can be known, since the model keeps
// correspondence for insiders only.
func (c *check) acquaintance(i int) {
	r := c.rs[i]
	knowable, know := 0, 0
	for j, o := range c.rs {
		if j == i || knowable == maxPairRecipients {
			continue
		}
		var k model.Contact
		switch {
		case o.internal:
			k = c.m.Contact(o.Addr, r.Addr, c.now)
		case r.internal:
			k = c.m.Contact(r.Addr, o.Addr, c.now)
		default:
			continue
		}
		knowable++
		if k.Known() {
			know++
		}
	}
	if knowable == 0 {
		return
	}
	c.f[fOthersKnowRarest] = float64(know) / float64(knowable)
	if know == 0 {
		c.f[fStrangerToOthers] = 1
	}
}

// combination reports a recipient who never appeared together with any of
// the others, in messages the sender sent or received.
func (c *check) combination() {
	if len(c.rs) < 2 || len(c.rs) > maxPairRecipients {
		return
	}
	othersTogether := false
	for _, r := range c.rs {
		if r.together > 0 {
			othersTogether = true
		}
	}
	for i, r := range c.rs {
		if r.together > 0 || r.inThread {
			continue
		}
		// Known people turn up in new combinations all the time; a rare one
		// who never met the others is what a slip looks like.
		c.f[fNoCooccur] = math.Max(c.f[fNoCooccur], 1/(1+r.contact.Total()))
		// A second person from an organisation already on the message is
		// how honest mail grows; only a stranger to all the others counts.
		if !r.contact.Known() || !othersTogether || c.orgShared(i) {
			continue
		}
		c.f[fNoCooccurKnown] = 1
		c.add(finding.Finding{Code: finding.UnusualCombination, Severity: finding.Medium, Recipient: r.Addr}.
			Say("unusual_combination", nil))
	}
}

// orgShared reports whether another recipient is at the same registrable
// domain as recipient i.
func (c *check) orgShared(i int) bool {
	o := registrable(c.rs[i].dom)
	for j, r := range c.rs {
		if j != i && registrable(r.dom) == o {
			return true
		}
	}
	return false
}

// externalInInternalThread reports an outsider added to a reply whose
// thread so far had insiders only.
func (c *check) externalInInternalThread() {
	if !c.threaded || len(c.m.OrgDomains()) == 0 {
		return
	}
	for _, p := range c.thread {
		if !c.m.IsInternal(p) {
			return
		}
	}
	for _, r := range c.rs {
		if r.internal || r.inThread {
			continue
		}
		c.f[fExternalInInternal] = 1
		c.add(finding.Finding{Code: finding.ExternalInInternalThread, Severity: finding.High, Recipient: r.Addr}.
			Say("external_in_internal_thread", nil))
	}
}

// crossCompany reports two outside organisations in To/Cc that the sender
// never had in one message: the classic way one client learns of another.
func (c *check) crossCompany() {
	byOrg := map[string][]int{}
	var orgs []string
	for i, r := range c.rs {
		// Only organisations the sender deals with: a newcomer is already
		// reported as new, and an ISP or agency address is no client.
		// A trusted domain is as good as the organisation's own: mixing
		// it with one client tells that client nothing it must not know.
		if r.internal || r.trusted || isFreemail(r.dom) || c.isBcc(r.Addr) || !r.domain.Known() {
			continue
		}
		o := registrable(r.dom)
		if _, ok := byOrg[o]; !ok {
			orgs = append(orgs, o)
		}
		byOrg[o] = append(byOrg[o], i)
	}
	if len(orgs) < 2 || len(orgs) > 6 {
		return
	}
	for a := 0; a < len(orgs); a++ {
		for b := a + 1; b < len(orgs); b++ {
			if c.orgsMet(byOrg[orgs[a]], byOrg[orgs[b]]) {
				continue
			}
			// Blame the organisation the sender knows less.
			ia, ib := byOrg[orgs[a]][0], byOrg[orgs[b]][0]
			if c.rs[ia].domain.Total() < c.rs[ib].domain.Total() {
				ia, ib = ib, ia
			}
			c.f[fCrossCompany] = 1
			c.add(finding.Finding{Code: finding.CrossCompany, Severity: finding.Medium, Recipient: c.rs[ib].Addr}.
				Say("cross_company", finding.Args{"domain": registrable(c.rs[ib].dom), "other": registrable(c.rs[ia].dom)}))
			return
		}
	}
}

func (c *check) orgsMet(as, bs []int) bool {
	for _, a := range as {
		for _, b := range bs {
			if c.rs[a].inThread && c.rs[b].inThread {
				return true
			}
			if c.m.Together(c.sender, c.rs[a].Addr, c.rs[b].Addr) > 0 {
				return true
			}
		}
	}
	return false
}

func (c *check) isBcc(addr string) bool {
	for _, a := range c.msg.Bcc {
		if a.Addr == addr {
			return true
		}
	}
	return false
}

// bccRecommended reports many outside addresses of different organisations
// in To/Cc, where each can read all the others' addresses.
func (c *check) bccRecommended() {
	ext, orgs := 0, map[string]bool{}
	allThread := true
	for _, r := range c.rs {
		if r.internal || c.isBcc(r.Addr) {
			continue
		}
		ext++
		orgs[registrable(r.dom)] = true
		allThread = allThread && r.inThread
	}
	if ext < 5 || len(orgs) < 3 || allThread {
		return
	}
	c.f[fBcc] = 1
	c.add(finding.Finding{Code: finding.BccRecommended, Severity: finding.Medium}.
		Say("bcc_recommended", nil).Suggest("suggest.bcc"))
}

// freemail reports a personal-webmail recipient the sender never exchanged
// mail with: a common way company data leaves for a private inbox.
func (c *check) freemail() {
	for _, r := range c.rs {
		if r.internal || r.inThread || r.contact.Known() || !isFreemail(r.dom) {
			continue
		}
		c.f[fFreemailNew] = 1
		c.add(finding.Finding{Code: finding.FreemailRecipient, Severity: finding.Low, Recipient: r.Addr}.
			Say("freemail_recipient", nil))
	}
}

// habits reports mail at an hour the sender never sends at, or far more mail
// in a day than usual. Both need a long history to mean anything.
func (c *check) habits() {
	if c.sender == "" {
		return
	}
	hb := c.m.Habits(c.sender, c.now)
	total := 0
	for _, n := range hb.Hours {
		total += n
	}
	if total >= 200 {
		h := c.now.UTC().Hour()
		if hb.Hours[h]+hb.Hours[(h+1)%24]+hb.Hours[(h+23)%24] == 0 {
			c.f[fUnusualTime] = 1
			c.add(finding.Finding{Code: finding.UnusualTime, Severity: finding.Info}.Say("unusual_time", nil))
		}
	}
	if hb.ActiveDays >= 20 && float64(hb.Today+1) > hb.DailyMean+4*hb.DailyStd+10 {
		c.f[fUnusualVolume] = 1
		c.add(finding.Finding{Code: finding.UnusualVolume, Severity: finding.Info}.Say("unusual_volume", nil))
	}
}
