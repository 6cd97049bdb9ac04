package held

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/queue"
)

// Lifecycle says what the approval lifecycle (package approval) allows
// beyond the directory: who else may decide a held message whose request
// was passed on, and when a sender may release held mail themselves. Its
// answers come from the directory and configuration in force now; it is
// called under the queue's lock and must not call the queue.
type Lifecycle interface {
	// Deciders returns the addresses the held message's approval
	// request was passed on to (deputies, the next level), as people.
	Deciders(it queue.Item) []string
	// SelfReleaseAt returns when the sender of held message it may
	// release it; ok is false when an approver decides.
	SelfReleaseAt(it queue.Item) (at time.Time, ok bool)
}

// A Finisher is a Lifecycle that itself ends held mail nobody decided on,
// at a deadline of its own (package approval with final_after): the
// retention purge leaves that mail to it, or a sweep could delete unsent
// what the lifecycle promised to return to its sender.
type Finisher interface {
	Finishes(it queue.Item) bool
}

// System is the actor of what misend itself does to waiting mail when a
// deadline passes, in the audit log and in Item.By.
const System = "misend"

// Actions misend itself takes on held mail nobody decided on.
const (
	// Escalated: the approval request went to the next approvers.
	Escalated Action = "escalate"
	// Returned: the deadline passed; the message went back to its sender
	// alone.
	Returned Action = "return"
	// Expired: the deadline passed; the message was refused.
	Expired Action = "expire"
)

// ErrTooEarly means the sender may release their own held mail, but not
// yet. It wraps ErrState.
var ErrTooEarly = fmt.Errorf("%w: not yet", ErrState)

// systemActor is misend acting on a deadline.
var systemActor = Actor{Principal: auth.Principal{Address: System}, Via: "timer"}

func systemOnly(*queue.Item, Actor) (string, error) { return "system", nil }

// Escalate records that a held message's approval request went to the
// approvers of stage (1 for the first pass) at at, the lifecycle's clock;
// detail names them for the audit log. It fails with ErrState when the
// message is no longer held or already reached that stage, so two timers
// never pass it on twice.
func (s *Service) Escalate(ctx context.Context, id string, stage int, at time.Time, detail string) (Item, error) {
	return s.act(ctx, id, systemActor, Escalated, detail, "", systemOnly, func(it *queue.Item) error {
		if it.State != queue.Held || it.Stage != stage-1 {
			return fmt.Errorf("%w: %s is %s at stage %d, not held at stage %d", ErrState, id, it.State, it.Stage, stage-1)
		}
		it.Stage, it.StageAt = stage, at
		return nil
	})
}

// Return takes a held message nobody decided on out of the approvers'
// hands and delivers it to its sender alone (to): unchanged, so nothing
// is lost and the sender can correct it and send it again. It is misend's
// own mail from then on (not learned from, not listed as held), and its
// recipients are kept as dropped, for the record.
func (s *Service) Return(ctx context.Context, id, to, detail string) (Item, error) {
	to = lower(to)
	if to == "" || !strings.Contains(to, "@") {
		return Item{}, fmt.Errorf("held: return %s: no sender address to return it to", id)
	}
	return s.act(ctx, id, systemActor, Returned, detail, detail, systemOnly, func(it *queue.Item) error {
		if it.State != queue.Held {
			return fmt.Errorf("%w: %s is %s, not held", ErrState, id, it.State)
		}
		it.Dropped = append(it.Dropped, it.Envelope.To...)
		it.Envelope.To = []string{to}
		it.System = true
		it.Comment = detail
		it.State = queue.Queued
		return nil
	})
}

// Expire refuses a held message nobody decided on, as an approver's
// refusal would; its body is deleted.
func (s *Service) Expire(ctx context.Context, id, detail string) (Item, error) {
	return s.act(ctx, id, systemActor, Expired, detail, detail, systemOnly, func(it *queue.Item) error {
		if it.State != queue.Held {
			return fmt.Errorf("%w: %s is %s, not held", ErrState, id, it.State)
		}
		it.State = queue.Rejected
		it.Comment = detail
		return nil
	})
}

// passedTo reports whether the person with address who was passed the
// held message's request by the lifecycle.
func (s *Service) passedTo(it *queue.Item, who string) bool {
	if s.Lifecycle == nil || it.State != queue.Held || it.Stage == 0 {
		return false
	}
	who = s.personOf(who)
	return who != "" && slices.ContainsFunc(s.Lifecycle.Deciders(*it), func(a string) bool { return s.personOf(a) == who })
}

// selfRelease says whether by, the sender of held message it, may release
// it now; errTooEarly before the department's delay ran out, ok false when
// the department has an approver decide.
func (s *Service) selfRelease(it *queue.Item, by Actor) (bool, error) {
	if s.Lifecycle == nil || it.State != queue.Held || !s.sentBy(it, by.Address) {
		return false, nil
	}
	at, ok := s.Lifecycle.SelfReleaseAt(*it)
	if !ok {
		return false, nil
	}
	if now := s.now(); now.Before(at) {
		return false, fmt.Errorf("%w: %s may be released by its sender from %s", ErrTooEarly, it.ID, at.UTC().Format(time.RFC3339))
	}
	return true, nil
}

// SelfReleaseAt returns when the sender of a held message may release it
// themselves; ok is false when an approver decides.
func (s *Service) SelfReleaseAt(it Item) (time.Time, bool) {
	if s.Lifecycle == nil || it.State != queue.Held {
		return time.Time{}, false
	}
	q := queue.Item{ID: queue.ID(it.ID), State: it.State, Department: it.Department, Created: it.Created}
	return s.Lifecycle.SelfReleaseAt(q)
}
