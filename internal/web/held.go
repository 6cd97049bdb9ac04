package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/queue"
)

// heldView is one waiting message as its sender sees it: each recipient
// with the reasons it was flagged, then the reasons about the whole
// message.
type heldView struct {
	held.Item
	Rows    []rcptRow
	General []finding.Finding
	// CanConfirm: the message waits for its sender's confirmation.
	CanConfirm bool
}

type rcptRow struct {
	held.Recipient
	Findings []finding.Finding
}

// viewOf groups an item's findings by recipient, written in the reader's language lang.
func viewOf(it held.Item, lang string) heldView {
	it.Findings = finding.LocalizeAll(it.Findings, lang)
	v := heldView{Item: it, CanConfirm: it.State == queue.Confirming}
	for _, rc := range it.Recipients {
		row := rcptRow{Recipient: rc}
		for _, f := range it.Findings {
			if strings.EqualFold(f.Recipient, rc.Addr) {
				row.Findings = append(row.Findings, f)
			}
		}
		v.Rows = append(v.Rows, row)
	}
	for _, f := range it.Findings {
		if f.Recipient == "" || !slices.ContainsFunc(it.Recipients, func(rc held.Recipient) bool { return strings.EqualFold(rc.Addr, f.Recipient) }) {
			v.General = append(v.General, f)
		}
	}
	return v
}

// notices maps the ?done= of a redirect after an action to its message.
var notices = map[string]string{
	"confirmed": "notice.confirmed", "released": "notice.released", "dropped": "notice.dropped",
	"cancelled": "notice.cancelled", "rejected": "notice.rejected", "proposed": "notice.proposed",
	"approved": "notice.approved", "refused": "notice.refused", "imported": "notice.imported",
}

func notice(r *http.Request) string { return notices[r.URL.Query().Get("done")] }

func (w *Web) heldList(rw http.ResponseWriter, r *http.Request, q *req) {
	items, err := w.o.Held.ForSender(r.Context(), q.p.Address, held.SenderView)
	w.renderWaiting(rw, r, q, "held", items, err)
}

// renderWaiting shows a list of waiting messages with the page template
// of that name ("held", "approvals") in the reader's language.
func (w *Web) renderWaiting(rw http.ResponseWriter, r *http.Request, q *req, name string, items []held.Item, err error) {
	if err != nil {
		w.internal(rw, r, q, err)
		return
	}
	var views []heldView
	for _, it := range items {
		views = append(views, viewOf(it, q.lang))
	}
	w.render(rw, r, q, http.StatusOK, name, page{Title: "title." + name, Notice: notice(r), Data: views})
}

// own returns a waiting message of the signed-in sender; any other
// message is "not found", so IDs reveal nothing.
func (w *Web) own(ctx context.Context, q *req, id string) (held.Item, bool) {
	it, err := w.o.Held.Get(ctx, id, held.SenderView)
	if err != nil || !it.State.Waiting() {
		return held.Item{}, false
	}
	if !w.o.Held.Sent(it, q.p) {
		return held.Item{}, false
	}
	return it, true
}

// actor is the signed-in person acting on held mail; the session rebuilt
// their principal from the directory and account for this request.
func (w *Web) actor(r *http.Request, q *req) held.Actor {
	return held.Actor{Principal: *q.p, Via: "web", Remote: w.clientIP(r)}
}

func (w *Web) heldConfirm(rw http.ResponseWriter, r *http.Request, q *req) {
	it, ok := w.own(r.Context(), q, r.PathValue("id"))
	if !ok {
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return
	}
	// Each flagged recipient is ticked on its own; there is deliberately
	// no "confirm all" (a ritual tick-all defeats the check).
	rcpts := r.PostForm["rcpt"]
	if len(rcpts) == 0 {
		w.fail(rw, r, q, http.StatusBadRequest, "err.tickeach")
		return
	}
	for _, rc := range rcpts {
		if _, err := w.o.Held.ConfirmRecipient(r.Context(), it.ID, rc, w.actor(r, q)); err != nil {
			w.heldError(rw, r, q, err)
			return
		}
	}
	http.Redirect(rw, r, "/held?done=confirmed", http.StatusSeeOther)
}

func (w *Web) heldDrop(rw http.ResponseWriter, r *http.Request, q *req) {
	it, ok := w.own(r.Context(), q, r.PathValue("id"))
	if !ok {
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return
	}
	rc := r.PostFormValue("rcpt")
	if _, err := w.o.Held.DropRecipient(r.Context(), it.ID, rc, w.actor(r, q)); err != nil {
		w.heldError(rw, r, q, err)
		return
	}
	http.Redirect(rw, r, "/held?done=dropped", http.StatusSeeOther)
}

func (w *Web) heldCancel(rw http.ResponseWriter, r *http.Request, q *req) {
	it, ok := w.own(r.Context(), q, r.PathValue("id"))
	if !ok {
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return
	}
	if _, err := w.o.Held.Cancel(r.Context(), it.ID, w.actor(r, q)); err != nil {
		w.heldError(rw, r, q, err)
		return
	}
	http.Redirect(rw, r, "/held?done=cancelled", http.StatusSeeOther)
}

func (w *Web) heldBody(rw http.ResponseWriter, r *http.Request, q *req) {
	it, ok := w.own(r.Context(), q, r.PathValue("id"))
	if !ok {
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return
	}
	w.showBody(rw, r, q, it, "own message", "/held")
}

// heldError answers a refused action on held mail.
func (w *Web) heldError(rw http.ResponseWriter, r *http.Request, q *req, err error) {
	switch {
	case errors.Is(err, held.ErrNotFound), errors.Is(err, held.ErrNotAllowed), errors.Is(err, held.ErrOwnMessage):
		// Whether a message exists is no business of someone who may not act on it.
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
	case errors.Is(err, held.ErrState):
		w.fail(rw, r, q, http.StatusConflict, "err.state")
	case errors.Is(err, held.ErrNotRecipient), errors.Is(err, held.ErrNotFlagged):
		w.fail(rw, r, q, http.StatusBadRequest, "err.recipient")
	default:
		w.internal(rw, r, q, err)
	}
}

func (w *Web) internal(rw http.ResponseWriter, r *http.Request, q *req, err error) {
	w.o.Log.Error("web", "path", r.URL.Path, "err", err)
	w.fail(rw, r, q, http.StatusInternalServerError, "err.internal")
}
