package decide

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/misend/misend/internal/attach"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/label"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/stamp"
)

// Detector scores one parsed message as if sent at now: behaviour and
// content findings, and a score in [0,1]. It must not keep running after it
// returned (Decide calls it on the caller's goroutine), should stop at the
// decision's deadline (ContextDetector) and must bound its own work (detect.Detector checks at most 200 recipients of a message
// already capped by mail.Limits).
type Detector interface {
	Detect(msg *mail.Message, now time.Time) (score float64, findings []finding.Finding)
}

// ContextDetector is a Detector that does all Decide can use, and Decide
// calls it so when the Detector is one (check.Detector is):
//   - it gives up once ctx is done, returning ctx's error, so a decision
//     past its deadline stops costing CPU instead of running on after its
//     fail-safe answer;
//   - it takes the policy the decision uses (nil: none), whose trusted
//     outside domains count as known (detect.Detector.CheckWith), so the
//     findings, the score and the verdict come from one policy even while an
//     administrator changes it;
//   - it returns the feature vector the score came from, which the
//     decision keeps so the weights can be fitted again on what people
//     later answered (package refit).
type ContextDetector interface {
	Detector
	DetectContext(ctx context.Context, msg *mail.Message, now time.Time, pol *policy.Config) (Detection, error)
}

// Detection is what a ContextDetector found in one message.
type Detection struct {
	Score    float64
	Findings []finding.Finding
	// Features is the vector the score came from, FeatureSet the name of
	// what its features mean (detect.FeatureSet), so a vector is only ever
	// fitted on by a build that reads it alike. Shown to nobody.
	Features   []float64
	FeatureSet string
}

// DetectorFunc is a Detector written as a function.
type DetectorFunc func(msg *mail.Message, now time.Time) (float64, []finding.Finding)

// Detect implements Detector.
func (f DetectorFunc) Detect(msg *mail.Message, now time.Time) (float64, []finding.Finding) {
	return f(msg, now)
}

// ContentChecker finds what a message must not carry out of a scope
// (confidential terms, personal data), for the message's From.
// detect.ContentChecker and terms.Live are ones.
type ContentChecker interface {
	CheckContent(msg *mail.Message) []finding.Finding
}

// People is what Decide needs of the directory.
type People interface {
	// PersonOf returns the main address of the person whose address or
	// alias addr is; ok is false for anyone not in the directory.
	PersonOf(addr string) (person string, ok bool)
	DepartmentOf(addr string) string
	IsInternal(addr string) bool
}

// Path is the one decision path. Safe for concurrent use once set up.
type Path struct {
	Detector Detector
	// Content are the content checkers the Detector runs for the header
	// From. When the message was sent by someone else (a forged From, a
	// delegate), Decide runs them once more as that person, so a From:
	// line cannot choose which confidential-term lists apply.
	Content []ContentChecker
	// Policy is the policy in force; each decision takes its Config once
	// (policy.Policy.Current), so a change applies from the next message
	// without a lock on the way.
	Policy *policy.Policy
	People People      // nil: nobody is known, every sender is taken as written
	Limits mail.Limits // zero means mail.DefaultLimits
	// Timeout bounds one decision; 0 means 2 s, well inside Postfix's
	// 30 s milter command timeout. A decision past it fails safe.
	Timeout time.Duration
	Now     func() time.Time // nil means time.Now
	// Parse reads a message; nil means mail.ParseBytes.
	Parse func(raw []byte, lim mail.Limits) (*mail.Message, error)
	// Attachments bounds reading inside attachments (package attach);
	// zero fields take attach.DefaultLimits.
	Attachments attach.Limits
	// Stamps verifies the confirmation stamps of Envelope.Stamps; nil:
	// stamps are neither honoured nor counted.
	Stamps *stamp.Keys
}

// Decide decides on raw, the message as it will leave, sent with env.
// It never fails silently: a message that cannot be parsed or checked
// within the deadline, or a detector that panics, gets the sender's
// department's fail-safe decision with Err set.
func (p *Path) Decide(ctx context.Context, env Envelope, raw []byte) Result {
	ctx, cancel := p.deadline(ctx)
	defer cancel()
	msg, err := p.parse(raw)
	if err != nil {
		return p.failSafe(p.Policy.Current(), env, "", fmt.Errorf("parse: %w", err))
	}
	return p.decide(ctx, env, msg)
}

// DecideMessage decides on a message already parsed (`misend check`
// reading a mailbox), exactly as Decide would on its octets.
func (p *Path) DecideMessage(ctx context.Context, env Envelope, msg *mail.Message) Result {
	ctx, cancel := p.deadline(ctx)
	defer cancel()
	return p.decide(ctx, env, msg)
}

func (p *Path) deadline(ctx context.Context) (context.Context, context.CancelFunc) {
	t := p.Timeout
	if t <= 0 {
		t = 2 * time.Second
	}
	return context.WithTimeout(ctx, t)
}

func (p *Path) parse(raw []byte) (msg *mail.Message, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	if p.Parse != nil {
		return p.Parse(raw, p.Limits)
	}
	return mail.ParseBytes(raw, p.Limits) // keeps nothing of raw
}

func (p *Path) decide(ctx context.Context, env Envelope, parsed *mail.Message) (res Result) {
	pol := p.Policy.Current()
	who := p.identify(env, parsed.From.Addr)
	defer func() {
		if v := recover(); v != nil {
			res = p.failSafe(pol, env, parsed.From.Addr, fmt.Errorf("detect: panic: %v", v))
		}
	}()
	if err := ctx.Err(); err != nil {
		return p.failSafe(pol, env, parsed.From.Addr, fmt.Errorf("detect: %w", err))
	}
	msg, outside := p.prepare(parsed, env)
	// Confidential terms, personal data and names are checked in what
	// the attachments hold, not only in their names.
	msg.Attachments = attach.Fill(ctx, msg.Attachments, p.Attachments)
	now := env.At
	if now.IsZero() {
		now = p.now()
	}
	det, err := p.detect(ctx, msg, now, pol)
	if err != nil {
		return p.failSafe(pol, env, parsed.From.Addr, fmt.Errorf("detect: gave up: %w", err))
	}
	score, fs := det.Score, slices.Clip(det.Findings)
	for _, person := range who.persons {
		if person == who.from {
			continue // the Detector checked the From's lists
		}
		// The lists of the person who sent it apply as well as those of
		// the From's person (if any): the stricter of the two.
		as := *msg
		as.From = mail.Address{Addr: person}
		for _, c := range p.Content {
			for _, f := range c.CheckContent(&as) {
				if !hasScope(fs, f) {
					fs = append(fs, f)
				}
			}
		}
	}
	if err := ctx.Err(); err != nil {
		// Bounded work that still overran: the policy's fail-safe, as
		// for any detector that does not answer in time.
		return p.failSafe(pol, env, parsed.From.Addr, fmt.Errorf("detect: no answer within the deadline: %w", err))
	}
	if outside {
		// What cannot be read, or needs a password, leaves unchecked.
		// Between colleagues it stays inside and says nothing.
		fs = append(fs, attach.Findings(msg.Attachments, p.firstOutside(msg))...)
	}
	// Labels are judged inside the organisation too: 極秘 may be kept to
	// a department.
	fs = append(fs, label.Findings(msg, pol, p.department(who.sender), scopes{p})...)
	if who.person && who.fromPerson && who.sender != who.from {
		// Mail in another insider's name: the one who sent it confirms it
		// and is told about it, not the one it names.
		fs = append(fs, finding.Finding{Code: finding.SentAs, Severity: finding.Info}.
			Say("sent_as", finding.Args{"submitter": who.sender, "from": who.from}))
	}
	if fs == nil {
		fs = []finding.Finding{}
	}
	evaluate := func(score float64, fs []finding.Finding) (policy.Decision, string) {
		dept := p.department(who.sender)
		decision := pol.Evaluate(dept, score, fs)
		for _, person := range who.persons[min(1, len(who.persons)):] {
			if d := p.department(person); d != dept {
				if other := pol.Evaluate(d, score, fs); other.Verdict.Stricter(decision.Verdict) {
					decision, dept = other, d
				}
			}
		}
		return decision, dept
	}
	confirmed, checks, fs := p.stamps(env.Stamps, who, msg, now, fs)
	decision, dept := evaluate(score, fs)
	if len(confirmed) > 0 {
		fs, decision, dept = waive(confirmed, score, fs, decision, dept, evaluate)
	}
	if p.exempt(pol, env, who, parsed.From.Addr) {
		decision = decision.AsExempt()
	}
	return Result{
		MessageID: msg.MessageID, Sender: who.sender, SenderKnown: who.person, Subject: msg.Subject,
		Department: dept, Decision: decision, Score: score, Findings: fs, Outside: outside, Stamps: checks,
		Features: det.Features, FeatureSet: det.FeatureSet, Message: parsed,
	}
}

// exempt reports whether the message comes from an exempt sender: every
// name it goes by (the login, the envelope sender, the header From and the
// person they resolve to) is on the policy's list and inside the
// organisation. One name off the list is enough to decide as for anyone:
// a person cannot borrow noreply@ as a From: line or envelope sender to
// send past misend, and no outsider is ever exempt.
func (p *Path) exempt(pol *policy.Config, env Envelope, who identity, from string) bool {
	if len(pol.ExemptSenders) == 0 || p.People == nil {
		return false
	}
	names := []string{who.sender, env.From, from}
	if l := strings.ToLower(strings.TrimSpace(env.Login)); l != "" {
		if !strings.Contains(l, "@") {
			if _, dom, ok := strings.Cut(strings.ToLower(env.From), "@"); ok {
				l += "@" + dom
			}
		}
		names = append(names, l)
	}
	n := 0
	for _, a := range names {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == "" {
			continue
		}
		if !pol.Exempt(a) || !p.People.IsInternal(a) {
			return false
		}
		n++
	}
	return n > 0
}

// detect runs the Detector, as a ContextDetector when it is one.
func (p *Path) detect(ctx context.Context, msg *mail.Message, now time.Time, pol *policy.Config) (Detection, error) {
	if d, ok := p.Detector.(ContextDetector); ok {
		return d.DetectContext(ctx, msg, now, pol)
	}
	score, fs := p.Detector.Detect(msg, now)
	return Detection{Score: score, Findings: fs}, nil
}

// prepare returns the message as detection must see it, leaving parsed
// alone: envelope recipients missing from To and Cc count as Bcc, a
// message without From is judged as from the envelope sender, and every
// recipient address that is a route is replaced by where it leads
// (mail.Route). outside tells whether any recipient is outside the
// organisation.
func (p *Path) prepare(parsed *mail.Message, env Envelope) (msg *mail.Message, outside bool) {
	m := *parsed
	if m.From.Addr == "" && env.From != "" {
		m.From = mail.Address{Addr: strings.ToLower(env.From)}
	}
	seen := make(map[string]bool)
	for _, a := range m.Recipients() {
		seen[a.Addr] = true
	}
	m.Bcc = slices.Clone(m.Bcc)
	for _, r := range env.To {
		r = strings.ToLower(r)
		if r != "" && !seen[r] {
			seen[r] = true
			m.Bcc = append(m.Bcc, mail.Address{Addr: r})
		}
	}
	dest := func(list []mail.Address) []mail.Address {
		var out []mail.Address
		for i, a := range list {
			d, routed := mail.Route(a.Addr)
			if routed {
				if out == nil {
					out = slices.Clone(list)
				}
				out[i].Addr = strings.ToLower(d)
			}
			if routed || p.People == nil || !p.People.IsInternal(d) {
				outside = true
			}
		}
		if out == nil {
			return list
		}
		return out
	}
	m.To, m.Cc, m.Bcc = dest(m.To), dest(m.Cc), dest(m.Bcc)
	return &m, outside
}

// firstOutside is the first recipient outside the organisation (or whose
// address is a route), "" if none is known.
func (p *Path) firstOutside(msg *mail.Message) string {
	for _, r := range msg.Recipients() {
		if _, routed := mail.Route(r.Addr); routed || p.People == nil || !p.People.IsInternal(r.Addr) {
			return r.Addr
		}
	}
	return ""
}

// scopes tells label.Findings who is outside a scope, by the directory.
type scopes struct{ p *Path }

// Outside implements label.Recipients. A route leaves every scope; with no
// directory, every recipient is outside.
func (s scopes) Outside(msg *mail.Message, scope, dept string) string {
	for _, r := range msg.Recipients() {
		_, routed := mail.Route(r.Addr)
		switch {
		case routed || s.p.People == nil || !s.p.People.IsInternal(r.Addr):
			return r.Addr
		case scope == policy.ScopeDepartment && s.p.People.DepartmentOf(r.Addr) != dept:
			return r.Addr
		}
	}
	return ""
}

// hasScope reports whether fs already has a finding of f's code and scope
// (the same list found twice).
func hasScope(fs []finding.Finding, f finding.Finding) bool {
	return slices.ContainsFunc(fs, func(g finding.Finding) bool {
		return g.Code == f.Code && g.Scope == f.Scope && g.Recipient == f.Recipient
	})
}

// failSafe is the decision for a message that could not be decided on:
// the fail-safe of the department of whoever the envelope (or the From,
// when it parsed) says sent it, under pol, the policy the decision took:
// one changed meanwhile applies from the next message, as for any other.
func (p *Path) failSafe(pol *policy.Config, env Envelope, from string, err error) Result {
	who := p.identify(env, from)
	dept := p.department(who.sender)
	return Result{Sender: who.sender, SenderKnown: who.person, Department: dept, Decision: pol.FailSafe(dept),
		Findings: []finding.Finding{}, Outside: true, Err: err}
}

func (p *Path) department(addr string) string {
	if p.People == nil || addr == "" {
		return ""
	}
	return p.People.DepartmentOf(addr)
}

func (p *Path) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}
