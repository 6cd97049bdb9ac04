package milter

import (
	"context"
	"log/slog"
	"time"

	"github.com/misend/misend/internal/notify"
)

// Notifier is what NotifyingHolder tells about a held message.
type Notifier interface {
	Notify(ctx context.Context, w notify.Waiting) error
}

// NotifyingHolder holds through Holder, then asks Notifier to mail the
// sender or the approvers. The message is durable before anyone is told; a
// notification that fails is logged and does not undo the hold (the
// message is safe in the queue and visible to operators).
type NotifyingHolder struct {
	Holder   Holder
	Notifier Notifier
	Log      *slog.Logger
	Now      func() time.Time
}

// Hold implements Holder.
func (h *NotifyingHolder) Hold(ctx context.Context, env Envelope, raw []byte, res Result) (string, error) {
	id, err := h.Holder.Hold(ctx, env, raw, res)
	if err != nil {
		return "", err
	}
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	w := notify.Waiting{
		QueueID: id, Sender: res.Sender, Department: res.Department, Recipients: env.To,
		Subject: res.SubjectFor(raw), Decision: res.Decision, Findings: res.Findings,
	}
	if w.Sender == "" {
		w.Sender = env.From
	}
	if res.Decision.Delay > 0 {
		w.ReleaseAt = now().Add(res.Decision.Delay)
	}
	if err := h.Notifier.Notify(ctx, w); err != nil {
		log := h.Log
		if log == nil {
			log = slog.Default()
		}
		log.Error("milter: notify about held message", "queue_id", id, "err", err)
	}
	return id, nil
}
