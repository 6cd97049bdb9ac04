// Package held is what the web UI, the HTTP API and the signed links in
// notices use to see and act on mail waiting in misend's queue: messages
// held for an approver, waiting for their sender's confirmation, or
// delayed.
//
// Every action goes through a Service, which decides who may act — as a
// person, not an address: a person's directory aliases are the same
// person, and what counts is the directory in force and the person's
// account now, not what was true when a page was shown or a link signed:
//
//   - a sender lists their own waiting mail (ForSender), confirms each
//     flagged recipient (ConfirmRecipient; when every flagged recipient is
//     confirmed the message leaves), confirms the whole message (Confirm),
//     drops a recipient (DropRecipient) or cancels (Cancel), and may send
//     a delayed message now (Release);
//   - an approver of the message's department lists its waiting mail
//     (ForDepartments) and releases (Release) or refuses it with a comment
//     (Reject) — never mail held for their own sending (four eyes);
//   - the sender and the department's approvers read a body (Body);
//   - the retention sweep ends mail that waited for an approver or its
//     sender longer than the organisation keeps bodies (Purge): it is
//     not sent, never released by default;
//   - when nobody decides in time (package approval, through Lifecycle),
//     misend itself passes the request on (Escalate: the people it goes
//     to may then decide and read it), returns the message to its sender
//     alone (Return) or refuses it (Expire); a department without
//     approvers lets its senders Release their own held mail after a
//     delay.
//
// Each action and each body read is handed to the audit hook before it
// takes effect: an action that cannot be recorded does not happen.
//
// Item carries findings in the sender view (confidential-list terms
// removed) or the operator view, as the caller asks. The package sends no
// mail itself: the Changed hook tells the rest of misend what happened.
package held

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
)

// View says whose eyes an Item is for.
type View int

const (
	// SenderView removes operator-only finding fields (matched
	// confidential-list terms): for senders, and anything they may see.
	SenderView View = iota
	// OperatorView keeps every field: for approvers, operators, auditors.
	OperatorView
)

// Recipient is one envelope recipient of a waiting message.
type Recipient struct {
	Addr      string `json:"addr"`
	Flagged   bool   `json:"flagged"`   // a finding names it; the sender must confirm it
	Confirmed bool   `json:"confirmed"` // the sender confirmed it
}

// Item is a waiting message as people see it.
type Item struct {
	ID           string            `json:"id"`
	State        queue.State       `json:"state"` // held, confirming or delayed; after an action also queued, cancelled, rejected
	Verdict      policy.Verdict    `json:"verdict"`
	Score        float64           `json:"score"`
	Sender       string            `json:"sender"`        // header From
	EnvelopeFrom string            `json:"envelope_from"` // MAIL FROM
	Department   string            `json:"department"`
	Subject      string            `json:"subject"`
	Recipients   []Recipient       `json:"recipients"`
	Dropped      []string          `json:"dropped,omitempty"`
	Findings     []finding.Finding `json:"findings"`
	Created      time.Time         `json:"created"`
	ReleaseAt    time.Time         `json:"release_at,omitzero"` // when a delayed message leaves by itself
	By           string            `json:"by,omitempty"`        // who acted last
	Comment      string            `json:"comment,omitempty"`   // an approver's reason for a reject
	// Stage counts the passes of a held message's approval request to the
	// next approvers (deputies, the next level) because nobody decided.
	Stage int `json:"stage,omitempty"`
}

// Reader is who reads a body, for the audit log.
type Reader struct {
	Addr   string // the person's address (login)
	Role   string // e.g. "sender", "approver", "operator", "auditor"
	Reason string // optional, e.g. "approval"
}

// BodyRead is one human view of a held body.
type BodyRead struct {
	ID         string
	Subject    string
	Sender     string
	Department string
	Reader     Reader
	At         time.Time
}

// Action is what was done to a waiting message.
type Action string

// Actions reported to Changed.
const (
	Confirmed Action = "confirm"        // a recipient or the whole message was confirmed
	Dropped   Action = "drop-recipient" // a recipient was removed
	Released  Action = "release"        // the message left the waiting states for delivery
	Cancelled Action = "cancel"
	Rejected  Action = "reject"
	// Purged: the retention sweep ended a message nobody decided on in
	// time; it was not sent.
	Purged Action = "purge"
)

// Change is one action on a waiting message, for notifications and logs.
type Change struct {
	Action  Action
	Item    Item   // after the action, operator view
	By      string // the acting person's address
	Comment string
	// BySender: the person who acted sent the message (through any of
	// their addresses).
	BySender bool
}

// Errors callers may test for (with errors.Is).
var (
	ErrNotFound = queue.ErrNotFound // no such message, or not a message people act on
	ErrState    = queue.ErrState    // the message is not in a state that allows this
	// ErrNotRecipient means the address is not a recipient of the message.
	ErrNotRecipient = errors.New("held: not a recipient of this message")
	// ErrNotFlagged means the recipient needs no confirmation.
	ErrNotFlagged = errors.New("held: recipient is not flagged")
	// ErrOwnMessage means an approver tried to release or reject a message
	// held for their own sending: a hold needs a second person.
	ErrOwnMessage = errors.New("held: a held message is released or rejected by an approver other than its sender")
	// ErrNotAllowed means the person may not do this to this message: not
	// its sender, not an approver of its department (any more), or no
	// longer a person misend knows.
	ErrNotAllowed = errors.New("held: not allowed to act on this message")
	// ErrNoAudit means bodies cannot be read: no audit hook is configured.
	ErrNoAudit = errors.New("held: no audit log configured; bodies are not shown")
)

// Holds is the interface Service implements, for callers that want a seam.
type Holds interface {
	ForSender(ctx context.Context, addr string, v View) ([]Item, error)
	ForDepartments(ctx context.Context, depts []string, v View) ([]Item, error)
	All(ctx context.Context, v View) ([]Item, error)
	Get(ctx context.Context, id string, v View) (Item, error)
	Sent(it Item, p *auth.Principal) bool
	MayDecide(it Item, p *auth.Principal) bool
	Body(ctx context.Context, id string, by Actor, reason string) ([]byte, error)
	ConfirmRecipient(ctx context.Context, id, rcpt string, by Actor) (Item, error)
	Confirm(ctx context.Context, id string, by Actor) (Item, error)
	DropRecipient(ctx context.Context, id, rcpt string, by Actor) (Item, error)
	Release(ctx context.Context, id string, by Actor, comment string) (Item, error)
	ReleaseExcept(ctx context.Context, id string, by Actor, drop []string, comment string) (Item, error)
	Cancel(ctx context.Context, id string, by Actor) (Item, error)
	Reject(ctx context.Context, id string, by Actor, comment string) (Item, error)
}

// Service acts on misend's queue.
type Service struct {
	Queue *queue.Queue
	// People says who is who now (auth.Service). Without it every
	// address is a person of its own and links cannot act (ActorFor
	// fails): nobody can be re-checked.
	People People
	// Audit records a human view of a body. Body refuses to return a body
	// when it is nil or fails: no unlogged reads.
	Audit func(ctx context.Context, r BodyRead) error
	// Record records an action before it takes effect; when it fails the
	// action is not taken. Without it actions are recorded only in the
	// spool's metadata (who acted last).
	Record func(ctx context.Context, r ActionRecord) error
	// Changed, if set, is told of every action after it is stored.
	Changed func(ctx context.Context, c Change)
	// Lifecycle, if set, lets the people a held message's request was
	// passed on to decide it, and senders of departments without an
	// approver release their own held mail after a delay.
	Lifecycle Lifecycle
	Now       func() time.Time
}

var _ Holds = (*Service)(nil)

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// people reports whether it is mail people act on: waiting, not misend's own.
func people(it *queue.Item) bool { return !it.System && it.State.Waiting() }

func lower(a string) string { return strings.ToLower(strings.TrimSpace(a)) }

// ForSender returns the waiting mail sent by the person with address (or
// alias) addr through any of their addresses (header From or envelope
// sender), oldest first.
func (s *Service) ForSender(ctx context.Context, addr string, v View) ([]Item, error) {
	who := s.personOf(addr)
	if who == "" {
		return nil, nil
	}
	return s.list(v, func(it *queue.Item) bool {
		return s.personOf(it.Outcome.Sender) == who || s.personOf(it.Envelope.From) == who
	}), nil
}

// ForDepartments returns the waiting mail of senders in any of depts, oldest
// first.
func (s *Service) ForDepartments(ctx context.Context, depts []string, v View) ([]Item, error) {
	if len(depts) == 0 {
		return nil, nil
	}
	return s.list(v, func(it *queue.Item) bool { return slices.Contains(depts, it.Department) }), nil
}

// All returns every waiting message, oldest first (operators).
func (s *Service) All(ctx context.Context, v View) ([]Item, error) {
	return s.list(v, func(*queue.Item) bool { return true }), nil
}

func (s *Service) list(v View, keep func(*queue.Item) bool) []Item {
	its := s.Queue.Items(func(it *queue.Item) bool { return people(it) && keep(it) })
	out := make([]Item, 0, len(its))
	for _, it := range its {
		out = append(out, toItem(it, v))
	}
	return out
}

// Get returns one waiting message.
func (s *Service) Get(ctx context.Context, id string, v View) (Item, error) {
	it, err := s.Queue.Get(queue.ID(id))
	if err != nil {
		return Item{}, err
	}
	if it.System {
		return Item{}, ErrNotFound
	}
	return toItem(it, v), nil
}

// Body returns the raw message of a waiting message to its sender or an
// approver of its department, after handing the read to the Audit hook.
// reason says why, for the audit log. Bodies of finished messages are gone
// (ErrNotFound).
func (s *Service) Body(ctx context.Context, id string, by Actor, reason string) ([]byte, error) {
	if s.Audit == nil {
		return nil, ErrNoAudit
	}
	it, err := s.Queue.Get(queue.ID(id))
	if err != nil {
		return nil, err
	}
	if !people(&it) {
		return nil, ErrNotFound
	}
	var role string
	switch {
	case by.Address == "":
		return nil, errors.New("held: body read without a reader")
	case s.sentBy(&it, by.Address):
		role = string(auth.RoleSender)
	case by.ApprovesDepartment(it.Department), s.passedTo(&it, by.Address):
		role = string(auth.RoleApprover)
	default:
		return nil, fmt.Errorf("%w: %s may not read %s", ErrNotAllowed, by.Address, id)
	}
	r := Reader{Addr: by.Address, Role: role, Reason: reason}
	if err := s.Audit(ctx, BodyRead{ID: id, Subject: it.Subject, Sender: it.Outcome.Sender, Department: it.Department, Reader: r, At: s.now()}); err != nil {
		return nil, fmt.Errorf("held: audit body read: %w", err)
	}
	return s.Queue.Body(queue.ID(id))
}

// allConfirmed reports whether the sender has dealt with every flagged
// recipient: each confirmed or dropped, at least one of them confirmed. A
// message without flagged recipients (its findings are about the whole
// message) needs Confirm.
func allConfirmed(it *queue.Item) bool {
	if len(it.Flagged) == 0 || len(it.Envelope.To) == 0 {
		return false
	}
	confirmed := false
	for _, f := range it.Flagged {
		switch {
		case hasAddr(it.Confirmed, f):
			confirmed = true
		case hasAddr(it.Dropped, f):
		default:
			return false
		}
	}
	return confirmed
}

func hasAddr(list []string, a string) bool {
	a = lower(a)
	return slices.ContainsFunc(list, func(x string) bool { return lower(x) == a })
}

func toItem(it queue.Item, v View) Item {
	fs := it.Outcome.Findings
	if v == SenderView {
		fs = finding.SenderView(fs)
	} else {
		fs = slices.Clone(fs)
	}
	if fs == nil {
		fs = []finding.Finding{}
	}
	rs := make([]Recipient, 0, len(it.Envelope.To))
	for _, a := range it.Envelope.To {
		rs = append(rs, Recipient{Addr: a, Flagged: hasAddr(it.Flagged, a), Confirmed: hasAddr(it.Confirmed, a)})
	}
	out := Item{
		ID: string(it.ID), State: it.State, Verdict: it.Outcome.Verdict, Score: it.Outcome.Score,
		Sender: it.Outcome.Sender, EnvelopeFrom: it.Envelope.From, Department: it.Department,
		Subject: it.Subject, Recipients: rs, Dropped: slices.Clone(it.Dropped), Findings: fs,
		Created: it.Created, By: it.By, Comment: it.Comment, Stage: it.Stage,
	}
	if out.Sender == "" {
		out.Sender = it.Envelope.From
	}
	if it.State == queue.Delayed {
		out.ReleaseAt = it.NotBefore
	}
	return out
}

// FlaggedRecipients returns the envelope recipients that findings name,
// lower-cased, in envelope order: the recipients a sender must confirm.
func FlaggedRecipients(to []string, fs []finding.Finding) []string {
	var out []string
	for _, a := range to {
		la := lower(a)
		if slices.ContainsFunc(fs, func(f finding.Finding) bool { return lower(f.Recipient) == la }) && !slices.Contains(out, la) {
			out = append(out, la)
		}
	}
	return out
}
