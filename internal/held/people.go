package held

import (
	"context"
	"fmt"
	"slices"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/queue"
)

// People says who is who now; *auth.Service implements it over the
// directory in force and the local accounts.
type People interface {
	// PersonOf returns the address of the person who has addr as their
	// address or one of their aliases; addr itself, lower-cased, when the
	// directory knows nobody with it.
	PersonOf(addr string) string
	// Current returns the principal addr acts as now: the directory in
	// force and their account. It fails for someone misend no longer
	// knows or whose account is disabled.
	Current(ctx context.Context, addr string) (auth.Principal, error)
}

// Actor is a person acting on waiting mail, with their roles and
// departments as the directory and their account say now (a session and
// an API token rebuild the principal on every request; a link is resolved
// with ActorFor when it is used).
type Actor struct {
	auth.Principal
	Via    string // "web", "api" or "link", for the audit log
	Remote string // the client's address, for the audit log
}

// ActorFor resolves the person a link was mailed to as they are now: a
// link outlives neither its holder's place in the directory nor their
// roles. Without People nobody can be resolved.
func (s *Service) ActorFor(ctx context.Context, addr, via, remote string) (Actor, error) {
	if s.People == nil {
		return Actor{}, fmt.Errorf("%w: nobody to check %s against", ErrNotAllowed, addr)
	}
	p, err := s.People.Current(ctx, addr)
	if err != nil {
		return Actor{}, fmt.Errorf("%w: %s: %w", ErrNotAllowed, addr, err)
	}
	return Actor{Principal: p, Via: via, Remote: remote}, nil
}

// personOf names the person behind addr ("" for no address).
func (s *Service) personOf(addr string) string {
	addr = lower(addr)
	if addr == "" || s.People == nil {
		return addr
	}
	return lower(s.People.PersonOf(addr))
}

// sentBy reports whether the person with address who sent the message:
// through its sender or its envelope sender — unless the decision found it
// sent in another's name (SENT_AS), when the sender it settled on is the
// only one. Addresses are compared as people, so an alias is its owner.
func (s *Service) sentBy(it *queue.Item, who string) bool {
	who = s.personOf(who)
	switch {
	case who == "":
		return false
	case s.personOf(it.Outcome.Sender) == who:
		return true
	case s.personOf(it.Envelope.From) == who:
		return !slices.ContainsFunc(it.Outcome.Findings, func(f finding.Finding) bool { return f.Code == finding.SentAs })
	}
	return false
}

// Sent reports whether p sent it (through any of their addresses): the
// test for "own mail" everywhere.
func (s *Service) Sent(it Item, p *auth.Principal) bool {
	if p == nil {
		return false
	}
	q := queue.Item{Envelope: queue.Envelope{From: it.EnvelopeFrom}}
	q.Outcome.Sender, q.Outcome.Findings = it.Sender, it.Findings
	return s.sentBy(&q, p.Address)
}

// MayDecide reports whether p may release or refuse the held message it:
// an approver of its department, or someone its request was passed on to
// (package approval), who did not send it.
func (s *Service) MayDecide(it Item, p *auth.Principal) bool {
	if it.State != queue.Held || p == nil || s.Sent(it, p) {
		return false
	}
	if p.ApprovesDepartment(it.Department) {
		return true
	}
	q := queue.Item{ID: queue.ID(it.ID), State: it.State, Department: it.Department, Created: it.Created, Stage: it.Stage,
		Envelope: queue.Envelope{From: it.EnvelopeFrom}}
	q.Outcome.Sender = it.Sender
	return s.passedTo(&q, p.Address)
}
