// Package notify writes the mails misend sends about a waiting message: to
// the sender, asking to confirm, or telling of a delay, with a cancel link;
// to the department's approvers, asking to release or reject a hold; and,
// for held mail nobody decides on (package approval), to the deputies or
// the next level it is passed on to, and to the sender and everyone asked
// once its deadline passed. Links are HMAC-signed and expire. Handler
// serves those links. Times are shown in each reader's time zone, named.
//
// Mails are in Japanese or English by the recipient's setting and name the
// reason in the sender's words (finding.SenderView): never a confidential
// list's terms. They leave through misend's queue like any relayed mail.
//
// It deliberately does not decide anything and does not keep state: the
// queue owns the message, the link carries the rest.
package notify

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
)

// Outbox sends a notification (the queue, delivering at once).
type Outbox interface {
	Send(ctx context.Context, m Mail) error
}

// People tells a recipient's language, a department's approvers and who
// is who (the directory).
type People interface {
	LangOf(addr string) string // "ja", "en" or ""
	ApproversOf(dept string) []string
	// PersonOf returns the address of the person who has addr as their
	// address or an alias; addr, lower-cased, when nobody has it.
	PersonOf(addr string) string
}

// Roster is a People that tells whether anyone has an address now.
// With one, the notice of an approver's decision, which may come days
// after the hold, goes only to an address someone still has.
type Roster interface {
	Has(addr string) bool
}

// Namer is a People that also knows names: approval requests then name
// the sender as colleagues know them, not only by address.
type Namer interface {
	NameOf(addr string) string
}

// Notifier sends notifications about waiting messages.
type Notifier struct {
	Signer  *Signer
	Outbox  Outbox
	People  People // optional: default language, no approvers
	From    string // e.g. misend@corp.example
	BaseURL string // where Handler is mounted, e.g. https://misend.corp.example
	// DefaultLang is used when People has no setting: "ja" or "en".
	DefaultLang string
	// Location is the organisation's time zone, for times in notices to
	// people without one of their own (Zoner); nil: JST in Japanese
	// notices, UTC in English ones.
	Location *time.Location
	// TTL is how long links stay valid; 0 means 72 hours.
	TTL time.Duration
	Now func() time.Time
}

// Waiting describes a message waiting in misend's queue.
type Waiting struct {
	QueueID    string
	Sender     string
	Department string
	Recipients []string
	Subject    string // the sender's own subject
	Decision   policy.Decision
	Findings   []finding.Finding
	ReleaseAt  time.Time // for delays

	// The approval lifecycle (package approval), for held mail; zero
	// values leave it unsaid.
	HeldAt time.Time // when it was held
	// Deadline is when the final action (FinalAction: "return" or
	// "reject") is taken if nobody decides.
	Deadline    time.Time
	FinalAction string
	// SelfReleaseAt, set for a department without an approver, is when
	// the sender may release it: they are sent a release link and no
	// approver is asked.
	SelfReleaseAt time.Time
}

// ErrNoApprovers means a held message has nobody to release it.
var ErrNoApprovers = errors.New("notify: no approvers for department")

// ErrGone means a notice was not sent because nobody in the directory has
// its address any more: the person left, or the address was taken from
// them, since the message was held.
var ErrGone = errors.New("notify: nobody in the directory has the address now")

// Notify sends the mails w's verdict calls for: warn, confirm and delay go
// to the sender; hold goes to the approvers, and the sender is told it
// waits. A warned message has already left; its notice has no links.
func (n *Notifier) Notify(ctx context.Context, w Waiting) error {
	switch w.Decision.Verdict {
	case policy.Warn:
		return n.send(ctx, w, w.Sender, kindWarn, nil)
	case policy.Confirm:
		return n.send(ctx, w, w.Sender, kindConfirm, []Action{ActConfirm, ActCancel})
	case policy.Delay:
		return n.send(ctx, w, w.Sender, kindDelay, []Action{ActCancel})
	case policy.Hold:
		if !w.SelfReleaseAt.IsZero() {
			// 一時保留のみ: the sender checks and releases it; no approver.
			return n.send(ctx, w, w.Sender, kindHeldSelf, []Action{ActRelease, ActCancel})
		}
		var approvers []string
		if n.People != nil {
			approvers = othersThan(n.People, w.Sender, n.People.ApproversOf(w.Department))
			if len(approvers) == 0 {
				// The sender is their department's only approver: a hold
				// needs a second person, so it goes to the organisation's.
				approvers = othersThan(n.People, w.Sender, n.People.ApproversOf(""))
			}
		}
		if err := n.send(ctx, w, w.Sender, kindHeldSender, []Action{ActCancel}); err != nil {
			return err
		}
		if len(approvers) == 0 {
			return fmt.Errorf("%w %q (message %s)", ErrNoApprovers, w.Department, w.QueueID)
		}
		// Confidential information is released only with a reason on
		// record, which a link cannot take: the request then points to
		// the approvals page for a release.
		acts := []Action{ActRelease, ActReject}
		if confidential(w.Findings) {
			acts = []Action{ActReject}
		}
		var errs []error
		for _, a := range approvers {
			if err := n.send(ctx, w, a, kindApprove, acts); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
	return nil
}

func confidential(fs []finding.Finding) bool {
	for _, f := range fs {
		if f.Code == finding.ConfidentialTerms {
			return true
		}
	}
	return false
}

// othersThan is addrs without the person who sent the message, through
// whichever of their addresses: an approver mailing from an alias is still
// not the one to release it.
func othersThan(people People, sender string, addrs []string) []string {
	who := strings.ToLower(people.PersonOf(sender))
	out := make([]string, 0, len(addrs))
	for _, a := range addrs {
		if strings.ToLower(people.PersonOf(a)) != who {
			out = append(out, a)
		}
	}
	return out
}

// Decided tells the sender of a held message what its approver decided:
// released (sent) or refused, with the approver's comment. The sender is
// looked up again in the directory as it is now: nobody who lost the
// address since the hold is told there (ErrGone), and a sender whose
// address became an alias is told at their address.
func (n *Notifier) Decided(ctx context.Context, w Waiting, released bool, comment string) error {
	kind := kindRefused
	if released {
		kind = kindReleased
	}
	to, err := n.senderNow(w)
	if err != nil {
		return err
	}
	return n.sendView(ctx, w, to, kind, nil, strings.TrimSpace(comment))
}

// senderNow is where a notice about w reaches its sender as the
// directory has them now: a sender who has left, or whose address nobody
// has any more, is told nothing (ErrGone).
func (n *Notifier) senderNow(w Waiting) (string, error) {
	if n.People == nil {
		return w.Sender, nil
	}
	if r, ok := n.People.(Roster); ok && !r.Has(w.Sender) {
		return "", fmt.Errorf("%w: %s (message %s)", ErrGone, w.Sender, w.QueueID)
	}
	return n.People.PersonOf(w.Sender), nil
}

// Purged tells the sender that their message waited longer than the
// organisation keeps bodies, for an approver (held) or for them, and was
// deleted without being sent; like Decided, only a sender the directory
// still has (ErrGone otherwise).
func (n *Notifier) Purged(ctx context.Context, w Waiting, held bool, waited time.Duration) error {
	to, err := n.senderNow(w)
	if err != nil {
		return err
	}
	days := int(waited.Hours() / 24)
	return n.sendWith(ctx, w, to, kindPurged, nil, "", "", func(v *view) { v.WaitedDays, v.ForApprover = days, held })
}

// DecidedOthers tells the held message's other approvers that decider
// released or refused it, so that nobody opens a request already answered.
// The sender and the one who decided are not told by it.
func (n *Notifier) DecidedOthers(ctx context.Context, w Waiting, decider string, released bool, comment string) error {
	if n.People == nil {
		return nil
	}
	approvers := othersThan(n.People, w.Sender, n.People.ApproversOf(w.Department))
	if len(approvers) == 0 {
		approvers = othersThan(n.People, w.Sender, n.People.ApproversOf(""))
	}
	return n.decidedTo(ctx, w, approvers, decider, released, comment)
}

// DecidedPassedOn tells the people a held message's request was passed on
// to (deputies, the next level; package approval) that decider released
// or refused it, as DecidedOthers tells the department's approvers.
func (n *Notifier) DecidedPassedOn(ctx context.Context, w Waiting, to []string, decider string, released bool, comment string) error {
	if n.People == nil {
		return nil
	}
	return n.decidedTo(ctx, w, othersThan(n.People, w.Sender, to), decider, released, comment)
}

func (n *Notifier) decidedTo(ctx context.Context, w Waiting, approvers []string, decider string, released bool, comment string) error {
	approvers = othersThan(n.People, decider, approvers)
	kind := kindOthersRefused
	if released {
		kind = kindOthersReleased
	}
	var errs []error
	for _, a := range approvers {
		if err := n.sendDecided(ctx, w, a, kind, nil, strings.TrimSpace(comment), decider); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Escalated asks the approvers a held message's request was passed on to
// (deputy: the approvers' deputies; else the next level) to release or
// refuse it, as the first request asked the department's approvers.
func (n *Notifier) Escalated(ctx context.Context, w Waiting, to []string, deputy bool) error {
	acts := []Action{ActRelease, ActReject}
	if confidential(w.Findings) {
		acts = []Action{ActReject}
	}
	var errs []error
	for _, a := range to {
		if n.People != nil {
			if len(othersThan(n.People, w.Sender, []string{a})) == 0 {
				continue // never the sender, whatever the chain says
			}
		}
		if err := n.sendWith(ctx, w, a, kindEscalate, acts, "", "", func(v *view) { v.Deputy = deputy }); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// TimedOut tells the sender of a held message nobody decided on by
// w.Deadline what became of it (returned: it comes back to them unsent;
// else refused), and the approvers who were asked that nothing more needs
// doing.
func (n *Notifier) TimedOut(ctx context.Context, w Waiting, returned bool, approvers []string) error {
	kind := kindExpired
	w.FinalAction = "reject"
	if returned {
		kind, w.FinalAction = kindReturned, "return"
	}
	errs := []error{n.send(ctx, w, w.Sender, kind, nil)}
	if n.People != nil {
		approvers = othersThan(n.People, w.Sender, approvers)
	}
	for _, a := range approvers {
		errs = append(errs, n.send(ctx, w, a, kindTimedOut, nil))
	}
	return errors.Join(errs...)
}

// Zoner is a People that knows each person's time zone (an IANA name):
// times in notices to them are shown in it.
type Zoner interface {
	ZoneOf(addr string) string
}

// locOf is the time zone of notices to addr: their own, else the
// organisation's (Location), else nil (JST for Japanese, UTC otherwise).
func (n *Notifier) locOf(addr string) *time.Location {
	if z, ok := n.People.(Zoner); ok && addr != "" {
		if name := z.ZoneOf(addr); name != "" {
			if loc, ok := zoneNamed(name); ok {
				return loc
			}
		}
	}
	return n.Location
}

// langOf is the language of notices to addr: their own, else the default;
// a directory's "ja-JP" is Japanese.
func (n *Notifier) langOf(addr string) string {
	lang := n.DefaultLang
	if n.People != nil {
		if l := n.People.LangOf(addr); l != "" {
			lang = l
		}
	}
	if l := strings.ToLower(lang); l == "ja" || strings.HasPrefix(l, "ja-") || strings.HasPrefix(l, "ja_") {
		return "ja"
	}
	return "en"
}

func (n *Notifier) nameOf(addr string) string {
	if nm, ok := n.People.(Namer); ok && addr != "" {
		return oneLine(nm.NameOf(addr))
	}
	return ""
}

func (n *Notifier) send(ctx context.Context, w Waiting, to string, kind noticeKind, acts []Action) error {
	return n.sendView(ctx, w, to, kind, acts, "")
}

func (n *Notifier) sendView(ctx context.Context, w Waiting, to string, kind noticeKind, acts []Action, comment string) error {
	return n.sendDecided(ctx, w, to, kind, acts, comment, "")
}

func (n *Notifier) sendDecided(ctx context.Context, w Waiting, to string, kind noticeKind, acts []Action, comment, decider string) error {
	return n.sendWith(ctx, w, to, kind, acts, comment, decider, nil)
}

// sendWith renders and queues one notice; more, if set, fills the view's
// fields particular to its kind.
func (n *Notifier) sendWith(ctx context.Context, w Waiting, to string, kind noticeKind, acts []Action, comment, decider string, more func(*view)) error {
	now := time.Now()
	if n.Now != nil {
		now = n.Now()
	}
	ttl := n.TTL
	if ttl <= 0 {
		ttl = 72 * time.Hour
	}
	lang := n.langOf(to)
	// The subject is the sender's text: one line, bounded, whatever came in.
	w.Subject = oneLine(w.Subject)
	if len(w.Subject) > 200 {
		w.Subject = truncateUTF8(w.Subject, 200) + "…"
	}
	links := make([]link, 0, len(acts))
	for _, a := range acts {
		tok := n.Signer.Sign(Grant{Action: a, QueueID: w.QueueID, Actor: to, Expires: now.Add(ttl)})
		links = append(links, link{Action: a, URL: strings.TrimRight(n.BaseURL, "/") + "/act/" + url.PathEscape(tok)})
	}
	v := view{
		Waiting: w, Comment: oneLine(comment), Reasons: finding.LocalizeAll(finding.SenderView(w.Findings), lang), Links: links, Expires: now.Add(ttl),
		SenderName: n.nameOf(w.Sender), Decider: decider, DeciderName: n.nameOf(decider),
		ApprovalsURL: strings.TrimRight(n.BaseURL, "/") + "/approvals",
		Loc:          n.locOf(to),
	}
	if kind == kindApprove || kind == kindOthersReleased || kind == kindOthersRefused || kind == kindEscalate || kind == kindTimedOut {
		// Approvers read about the sender, not as the sender.
		v.Reasons = finding.LocalizeAbout(finding.SenderView(w.Findings), lang)
	}
	if more != nil {
		more(&v)
	}
	subj, body, err := render(lang, kind, v)
	if err != nil {
		return err
	}
	raw, err := compose(n.From, []string{to}, subj, body, now)
	if err != nil {
		return err
	}
	if err := n.Outbox.Send(ctx, Mail{From: n.From, To: []string{to}, Raw: raw}); err != nil {
		return fmt.Errorf("notify: send %s notice for %s to %s: %w", kind, w.QueueID, to, err)
	}
	return nil
}

func truncateUTF8(s string, n int) string {
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// zones caches time zones by name: time.LoadLocation reads the zoneinfo
// file on every call, and every notice to a person with their own zone
// would.
var zones sync.Map // name → *time.Location

func zoneNamed(name string) (*time.Location, bool) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), true
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	zones.Store(name, loc)
	return loc, true
}
