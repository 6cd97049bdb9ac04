package feedback

import (
	"context"
	"log/slog"
	"strings"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/held"
)

// HeldChanged records what an action on waiting mail says about misend's
// verdict; set it as (or call it from) held.Service.Changed so answers given
// in the web UI, the API and notification links all count. Errors are
// logged: an answer that cannot be recorded must not undo the action.
func (l *Log) HeldChanged(ctx context.Context, c held.Change) {
	for _, e := range eventsOf(c) {
		if err := l.Record(ctx, e); err != nil {
			slog.Warn("feedback: record held action", "id", c.Item.ID, "action", c.Action, "err", err)
		}
	}
}

// eventsOf maps one action to answers. A release the sender brings about
// (confirming every flagged recipient, or sending a delayed message now) is
// their confirmation, already recorded; only an approver's release is an
// answer of its own.
func eventsOf(c held.Change) []Event {
	it := c.Item
	base := Event{QueueID: it.ID, Sender: strings.ToLower(it.Sender), Department: it.Department, By: c.By, Codes: codesOf(it.Findings)}
	isSender := c.BySender
	var out []Event
	add := func(k Kind, rcpt string) {
		e := base
		e.Kind, e.Recipient = k, strings.ToLower(rcpt)
		out = append(out, e)
	}
	switch c.Action {
	case held.Confirmed:
		n := 0
		for _, r := range it.Recipients {
			if r.Flagged && r.Confirmed {
				add(Confirmed, r.Addr)
				n++
			}
		}
		if n == 0 {
			// The whole message confirmed: its findings name no recipient.
			add(Reported, "")
		}
	case held.Dropped:
		for _, r := range it.Dropped {
			add(Dropped, r)
		}
	case held.Released:
		if !isSender {
			add(Released, "")
		}
	case held.Cancelled:
		add(Cancelled, "")
	case held.Rejected:
		add(Rejected, "")
	}
	return out
}

func codesOf(fs []finding.Finding) []finding.Code {
	var out []finding.Code
	for _, f := range fs {
		dup := false
		for _, c := range out {
			dup = dup || c == f.Code
		}
		if !dup {
			out = append(out, f.Code)
		}
	}
	return out
}
