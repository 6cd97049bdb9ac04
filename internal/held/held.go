// Package held is what the web UI and the HTTP API use to see and act on
// mail waiting in misend's queue: messages held for an approver, waiting
// for their sender's confirmation, or delayed.
//
// People act through a Service:
//
//   - a sender lists their own waiting mail (ForSender), confirms each
//     flagged recipient (ConfirmRecipient; when every flagged recipient is
//     confirmed the message leaves), confirms the whole message (Confirm),
//     drops a recipient (DropRecipient) or cancels (Cancel);
//   - an approver lists the waiting mail of their departments
//     (ForDepartments) and releases (Release) or refuses it with a comment
//     (Reject);
//   - anyone allowed to read a body calls Body with who is reading, and
//     the read is handed to the Audit hook before the body is returned.
//
// Item carries findings in the sender view (confidential-list terms
// removed) or the operator view, as the caller asks: the caller knows who
// is looking. The package deliberately does no authorisation (internal/auth
// and the callers decide who may do what) and sends no mail itself: the
// Changed hook tells the rest of misend what happened.
package held

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

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
}

// SentBy reports whether addr sent the message: its sender, or its
// envelope sender — unless the decision found it sent in another's name
// (SENT_AS), when the sender it settled on is the only one.
func (it Item) SentBy(addr string) bool {
	switch {
	case addr == "":
		return false
	case strings.EqualFold(addr, it.Sender):
		return true
	case strings.EqualFold(addr, it.EnvelopeFrom):
		return !slices.ContainsFunc(it.Findings, func(f finding.Finding) bool { return f.Code == finding.SentAs })
	}
	return false
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
)

// Change is one action on a waiting message, for notifications and logs.
type Change struct {
	Action  Action
	Item    Item // after the action, operator view
	By      string
	Comment string
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
	// ErrNoAudit means bodies cannot be read: no audit hook is configured.
	ErrNoAudit = errors.New("held: no audit log configured; bodies are not shown")
)

// Holds is the interface Service implements, for callers that want a seam.
type Holds interface {
	ForSender(ctx context.Context, addr string, v View) ([]Item, error)
	ForDepartments(ctx context.Context, depts []string, v View) ([]Item, error)
	All(ctx context.Context, v View) ([]Item, error)
	Get(ctx context.Context, id string, v View) (Item, error)
	Body(ctx context.Context, id string, r Reader) ([]byte, error)
	ConfirmRecipient(ctx context.Context, id, rcpt, by string) (Item, error)
	Confirm(ctx context.Context, id, by string) (Item, error)
	DropRecipient(ctx context.Context, id, rcpt, by string) (Item, error)
	Release(ctx context.Context, id, by string) (Item, error)
	Cancel(ctx context.Context, id, by string) (Item, error)
	Reject(ctx context.Context, id, by, comment string) (Item, error)
}

// Service acts on misend's queue.
type Service struct {
	Queue *queue.Queue
	// Audit records a human view of a body. Body refuses to return a body
	// when it is nil or fails: no unlogged reads.
	Audit func(ctx context.Context, r BodyRead) error
	// Changed, if set, is told of every action after it is stored.
	Changed func(ctx context.Context, c Change)
	Now     func() time.Time
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

// ForSender returns the waiting mail sent by addr (header From or envelope
// sender), oldest first.
func (s *Service) ForSender(ctx context.Context, addr string, v View) ([]Item, error) {
	addr = lower(addr)
	if addr == "" {
		return nil, nil
	}
	return s.list(v, func(it *queue.Item) bool {
		return lower(it.Outcome.Sender) == addr || lower(it.Envelope.From) == addr
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

// Body returns the raw message of a waiting message after handing the read
// to the Audit hook. Bodies of finished messages are gone (ErrNotFound).
func (s *Service) Body(ctx context.Context, id string, r Reader) ([]byte, error) {
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
	if r.Addr == "" {
		return nil, errors.New("held: body read without a reader")
	}
	if err := s.Audit(ctx, BodyRead{ID: id, Sender: it.Outcome.Sender, Department: it.Department, Reader: r, At: s.now()}); err != nil {
		return nil, fmt.Errorf("held: audit body read: %w", err)
	}
	return s.Queue.Body(queue.ID(id))
}

// ConfirmRecipient records the sender's confirmation of one flagged
// recipient of a message waiting for confirmation (or delayed). When every
// flagged recipient still in the envelope is confirmed, the message is
// released: the returned Item's State is then queued. Recipients no
// finding names need no confirmation (ErrNotFlagged).
func (s *Service) ConfirmRecipient(ctx context.Context, id, rcpt, by string) (Item, error) {
	rcpt = lower(rcpt)
	return s.modify(ctx, id, by, "", Confirmed, func(it *queue.Item) error {
		if it.State != queue.Confirming && it.State != queue.Delayed {
			return fmt.Errorf("%w: %s is %s, not waiting for its sender", ErrState, id, it.State)
		}
		if !hasAddr(it.Envelope.To, rcpt) {
			return fmt.Errorf("%w: %s", ErrNotRecipient, rcpt)
		}
		if !hasAddr(it.Flagged, rcpt) {
			return fmt.Errorf("%w: %s is not flagged", ErrNotFlagged, rcpt)
		}
		if !hasAddr(it.Confirmed, rcpt) {
			it.Confirmed = append(it.Confirmed, rcpt)
		}
		if allConfirmed(it) {
			it.State = queue.Queued
		}
		return nil
	})
}

// Confirm is the sender's confirmation of the whole message (every flagged
// recipient at once): a message waiting for confirmation, or delayed, is
// released.
func (s *Service) Confirm(ctx context.Context, id, by string) (Item, error) {
	return s.modify(ctx, id, by, "", Confirmed, func(it *queue.Item) error {
		if it.State != queue.Confirming && it.State != queue.Delayed {
			return fmt.Errorf("%w: %s is %s, not waiting for its sender", ErrState, id, it.State)
		}
		for _, f := range it.Flagged {
			if hasAddr(it.Envelope.To, f) && !hasAddr(it.Confirmed, f) {
				it.Confirmed = append(it.Confirmed, lower(f))
			}
		}
		it.State = queue.Queued
		return nil
	})
}

// DropRecipient removes a recipient from a waiting message: it will not
// receive it (the header still names it; only the envelope changes). A
// message left without recipients is cancelled; one whose remaining flagged
// recipients are all confirmed, and which waits for its sender, is released.
func (s *Service) DropRecipient(ctx context.Context, id, rcpt, by string) (Item, error) {
	rcpt = lower(rcpt)
	return s.modify(ctx, id, by, "", Dropped, func(it *queue.Item) error {
		i := slices.IndexFunc(it.Envelope.To, func(a string) bool { return lower(a) == rcpt })
		if i < 0 {
			return fmt.Errorf("%w: %s", ErrNotRecipient, rcpt)
		}
		it.Envelope.To = slices.Delete(it.Envelope.To, i, i+1)
		it.Dropped = append(it.Dropped, rcpt)
		switch {
		case len(it.Envelope.To) == 0:
			it.State = queue.Cancelled
		case it.State == queue.Confirming && allConfirmed(it):
			// The sender confirmed some flagged recipients and dropped the rest.
			it.State = queue.Queued
		}
		return nil
	})
}

// Release lets a waiting message leave now (an approver, or the sender for
// a delay).
func (s *Service) Release(ctx context.Context, id, by string) (Item, error) {
	return s.modify(ctx, id, by, "", Released, func(it *queue.Item) error {
		if err := secondPerson(it, by); err != nil {
			return err
		}
		it.State = queue.Queued
		return nil
	})
}

// Cancel withdraws a waiting message; its body is deleted at once.
func (s *Service) Cancel(ctx context.Context, id, by string) (Item, error) {
	return s.modify(ctx, id, by, "", Cancelled, func(it *queue.Item) error {
		it.State = queue.Cancelled
		return nil
	})
}

// Reject refuses a waiting message for good with an approver's comment; its
// body is deleted at once.
func (s *Service) Reject(ctx context.Context, id, by, comment string) (Item, error) {
	comment = strings.TrimSpace(comment)
	if len(comment) > 2000 {
		comment = comment[:2000]
	}
	return s.modify(ctx, id, by, comment, Rejected, func(it *queue.Item) error {
		if err := secondPerson(it, by); err != nil {
			return err
		}
		it.State = queue.Rejected
		it.Comment = comment
		return nil
	})
}

// secondPerson refuses a decision on a held message by its own sender: an
// approver whose mail is held is not the one to judge it.
func secondPerson(it *queue.Item, by string) error {
	if it.State != queue.Held {
		return nil
	}
	by = lower(by)
	if by != "" && (lower(it.Outcome.Sender) == by || lower(it.Envelope.From) == by) {
		return ErrOwnMessage
	}
	return nil
}

func (s *Service) modify(ctx context.Context, id, by, comment string, act Action, fn func(*queue.Item) error) (Item, error) {
	cur, err := s.Queue.Get(queue.ID(id))
	if err != nil {
		return Item{}, err
	}
	if cur.System {
		return Item{}, ErrNotFound
	}
	it, err := s.Queue.Modify(ctx, queue.ID(id), by, fn)
	if err != nil {
		return Item{}, err
	}
	out := toItem(it, OperatorView)
	if out.Subject == "" {
		out.Subject = cur.Subject // a finished message no longer keeps it
	}
	if s.Changed != nil {
		s.Changed(ctx, Change{Action: act, Item: out, By: by, Comment: comment})
		if act == Confirmed && it.State == queue.Queued {
			s.Changed(ctx, Change{Action: Released, Item: out, By: by})
		}
	}
	return out, nil
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
		Created: it.Created, By: it.By, Comment: it.Comment,
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
