package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/gateway"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/milter"
	"github.com/misend/misend/internal/notify"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/queue"
	"github.com/misend/misend/internal/repeat"
)

// Take implements gateway.Intake: the message is delivered upstream at once
// when it passes and cut-through is on (direct.go), or else stored durably,
// queued or waiting by its verdict; only then are its sender (and for a
// hold the approvers) told. A notice that cannot be sent is logged; it
// never undoes the acceptance.
func (s *Server) Take(ctx context.Context, env queue.Envelope, raw []byte, res decide.Result) (queue.ID, error) {
	state, notBefore := gateway.Waiting(res, time.Now())
	// Noted before the message is taken, so that a kill between taking it
	// and answering leaves the key for the client's resend to find.
	if s.taken.Note(repeat.KeyOf(res.MessageID, env.From, env.To), time.Now()) {
		s.Metrics.Repeated.Inc()
		s.log.Warn("message taken again", "message_id", res.MessageID, "from", env.From, "rcpts", len(env.To))
	}
	if state == queue.Queued && s.cut.deliver(ctx, env, raw) {
		id := queue.NewID()
		s.learnFrom(env, raw, res)
		if res.Decision.Verdict == policy.Warn {
			s.notice(ctx, id, env, "", raw, res)
		}
		return id, nil
	}
	it := queue.Item{
		Envelope: env,
		Outcome: queue.Outcome{
			MessageID: res.MessageID, Sender: res.Sender, Verdict: res.Decision.Verdict,
			Score: res.Score, Findings: res.Findings,
		},
		State: state, NotBefore: notBefore, Department: res.Department,
	}
	if it.Outcome.Sender == "" {
		it.Outcome.Sender = env.From
	}
	if state.Waiting() {
		it.Subject = res.SubjectFor(raw)
		it.Flagged = held.FlaggedRecipients(env.To, res.Findings)
	}
	id, err := s.Queue.Add(ctx, it, raw)
	if err != nil {
		return "", err
	}
	if state.Waiting() || res.Decision.Verdict == policy.Warn {
		s.notice(ctx, id, env, it.Subject, raw, res)
	}
	return id, nil
}

var _ gateway.Intake = (*Server)(nil)

// notice tells the sender (and approvers) about a warned or waiting message.
func (s *Server) notice(ctx context.Context, id queue.ID, env queue.Envelope, subject string, raw []byte, res decide.Result) {
	if s.Notifier == nil {
		return
	}
	if subject == "" {
		subject = res.SubjectFor(raw)
	}
	w := notify.Waiting{
		QueueID: string(id), Sender: res.Sender, Department: res.Department, Recipients: env.To,
		Subject: subject, Decision: res.Decision, Findings: res.Findings,
	}
	if !res.SenderKnown {
		// Only people of the directory are told: a notice names the
		// recipients and the findings, and the envelope sender or From:
		// of mail from outside (or from a client that made them up) may
		// be anyone's address.
		s.log.Info("no notice: the sender is nobody of the directory", "id", id, "sender", res.Sender, "verdict", res.Decision.Verdict)
		return
	}
	if res.Decision.Verdict == policy.Delay {
		if it, err := s.Queue.Get(id); err == nil {
			w.ReleaseAt = it.NotBefore
		}
	}
	if res.Decision.Verdict == policy.Hold && s.Approval != nil {
		// Approvers see the deadline; a department without approvers
		// gives its sender a release link instead.
		if it, err := s.Queue.Get(id); err == nil {
			s.Approval.Annotate(&w, it)
		}
	}
	if err := s.Notifier.Notify(ctx, w); err != nil {
		s.Metrics.NoticeErrors.Inc()
		s.log.Error("notify", "id", id, "verdict", res.Decision.Verdict, "err", err)
	}
}

// milterHolder takes messages the milter holds into the same queue; when
// released they leave through the upstream like gateway-held mail.
type milterHolder struct{ s *Server }

func (h milterHolder) Hold(ctx context.Context, env milter.Envelope, raw []byte, res milter.Result) (string, error) {
	id, err := h.s.Take(ctx, queue.Envelope{From: env.From, To: env.To}, raw, res)
	return string(id), err
}

// milterAccepted learns from mail the milter lets through and tells the
// sender of a warning.
func (s *Server) milterAccepted(ctx context.Context, env milter.Envelope, raw []byte, res milter.Result) {
	qenv := queue.Envelope{From: env.From, To: env.To}
	s.learnFrom(qenv, raw, res)
	if res.Decision.Verdict == policy.Warn {
		s.notice(ctx, "", qenv, "", raw, res)
	}
}

// delivered learns from mail that reached the upstream, misend's own
// notices and bounces excepted.
func (s *Server) delivered(it queue.Item, raw []byte) {
	if s.learn != nil && !it.System {
		s.learn.add(it.Envelope, raw, nil)
	}
}

// learnFrom learns from mail that left as soon as it was decided on (the
// milter's passed mail, cut-through), from the message the decision
// parsed.
func (s *Server) learnFrom(env queue.Envelope, raw []byte, res decide.Result) {
	if s.learn != nil {
		s.learn.add(env, raw, res.Message)
	}
}

// outbox sends notices through the spool and the upstream, from the null
// sender so nothing ever bounces back to misend (RFC 3834).
type outbox struct{ s *Server }

func (o outbox) Send(ctx context.Context, m notify.Mail) error {
	it := queue.Item{
		Envelope: queue.Envelope{To: m.To}, Outcome: queue.Outcome{Verdict: policy.Pass, Sender: m.From},
		State: queue.Queued, System: true,
	}
	_, err := o.s.Queue.Add(ctx, it, m.Raw)
	if err == nil {
		o.s.Metrics.Notices.Inc()
	}
	return err
}

// actQueue lets the signed links act through held, so a link, the web UI
// and the API check the same things and write the same audit entries. The
// link's holder is resolved as they are now: a link does not outlive the
// role it was mailed for.
type actQueue struct{ h *held.Service }

func (a actQueue) Act(ctx context.Context, g notify.Grant, remote string) error {
	by, err := a.h.ActorFor(ctx, g.Actor, "link", remote)
	if err == nil {
		switch g.Action {
		case notify.ActConfirm:
			_, err = a.h.Confirm(ctx, g.QueueID, by)
		case notify.ActRelease:
			_, err = a.h.Release(ctx, g.QueueID, by, "")
		case notify.ActCancel:
			_, err = a.h.Cancel(ctx, g.QueueID, by)
		case notify.ActReject:
			_, err = a.h.Reject(ctx, g.QueueID, by, "")
		default:
			err = fmt.Errorf("%w: unknown action %q", held.ErrNotAllowed, g.Action)
		}
	}
	if errors.Is(err, held.ErrNotAllowed) || errors.Is(err, held.ErrOwnMessage) {
		return fmt.Errorf("%w: %w", notify.ErrRefused, err)
	}
	return err
}

func (s *Server) heldChanged(ctx context.Context, c held.Change) {
	s.Metrics.HeldActions.WithLabelValues(string(c.Action)).Inc()
	s.log.Info("held mail", "action", c.Action, "id", c.Item.ID, "state", c.Item.State, "by", c.By)
	// The sender of a held message was told they would hear the approver's
	// decision; their own confirmations and cancellations need no notice.
	if s.Notifier != nil && c.Item.Verdict == policy.Hold && !c.BySender &&
		(c.Action == held.Released || c.Action == held.Rejected) {
		w := notify.Waiting{QueueID: c.Item.ID, Sender: c.Item.Sender, Department: c.Item.Department, Subject: c.Item.Subject}
		if w.Subject == "" {
			w.Subject = c.Item.ID // finished items no longer keep their subject
		}
		if err := s.Notifier.Decided(ctx, w, c.Action == held.Released, c.Comment); errors.Is(err, notify.ErrGone) {
			s.log.Info("no notice of the decision: the sender has left the directory", "id", c.Item.ID, "sender", w.Sender)
		} else if err != nil {
			s.Metrics.NoticeErrors.Inc()
			s.log.Error("notify decision", "id", c.Item.ID, "err", err)
		}
		// The other approvers got the same request: they hear that it is
		// answered, and by whom.
		if err := s.Notifier.DecidedOthers(ctx, w, c.By, c.Action == held.Released, c.Comment); err != nil {
			s.Metrics.NoticeErrors.Inc()
			s.log.Error("notify other approvers", "id", c.Item.ID, "err", err)
		}
		// So did the deputies and the next level it was passed on to.
		if s.Approval != nil && c.Item.Stage > 0 {
			it := queue.Item{Department: c.Item.Department, Stage: c.Item.Stage, State: queue.Held, Envelope: queue.Envelope{From: c.Item.EnvelopeFrom}}
			it.Outcome.Sender = c.Item.Sender
			if err := s.Notifier.DecidedPassedOn(ctx, w, s.Approval.Deciders(it), c.By, c.Action == held.Released, c.Comment); err != nil {
				s.Metrics.NoticeErrors.Inc()
				s.log.Error("notify the approvers it was passed on to", "id", c.Item.ID, "err", err)
			}
		}
	}
	// Mail the retention sweep ended was waited on by its sender, who
	// must not go on waiting for an answer that will not come.
	if s.Notifier != nil && c.Action == held.Purged {
		w := notify.Waiting{QueueID: c.Item.ID, Sender: c.Item.Sender, Department: c.Item.Department, Subject: c.Item.Subject}
		if w.Subject == "" {
			w.Subject = c.Item.ID
		}
		if err := s.Notifier.Purged(ctx, w, c.Item.Verdict == policy.Hold, time.Since(c.Item.Created)); errors.Is(err, notify.ErrGone) {
			s.log.Info("no notice of the purge: the sender is not in the directory", "id", c.Item.ID, "sender", w.Sender)
		} else if err != nil {
			s.Metrics.NoticeErrors.Inc()
			s.log.Error("notify expiry", "id", c.Item.ID, "err", err)
		}
	}
	if s.o.HeldChanged != nil {
		s.o.HeldChanged(ctx, c)
	}
}
