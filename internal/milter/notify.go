package milter

import (
	"bufio"
	"bytes"
	"context"
	"log/slog"
	"mime"
	"net/textproto"
	"time"

	"github.com/emersion/go-message/charset"
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
		Subject: subjectOf(raw), Decision: res.Decision, Findings: res.Findings,
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

// subjectOf returns the decoded Subject of raw, "" when it has none or the
// header block cannot be read.
func subjectOf(raw []byte) string {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		end = len(raw)
	}
	h, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(append(raw[:end:end], "\r\n\r\n"...)))).ReadMIMEHeader()
	if err != nil && h == nil {
		return ""
	}
	s := h.Get("Subject")
	if dec, err := (&mime.WordDecoder{CharsetReader: charset.Reader}).DecodeHeader(s); err == nil {
		return dec
	}
	return s
}
