package held

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/queue"
)

// ActionRecord is one action on a waiting message, for the audit log.
type ActionRecord struct {
	ID         string
	Action     Action
	By         string // the person's address
	Role       string // "sender" or "approver"
	Via        string // "web", "api", "link"
	Remote     string
	Sender     string
	Subject    string
	Department string
	Detail     string // the recipient or the comment concerned
	At         time.Time
}

// auditTimeout bounds the audit write made under the queue's lock, so a
// stalled database holds up delivery for seconds at most.
const auditTimeout = 5 * time.Second

// ConfirmRecipient records the sender's confirmation of one flagged
// recipient of a message waiting for confirmation (or delayed). When every
// flagged recipient still in the envelope is confirmed, the message is
// released: the returned Item's State is then queued. Recipients no
// finding names need no confirmation (ErrNotFlagged).
func (s *Service) ConfirmRecipient(ctx context.Context, id, rcpt string, by Actor) (Item, error) {
	rcpt = lower(rcpt)
	return s.act(ctx, id, by, Confirmed, rcpt, "", s.senderOnly, func(it *queue.Item) error {
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
func (s *Service) Confirm(ctx context.Context, id string, by Actor) (Item, error) {
	return s.act(ctx, id, by, Confirmed, "", "", s.senderOnly, func(it *queue.Item) error {
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
func (s *Service) DropRecipient(ctx context.Context, id, rcpt string, by Actor) (Item, error) {
	rcpt = lower(rcpt)
	return s.act(ctx, id, by, Dropped, rcpt, "", s.senderOnly, func(it *queue.Item) error {
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

// Release lets a waiting message leave now: an approver of its department
// (never for mail held for their own sending), or its sender when it is
// only delayed. comment, optional, is the approver's note for the audit
// log.
func (s *Service) Release(ctx context.Context, id string, by Actor, comment string) (Item, error) {
	comment = clipComment(comment)
	return s.act(ctx, id, by, Released, comment, "", func(it *queue.Item, by Actor) (string, error) {
		if it.State == queue.Delayed && s.sentBy(it, by.Address) {
			return string(auth.RoleSender), nil
		}
		// A department without an approver (一時保留のみ): its senders
		// release their own held mail once the delay ran out.
		if ok, err := s.selfRelease(it, by); err != nil || ok {
			return string(auth.RoleSender), err
		}
		return s.approverOnly(it, by)
	}, func(it *queue.Item) error {
		it.State = queue.Queued
		return nil
	})
}

// ReleaseExcept is an approver's release of a held message to all its
// recipients but drop: those are taken out of the envelope (as
// DropRecipient does for a sender) and the rest leave now, in one step and
// one audit entry whose detail names the recipients left out. Dropping
// every recipient is refused (ErrNotRecipient): that is a Reject. With
// drop empty it is Release.
func (s *Service) ReleaseExcept(ctx context.Context, id string, by Actor, drop []string, comment string) (Item, error) {
	if len(drop) == 0 {
		return s.Release(ctx, id, by, comment)
	}
	comment = clipComment(comment)
	for i := range drop {
		drop[i] = lower(drop[i])
	}
	detail := strings.TrimSuffix("without "+strings.Join(drop, ", ")+"; "+comment, "; ")
	return s.act(ctx, id, by, Released, detail, "", s.approverOnly, func(it *queue.Item) error {
		if it.State != queue.Held {
			return fmt.Errorf("%w: %s is %s, not held for an approver", ErrState, id, it.State)
		}
		to := slices.Clone(it.Envelope.To)
		for _, rc := range drop {
			i := slices.IndexFunc(to, func(a string) bool { return lower(a) == rc })
			if i < 0 {
				return fmt.Errorf("%w: %s", ErrNotRecipient, rc)
			}
			to = slices.Delete(to, i, i+1)
		}
		if len(to) == 0 {
			return fmt.Errorf("%w: every recipient dropped; refuse the message instead", ErrNotRecipient)
		}
		it.Envelope.To = to
		it.Dropped = append(it.Dropped, drop...)
		it.State = queue.Queued
		return nil
	})
}

// Cancel withdraws a waiting message (its sender); its body is deleted at
// once.
func (s *Service) Cancel(ctx context.Context, id string, by Actor) (Item, error) {
	return s.act(ctx, id, by, Cancelled, "", "", s.senderOnly, func(it *queue.Item) error {
		it.State = queue.Cancelled
		return nil
	})
}

// Reject refuses a waiting message for good with an approver's comment; its
// body is deleted at once.
func (s *Service) Reject(ctx context.Context, id string, by Actor, comment string) (Item, error) {
	comment = clipComment(comment)
	return s.act(ctx, id, by, Rejected, comment, comment, s.approverOnly, func(it *queue.Item) error {
		it.State = queue.Rejected
		it.Comment = comment
		return nil
	})
}

// Retention is the actor of Purge in the audit log and the spool: misend
// itself, under the organisation's retention policy, not a person.
var Retention = Actor{Principal: auth.Principal{Address: System}, Via: "retention"}

// Purge ends the mail held for an approver or waiting for its sender's
// confirmation since before cutoff: it is not sent (a hold nobody
// released never turns into a pass) and its body is deleted at once.
// Each is recorded like a person's action, before it takes effect, with
// Retention as the actor and why as the detail. Delayed mail leaves by
// itself and is left alone, and so is held mail whose Lifecycle ends it
// at a deadline of its own (Finisher). It returns the messages it ended; on an error
// the rest stay for the next sweep.
func (s *Service) Purge(ctx context.Context, cutoff time.Time, why string) ([]Item, error) {
	old := s.Queue.Items(s.purgeable(cutoff))
	var out []Item
	for _, it := range old {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		done, err := s.act(ctx, string(it.ID), Retention, Purged, why, "", func(it *queue.Item, _ Actor) (string, error) {
			// Looked at again under the lock: a person may have acted since.
			if !s.purgeable(cutoff)(it) {
				return "", fmt.Errorf("%w: %s is %s", ErrState, it.ID, it.State)
			}
			return "retention", nil
		}, func(it *queue.Item) error {
			it.State = queue.Cancelled
			it.Comment = why
			return nil
		})
		switch {
		case errors.Is(err, ErrState), errors.Is(err, ErrNotFound):
			continue // decided or gone meanwhile
		case err != nil:
			return out, fmt.Errorf("held: purge %s: %w", it.ID, err)
		}
		out = append(out, done)
	}
	return out, nil
}

// purgeable tells the mail Purge ends: held or confirming since before
// cutoff, sent by people, and not held mail the Lifecycle ends itself.
func (s *Service) purgeable(cutoff time.Time) func(it *queue.Item) bool {
	f, _ := s.Lifecycle.(Finisher)
	return func(it *queue.Item) bool {
		if !people(it) || (it.State != queue.Held && it.State != queue.Confirming) || !it.Created.Before(cutoff) {
			return false
		}
		return it.State != queue.Held || f == nil || !f.Finishes(*it)
	}
}

// clipComment keeps a person's comment to 2000 bytes of valid UTF-8.
func clipComment(c string) string {
	c = strings.TrimSpace(c)
	if len(c) > 2000 {
		c = strings.ToValidUTF8(c[:2000], "")
	}
	return c
}

// A may function says whether an actor may act on a message, and in which
// role; it sees the message as stored, under the queue's lock.
type may func(it *queue.Item, by Actor) (role string, err error)

// senderOnly lets only the message's sender act.
func (s *Service) senderOnly(it *queue.Item, by Actor) (string, error) {
	if !s.sentBy(it, by.Address) {
		return "", fmt.Errorf("%w: %s did not send %s", ErrNotAllowed, by.Address, it.ID)
	}
	return string(auth.RoleSender), nil
}

// approverOnly lets an approver of the message's department act, but
// never on mail held for their own sending: a hold needs a second person.
func (s *Service) approverOnly(it *queue.Item, by Actor) (string, error) {
	if !by.ApprovesDepartment(it.Department) && !s.passedTo(it, by.Address) {
		return "", fmt.Errorf("%w: %s does not approve mail of %q", ErrNotAllowed, by.Address, it.Department)
	}
	if it.State == queue.Held && s.sentBy(it, by.Address) {
		return "", ErrOwnMessage
	}
	return string(auth.RoleApprover), nil
}

// act checks that by may act, records the action in the audit log and
// then makes the change, all under the queue's lock so nobody else acts
// in between. The audit entry comes first: an action that cannot be
// recorded is not taken. (If storing the change fails after the entry is
// written, the log holds an attempt that did not take effect — the safe
// side of the two.)
func (s *Service) act(ctx context.Context, id string, by Actor, act Action, detail, comment string, check may, fn func(*queue.Item) error) (Item, error) {
	cur, err := s.Queue.Get(queue.ID(id))
	if err != nil {
		return Item{}, err
	}
	if cur.System {
		return Item{}, ErrNotFound
	}
	if by.Address == "" {
		return Item{}, fmt.Errorf("%w: nobody named", ErrNotAllowed)
	}
	var bySender bool
	it, err := s.Queue.Modify(ctx, queue.ID(id), by.Address, func(it *queue.Item) error {
		role, err := check(it, by)
		if err != nil {
			return err
		}
		bySender = s.sentBy(it, by.Address)
		if err := fn(it); err != nil {
			return err
		}
		if s.Record == nil {
			return nil
		}
		rctx, cancel := context.WithTimeout(ctx, auditTimeout)
		defer cancel()
		r := ActionRecord{ID: id, Action: act, By: by.Address, Role: role, Via: by.Via, Remote: by.Remote,
			Sender: it.Outcome.Sender, Subject: it.Subject, Department: it.Department, Detail: detail, At: s.now()}
		if err := s.Record(rctx, r); err != nil {
			return fmt.Errorf("held: audit %s of %s: %w", act, id, err)
		}
		return nil
	})
	if err != nil {
		return Item{}, err
	}
	out := toItem(it, OperatorView)
	if out.Subject == "" {
		out.Subject = cur.Subject // a finished message no longer keeps it
	}
	if s.Changed != nil {
		s.Changed(ctx, Change{Action: act, Item: out, By: by.Address, Comment: comment, BySender: bySender})
		if act == Confirmed && it.State == queue.Queued {
			s.Changed(ctx, Change{Action: Released, Item: out, By: by.Address, BySender: bySender})
		}
	}
	return out, nil
}
