package terms

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/misend/misend/internal/attach"
	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/store"
)

// Checker finds confidential terms leaving their scope and personal data
// leaving the organisation. It is a snapshot of the lists taken when it was
// built; build a new one after lists change. Safe for concurrent use.
type Checker struct {
	dir     *directory.Directory
	matcher *Matcher
	// entries[i] are the (scope, weight) pairs of the matcher's pattern i:
	// one normalised term may sit on several lists with different weights.
	entries    [][]entry
	rules      map[Scope]Rule
	exceptions map[Scope]map[string]time.Time // scope → normalised term → until
	many       int
	now        func() time.Time
}

type entry struct {
	scope  Scope
	term   string
	weight float64
}

// NewChecker loads every list, rule and exception from db.
func NewChecker(ctx context.Context, db *store.DB, dir *directory.Directory) (detect.ContentChecker, error) {
	s, err := Open(ctx, db)
	if err != nil {
		return nil, err
	}
	return s.Checker(ctx, dir)
}

// Checker builds a Checker from the store's current lists.
func (s *Store) Checker(ctx context.Context, dir *directory.Directory) (*Checker, error) {
	list, err := s.List(ctx, "")
	if err != nil {
		return nil, err
	}
	rules, err := s.rules(ctx)
	if err != nil {
		return nil, err
	}
	exc, err := s.Exceptions(ctx)
	if err != nil {
		return nil, err
	}
	manyS, err := s.Setting(ctx, "personal.many", strconv.Itoa(DefaultManyContacts))
	if err != nil {
		return nil, err
	}
	many, err := strconv.Atoi(manyS)
	if err != nil || many < 1 {
		return nil, fmt.Errorf("setting personal.many: %q is not a positive number", manyS)
	}
	c := NewCheckerFrom(dir, list, rules, exc)
	c.many = many
	return c, nil
}

// NewCheckerFrom builds a Checker from lists in memory.
func NewCheckerFrom(dir *directory.Directory, list []Term, rules map[Scope]Rule, exc []Exception) *Checker {
	c := &Checker{dir: dir, rules: rules, exceptions: map[Scope]map[string]time.Time{}, many: DefaultManyContacts, now: time.Now}
	index := map[string]int{}
	var pats []string
	for _, t := range list {
		n := Normalize(t.Text)
		if n == "" {
			continue
		}
		i, ok := index[n]
		if !ok {
			i = len(pats)
			index[n] = i
			pats = append(pats, n)
			c.entries = append(c.entries, nil)
		}
		c.entries[i] = append(c.entries[i], entry{scope: t.Scope, term: t.Text, weight: t.Weight})
	}
	c.matcher = NewMatcher(pats)
	for _, e := range exc {
		if c.exceptions[e.Scope] == nil {
			c.exceptions[e.Scope] = map[string]time.Time{}
		}
		c.exceptions[e.Scope][Normalize(e.Text)] = e.Until
	}
	return c
}

// SetClock replaces time.Now, for exceptions' end times in tests.
func (c *Checker) SetClock(now func() time.Time) { c.now = now }

// SetManyContacts sets how many phone numbers or postal addresses count as
// personal data.
func (c *Checker) SetManyContacts(n int) { c.many = n }

// Leak is one scope that a message leaves carrying that scope's terms.
type Leak struct {
	Scope      Scope
	Recipient  string // the first recipient outside the scope
	Terms      []string
	Mean       float64
	Restricted bool
	// Attachments names the attachments that hold a matched term (their
	// names or their text); OnlyAttachments is set when the subject and
	// body hold none.
	Attachments     []string
	OnlyAttachments bool
}

// Leaks returns, for every applicable scope with matched terms, what
// matched, restricted or not. Scopes come in the order department, groups,
// organisation.
func (c *Checker) Leaks(msg *mail.Message) []Leak {
	scopes := c.applicable(msg)
	if len(scopes) == 0 || c.matcher.Len() == 0 {
		return nil
	}
	parts := []string{msg.Subject, msg.Text}
	for _, a := range msg.Attachments {
		parts = append(parts, a.Filename, a.Text)
	}
	found := c.matcher.Match(Prepare(parts...))
	if len(found) == 0 {
		return nil
	}
	now := c.now()
	where := c.where(msg)
	var leaks []Leak
	for _, sc := range scopes {
		var terms []string
		var weights []float64
		var counted []int
		for _, i := range found {
			for _, e := range c.entries[i] {
				if e.scope != sc.scope {
					continue
				}
				if until, ok := c.exceptions[sc.scope][c.matcher.patterns[i].norm]; ok && now.Before(until) {
					continue
				}
				terms = append(terms, e.term)
				weights = append(weights, e.weight)
				counted = append(counted, i)
			}
		}
		if len(terms) == 0 {
			continue
		}
		atts, only := where.attachments(counted)
		rule, ok := c.rules[sc.scope]
		if !ok {
			rule = Rule{Scope: sc.scope, MeanAtLeast: DefaultThreshold}
		}
		restricted, mean := rule.Restricted(weights)
		leaks = append(leaks, Leak{Scope: sc.scope, Recipient: sc.recipient, Terms: terms, Mean: mean, Restricted: restricted,
			Attachments: atts, OnlyAttachments: only})
	}
	return leaks
}

// termPlaces tells where in a message the matcher's patterns were found:
// the subject and body, and each attachment by name.
type termPlaces struct {
	body  map[int]bool
	names []string
	atts  []map[int]bool
}

// where matches the subject and body and each attachment on their own.
// It is called only once a term matched the whole message, so mail without
// confidential terms costs nothing more.
func (c *Checker) where(msg *mail.Message) termPlaces {
	set := func(found []int) map[int]bool {
		m := make(map[int]bool, len(found))
		for _, i := range found {
			m[i] = true
		}
		return m
	}
	w := termPlaces{body: set(c.matcher.Match(Prepare(msg.Subject, msg.Text)))}
	for _, a := range msg.Attachments {
		if len(w.atts) >= maxNamedAttachments {
			break
		}
		if found := c.matcher.Match(Prepare(a.Filename, a.Text)); len(found) > 0 {
			w.names = append(w.names, attach.Name(a))
			w.atts = append(w.atts, set(found))
		}
	}
	return w
}

// maxNamedAttachments bounds the attachments a finding names.
const maxNamedAttachments = 10

// attachments names the attachments holding any of patterns, and tells
// whether the subject and body hold none of them.
func (w termPlaces) attachments(patterns []int) (names []string, only bool) {
	only = true
	for _, i := range patterns {
		if w.body[i] {
			only = false
		}
	}
	for k, found := range w.atts {
		for _, i := range patterns {
			if found[i] {
				names = append(names, w.names[k])
				break
			}
		}
	}
	return names, only && len(names) > 0
}

type applicableScope struct {
	scope     Scope
	recipient string
}

// applicable lists the scopes whose lists apply to msg, each with the first
// recipient outside it.
func (c *Checker) applicable(msg *mail.Message) []applicableScope {
	rcpts := msg.Recipients()
	if len(rcpts) == 0 {
		return nil
	}
	firstOutside := func(inside func(addr string) bool) string {
		for _, r := range rcpts {
			if !inside(r.Addr) {
				return r.Addr
			}
		}
		return ""
	}
	var out []applicableScope
	sender := msg.From.Addr
	if dept := c.dir.DepartmentOf(sender); dept != "" {
		if r := firstOutside(func(a string) bool { return c.dir.InDepartment(a, dept) }); r != "" {
			out = append(out, applicableScope{DepartmentScope(dept), r})
		}
	}
	for _, g := range c.dir.GroupsOf(sender) {
		if r := firstOutside(func(a string) bool { return c.dir.InGroup(a, g) }); r != "" {
			out = append(out, applicableScope{GroupScope(g), r})
		}
	}
	if r := firstOutside(c.dir.IsInternal); r != "" {
		out = append(out, applicableScope{Scope(Organization), r})
	}
	return out
}

// CheckContent implements detect.ContentChecker: one CONFIDENTIAL_TERMS
// finding per restricted scope, and one PERSONAL_DATA finding when personal
// data leaves the organisation.
func (c *Checker) CheckContent(msg *mail.Message) []finding.Finding {
	var fs []finding.Finding
	for _, l := range c.Leaks(msg) {
		if !l.Restricted {
			continue
		}
		w := RoundWeight(l.Mean)
		// The sentence names the scope and the reason, never a term (paper
		// §3.3.1: lists are not revealed to senders); the attachments that
		// hold terms are named, for operators and as a hint to the sender.
		args, key := scopeArgs(l.Scope, l.Recipient), "confidential_terms"
		if len(l.Attachments) > 0 {
			args["attachments"] = strings.Join(l.Attachments, ", ")
			if l.OnlyAttachments {
				args["file"], key = l.Attachments[0], "confidential_terms.attachment"
			}
		}
		fs = append(fs, finding.Finding{
			Code:      finding.ConfidentialTerms,
			Severity:  finding.High,
			Recipient: l.Recipient,
			Scope:     string(l.Scope),
			Weight:    &w,
			Terms:     l.Terms,
		}.Say(key, args).Suggest("suggest.confidential"))
	}
	if f, ok := c.personalData(msg); ok {
		fs = append(fs, f)
	}
	return fs
}

func (c *Checker) personalData(msg *mail.Message) (finding.Finding, bool) {
	var external string
	for _, r := range msg.Recipients() {
		if !c.dir.IsInternal(r.Addr) {
			external = r.Addr
			break
		}
	}
	if external == "" {
		// Personal data between colleagues is ordinary HR and sales work;
		// the risk misend guards against is it leaving the organisation.
		return finding.Finding{}, false
	}
	texts := []string{msg.Subject, msg.Text}
	for _, a := range msg.Attachments {
		texts = append(texts, a.Text)
	}
	pd := FindPersonalData(texts...)
	if !pd.Flagged(c.many) {
		return finding.Finding{}, false
	}
	sev := finding.Medium
	if pd.MyNumbers > 0 || pd.Cards > 0 {
		sev = finding.High
	}
	args, key := pd.args(c.many), "personal_data"
	if atts := c.personalAttachments(msg, pd); len(atts) > 0 {
		args["attachments"] = strings.Join(atts, ", ")
		if !FindPersonalData(msg.Subject, msg.Text).Flagged(c.many) {
			args["file"], key = atts[0], "personal_data.attachment"
		}
	}
	return finding.Finding{Code: finding.PersonalData, Severity: sev, Recipient: external}.
		Say(key, args).Suggest("suggest.personal_data"), true
}

// personalAttachments names the attachments that hold any of the kinds of
// personal data that made the message flagged.
func (c *Checker) personalAttachments(msg *mail.Message, flagged PersonalData) []string {
	var names []string
	for _, a := range msg.Attachments {
		if a.Text == "" || len(names) >= maxNamedAttachments {
			continue
		}
		p := FindPersonalData(a.Text)
		if p.MyNumbers > 0 || p.Cards > 0 ||
			(flagged.Phones >= c.many && p.Phones > 0) || (flagged.PostalAddress >= c.many && p.PostalAddress > 0) {
			names = append(names, attach.Name(a))
		}
	}
	return names
}

// RoundWeight rounds a weight to the three decimals weights are written
// with, half away from zero as the paper does (0.3905 → 0.391). It first
// rounds away binary noise (0.3905 is 0.39049999… as a float64).
func RoundWeight(w float64) float64 {
	return math.Round(math.Round(w*1e6)/1e3) / 1e3
}

// scopeArgs are the finding catalogue's arguments naming scope s (its kind as
// a fragment key, its name) and the recipient outside it.
func scopeArgs(s Scope, recipient string) finding.Args {
	args := finding.Args{"scope": "scope.organization", "recipient": recipient}
	switch s.Kind() {
	case Department:
		args["scope"], args["scope_name"] = "scope.department", s.Name()
	case Group:
		args["scope"], args["scope_name"] = "scope.group", s.Name()
	}
	return args
}
