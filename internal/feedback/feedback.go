// Package feedback records what people answered when misend flagged a
// message, and teaches the model from it.
//
// A sender confirming a flagged recipient (or reporting a warning as wrong)
// says misend raised a false alarm: the recipient becomes a known contact of
// that sender at once, so the next message to them passes. A sender dropping
// a flagged recipient or cancelling the message, or an approver rejecting it,
// is a true catch. An approver releasing a held message counts as a false
// alarm but teaches nothing here: the approver, not the sender, vouched for
// it, and the delivered message is learned like any other.
//
// It deliberately stores no bodies, subjects or comments, and does not carry
// out the action (releasing, cancelling): callers do that and record here.
package feedback

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/mail"
	"github.com/misend/misend/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Kind is a person's answer to a flagged message.
type Kind string

// Kinds of feedback. The names appear in the API and in report CSVs.
const (
	Confirmed Kind = "confirmed" // sender: this flagged recipient is right
	Reported  Kind = "reported"  // sender: the warning was a false alarm (message already sent)
	Released  Kind = "released"  // approver: the held message may go
	Dropped   Kind = "dropped"   // sender removed the flagged recipient
	Cancelled Kind = "cancelled" // sender cancelled the message
	Rejected  Kind = "rejected"  // approver refused the message
)

// Kinds lists every kind.
var Kinds = []Kind{Confirmed, Reported, Released, Dropped, Cancelled, Rejected}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// FalseAlarm reports whether k says misend flagged a message that was right.
func (k Kind) FalseAlarm() bool { return k == Confirmed || k == Reported || k == Released }

// Catch reports whether k says misend stopped a real mistake.
func (k Kind) Catch() bool { return k == Dropped || k == Cancelled || k == Rejected }

// teaches reports whether the sender vouched for the recipient.
func (k Kind) teaches() bool { return k == Confirmed || k == Reported }

// Event is one answer.
type Event struct {
	At         time.Time
	Kind       Kind
	MessageID  string
	QueueID    string
	Sender     string
	Department string
	Recipient  string // the recipient concerned; empty for the whole message
	By         string
	Codes      []finding.Code // the codes the message was flagged with
}

// Learner is the model's incremental update; *model.Model implements it.
type Learner interface {
	Learn(msg *mail.Message) bool
}

// Log stores feedback and passes what teaches on to a Learner.
type Log struct {
	db      *store.DB
	learner Learner
}

// ErrInvalid is returned for an event that cannot be recorded as given.
var ErrInvalid = errors.New("feedback: invalid event")

// Open applies the feedback schema to db. learner may be nil (nothing is
// learned, feedback is still recorded).
func Open(ctx context.Context, db *store.DB, learner Learner) (*Log, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("feedback: migrations: %w", err)
	}
	if err := db.Migrate(ctx, "feedback", sub); err != nil {
		return nil, fmt.Errorf("feedback: %w", err)
	}
	return &Log{db: db, learner: learner}, nil
}

// Record stores e and, when the sender vouched for a recipient, teaches the
// model that the sender mails that recipient. Recording the same answer
// again changes nothing.
func (l *Log) Record(ctx context.Context, e Event) error {
	if err := e.check(); err != nil {
		return err
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	codes := make([]string, len(e.Codes))
	for i, c := range e.Codes {
		codes[i] = string(c)
	}
	if _, err := l.db.ExecContext(ctx, `INSERT INTO feedback
		(at, kind, message_id, queue_id, sender, department, recipient, by_whom, codes)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		e.At.UnixMilli(), string(e.Kind), e.MessageID, e.QueueID, e.Sender, e.Department, e.Recipient, e.By,
		strings.Join(codes, " ")); err != nil {
		return fmt.Errorf("feedback: record %s of %s: %w", e.Kind, e.key(), err)
	}
	if l.learner != nil && e.Kind.teaches() && e.Recipient != "" {
		l.learner.Learn(vouched(e))
	}
	return nil
}

func (e Event) check() error {
	switch {
	case !e.Kind.Valid():
		return fmt.Errorf("%w: unknown kind %q", ErrInvalid, e.Kind)
	case e.Sender == "":
		return fmt.Errorf("%w: no sender", ErrInvalid)
	case e.MessageID == "" && e.QueueID == "":
		return fmt.Errorf("%w: neither message id nor queue id", ErrInvalid)
	case (e.Kind == Confirmed || e.Kind == Dropped) && e.Recipient == "":
		return fmt.Errorf("%w: %s needs the recipient", ErrInvalid, e.Kind)
	}
	return nil
}

func (e Event) key() string {
	if e.QueueID != "" {
		return e.QueueID
	}
	return e.MessageID
}

// vouched is the message the model learns from a sender's confirmation: the
// sender mailing that one recipient, at the time of the answer. Its own
// Message-ID keeps the model from taking it for the original message, which
// is learned separately when it is delivered.
func vouched(e Event) *mail.Message {
	return &mail.Message{
		MessageID: "feedback." + string(e.Kind) + "." + e.key() + "." + e.Recipient,
		Date:      e.At,
		From:      mail.Address{Addr: e.Sender},
		To:        []mail.Address{{Addr: e.Recipient}},
	}
}
