package approval

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/notify"
	"github.com/misend/misend/internal/queue"
)

// People is what the lifecycle asks of the directory, as it is now.
type People interface {
	// PersonOf returns the address of the person with address or alias
	// addr; addr, lower-cased, when nobody has it.
	PersonOf(addr string) string
	// Known reports whether addr is a person of the directory.
	Known(addr string) bool
	// ApproversOfScope returns the approvers of "department:NAME",
	// "group:NAME" or "organization".
	ApproversOfScope(scope string) []string
	// DeputyOf returns the person's deputy approver, "" for none.
	DeputyOf(addr string) string
}

// DirectoryPeople answers People from the directory in force, with the
// configuration's deputies before the directory's own.
type DirectoryPeople struct {
	Dir      *directory.Current
	Deputies map[string]string // lower-cased address → deputy
}

// NewDirectoryPeople answers People from dir and c's deputies.
func NewDirectoryPeople(dir *directory.Current, c *Config) DirectoryPeople {
	return DirectoryPeople{Dir: dir, Deputies: c.deputies()}
}

// PersonOf implements People.
func (p DirectoryPeople) PersonOf(addr string) string { return p.Dir.PersonOf(addr) }

// Known implements People.
func (p DirectoryPeople) Known(addr string) bool {
	_, ok := p.Dir.Load().Person(addr)
	return ok
}

// ApproversOfScope implements People.
func (p DirectoryPeople) ApproversOfScope(scope string) []string {
	return p.Dir.Load().ApproversOfScope(scope)
}

// DeputyOf implements People.
func (p DirectoryPeople) DeputyOf(addr string) string {
	if d := p.Deputies[p.PersonOf(addr)]; d != "" {
		return d
	}
	return p.Dir.Load().DeputyOf(addr)
}

// Engine passes held mail nobody decides on to the next approvers and
// takes the final action at its deadline. Tick does one round; the server
// calls it every so often, tests with a clock of their own.
type Engine struct {
	Config   *Config
	Calendar Calendar
	People   People
	Held     *held.Service
	Queue    *queue.Queue
	// Notifier, optional, tells the people concerned; without it the
	// steps are taken and audited all the same.
	Notifier *notify.Notifier
	Now      func() time.Time
	Log      *slog.Logger
}

var _ held.Lifecycle = (*Engine)(nil)

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Engine) log() *slog.Logger {
	if e.Log != nil {
		return e.Log
	}
	return slog.Default()
}

// level is one group of people a held message's request goes to.
type level struct {
	to     []string
	deputy bool // the previous approvers' deputies
}

// chain returns who is asked about a held message, in order: the
// department's approvers (the organisation's when it has none but the
// sender), their deputies, the next level's approvers. Levels without
// anyone new are left out; nobody is the sender.
func (e *Engine) chain(it queue.Item, r Rules) []level {
	sender := e.People.PersonOf(senderOf(it))
	seen := map[string]bool{sender: true}
	// Only people of the directory are asked: a deputy the configuration
	// names but the directory does not could not be checked when acting.
	take := func(addrs []string) []string {
		var out []string
		for _, a := range addrs {
			if p := e.People.PersonOf(a); p != "" && !seen[p] && e.People.Known(p) {
				seen[p] = true
				out = append(out, p)
			}
		}
		return out
	}
	first := take(e.People.ApproversOfScope("department:" + it.Department))
	if len(first) == 0 {
		first = take(e.People.ApproversOfScope("organization"))
	}
	out := []level{{to: first}}
	var deputies []string
	for _, a := range first {
		if d := e.People.DeputyOf(a); d != "" {
			deputies = append(deputies, d)
		}
	}
	if d := take(deputies); len(d) > 0 {
		out = append(out, level{to: d, deputy: true})
	}
	if next := take(e.People.ApproversOfScope(r.EscalateTo)); len(next) > 0 {
		out = append(out, level{to: next})
	}
	return out
}

func senderOf(it queue.Item) string {
	if it.Outcome.Sender != "" {
		return it.Outcome.Sender
	}
	return it.Envelope.From
}

// Deciders implements held.Lifecycle: the people the request was passed
// on to so far.
func (e *Engine) Deciders(it queue.Item) []string {
	r := e.Config.For(it.Department)
	if r.SelfReleases() || it.Stage == 0 {
		return nil
	}
	var out []string
	for i, l := range e.chain(it, r) {
		if i > 0 && i <= it.Stage {
			out = append(out, l.to...)
		}
	}
	return out
}

// SelfReleaseAt implements held.Lifecycle: for a department whose senders
// release their own held mail, the end of the delay after the hold.
func (e *Engine) SelfReleaseAt(it queue.Item) (time.Time, bool) {
	r := e.Config.For(it.Department)
	if !r.SelfReleases() {
		return time.Time{}, false
	}
	return e.Calendar.Add(it.Created, time.Duration(r.SelfReleaseAfter)), true
}

// Finishes implements held.Finisher: held mail of a department with a
// final_after is ended here, not by the retention purge.
func (e *Engine) Finishes(it queue.Item) bool {
	at, _ := e.Deadline(it.Department, it.Created)
	return !at.IsZero()
}

// Deadline returns when the final action is taken on a held message of
// dept held at created, and which; zero without a final_after.
func (e *Engine) Deadline(dept string, created time.Time) (time.Time, FinalAction) {
	r := e.Config.For(dept)
	if r.FinalAfter <= 0 {
		return time.Time{}, ""
	}
	return e.Calendar.Add(created, time.Duration(r.FinalAfter)), r.FinalAction
}

// Report counts what one Tick did.
type Report struct {
	Escalated, Returned, Rejected int
}

// Tick looks at every held message once: one whose deadline passed gets
// its final action, one whose approvers did not decide in time goes to the
// next level. A step another action got to first (an approver deciding
// meanwhile) is skipped; other errors are joined and the rest go on.
func (e *Engine) Tick(ctx context.Context) (Report, error) {
	var rep Report
	var errs []error
	now := e.now()
	for _, it := range e.Queue.Items(func(it *queue.Item) bool { return it.State == queue.Held && !it.System }) {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		r := e.Config.For(it.Department)
		var err error
		switch deadline, _ := e.Deadline(it.Department, it.Created); {
		case !deadline.IsZero() && !now.Before(deadline):
			err = e.final(ctx, it, r, deadline, &rep)
		case !r.SelfReleases() && r.EscalateAfter > 0:
			err = e.escalate(ctx, it, r, now, &rep)
		}
		if err != nil && !errors.Is(err, held.ErrState) && !errors.Is(err, held.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	return rep, errors.Join(errs...)
}

// escalate passes the request on when the current level had its time.
func (e *Engine) escalate(ctx context.Context, it queue.Item, r Rules, now time.Time, rep *Report) error {
	levels := e.chain(it, r)
	next := it.Stage + 1
	if next >= len(levels) {
		return nil // nobody further: the final action will come
	}
	since := it.StageAt
	if since.IsZero() {
		since = it.Created
	}
	if now.Before(e.Calendar.Add(since, time.Duration(r.EscalateAfter))) {
		return nil
	}
	l := levels[next]
	who := "next level " + r.EscalateTo
	if l.deputy {
		who = "deputy"
	}
	detail := fmt.Sprintf("no decision in %s: passed to %s %s; to %s", time.Duration(r.EscalateAfter), who,
		strings.Join(l.to, ", "), strings.Join(it.Envelope.To, ", "))
	if _, err := e.Held.Escalate(ctx, string(it.ID), next, now, detail); err != nil {
		return fmt.Errorf("approval: escalate %s: %w", it.ID, err)
	}
	rep.Escalated++
	e.log().Info("held mail passed on", "id", it.ID, "stage", next, "to", l.to, "deputy", l.deputy)
	if e.Notifier != nil {
		w := e.waiting(it)
		if err := e.Notifier.Escalated(ctx, w, l.to, l.deputy); err != nil {
			return fmt.Errorf("approval: notify escalation of %s: %w", it.ID, err)
		}
	}
	return nil
}

// final takes the final action: the message goes back to its sender when
// the department says return and the sender is a person of the directory
// (never to an address a message merely claims: that could be anyone's);
// otherwise it is refused.
func (e *Engine) final(ctx context.Context, it queue.Item, r Rules, deadline time.Time, rep *Report) error {
	sender := senderOf(it)
	asked := e.asked(it, r)
	returned := r.FinalAction == Return && e.People.Known(sender)
	var err error
	if returned {
		detail := fmt.Sprintf("no decision by %s: returned to %s; to %s", deadline.UTC().Format(time.RFC3339),
			e.People.PersonOf(sender), strings.Join(it.Envelope.To, ", "))
		_, err = e.Held.Return(ctx, string(it.ID), e.People.PersonOf(sender), detail)
	} else {
		why := ""
		if r.FinalAction == Return {
			why = " (the sender is nobody of the directory: not returned)"
		}
		detail := fmt.Sprintf("no decision by %s: refused%s; to %s", deadline.UTC().Format(time.RFC3339), why, strings.Join(it.Envelope.To, ", "))
		_, err = e.Held.Expire(ctx, string(it.ID), detail)
	}
	if err != nil {
		return fmt.Errorf("approval: final action on %s: %w", it.ID, err)
	}
	if returned {
		rep.Returned++
	} else {
		rep.Rejected++
	}
	e.log().Info("held mail nobody decided on", "id", it.ID, "returned", returned, "deadline", deadline)
	if e.Notifier != nil && e.People.Known(sender) {
		w := e.waiting(it)
		w.Deadline = deadline
		if err := e.Notifier.TimedOut(ctx, w, returned, asked); err != nil {
			return fmt.Errorf("approval: notify final action on %s: %w", it.ID, err)
		}
	}
	return nil
}

// asked returns everyone the message's request went to.
func (e *Engine) asked(it queue.Item, r Rules) []string {
	var out []string
	if r.SelfReleases() {
		return nil
	}
	for i, l := range e.chain(it, r) {
		if i <= it.Stage {
			out = append(out, l.to...)
		}
	}
	return out
}

// Waiting describes a held message for a notice, with its deadline.
func (e *Engine) waiting(it queue.Item) notify.Waiting {
	w := notify.Waiting{
		QueueID: string(it.ID), Sender: senderOf(it), Department: it.Department, Recipients: slices.Clone(it.Envelope.To),
		Subject: it.Subject, Findings: it.Outcome.Findings, HeldAt: it.Created,
	}
	w.Decision.Verdict = it.Outcome.Verdict
	if w.Subject == "" {
		w.Subject = string(it.ID)
	}
	d, a := e.Deadline(it.Department, it.Created)
	w.Deadline, w.FinalAction = d, string(a)
	return w
}

// Annotate adds what the lifecycle says about a message just held to the
// notice about it: its deadline, or when its sender may release it.
func (e *Engine) Annotate(w *notify.Waiting, it queue.Item) {
	w.HeldAt = it.Created
	d, a := e.Deadline(it.Department, it.Created)
	w.Deadline, w.FinalAction = d, string(a)
	if at, ok := e.SelfReleaseAt(it); ok {
		w.SelfReleaseAt = at
	}
}
