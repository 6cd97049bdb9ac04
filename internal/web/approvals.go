package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/misend/misend/internal/auth"
	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/held"
	"github.com/misend/misend/internal/mail"
)

// approvable returns the held messages an approver may decide on: those
// of the departments they approve, or all for an organisation approver,
// and those of other departments passed on to them because nobody decided
// (a deputy, the next level), but never their own (a hold needs a second
// person).
func (w *Web) approvable(ctx context.Context, p *auth.Principal) ([]held.Item, error) {
	items, err := w.o.Held.All(ctx, held.OperatorView)
	var out []held.Item
	for _, it := range items {
		if w.o.Held.MayDecide(it, p) {
			out = append(out, it)
		}
	}
	return out, err
}

func (w *Web) approvalsList(rw http.ResponseWriter, r *http.Request, q *req) {
	items, err := w.approvable(r.Context(), q.p)
	w.renderWaiting(rw, r, q, "approvals", items, err)
}

// toApprove returns a held message the approver may decide on; anything else
// is "not found".
func (w *Web) toApprove(ctx context.Context, q *req, id string) (held.Item, bool) {
	it, err := w.o.Held.Get(ctx, id, held.OperatorView)
	if err != nil || !w.o.Held.MayDecide(it, q.p) {
		return held.Item{}, false
	}
	return it, true
}

func (w *Web) approvalRelease(rw http.ResponseWriter, r *http.Request, q *req) {
	it, ok := w.toApprove(r.Context(), q, r.PathValue("id"))
	if !ok {
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return
	}
	comment := strings.TrimSpace(r.PostFormValue("comment"))
	if comment == "" && slices.ContainsFunc(it.Findings, func(f finding.Finding) bool { return f.Code == finding.ConfidentialTerms }) {
		// Confidential information leaves only with a reason on record.
		w.approvalsAgain(rw, r, q, "err.confcomment")
		return
	}
	drop := r.PostForm["drop"]
	if len(drop) > 0 && len(drop) >= len(it.Recipients) {
		w.approvalsAgain(rw, r, q, "err.dropall")
		return
	}
	if _, err := w.o.Held.ReleaseExcept(r.Context(), it.ID, w.actor(r, q), drop, comment); err != nil {
		w.heldError(rw, r, q, err)
		return
	}
	if len(drop) > 0 {
		w.setFlash(rw, r, flash{Key: "notice.partreleased", Subject: it.Subject})
		http.Redirect(rw, r, "/approvals", http.StatusSeeOther)
		return
	}
	http.Redirect(rw, r, "/approvals?done=released", http.StatusSeeOther)
}

func (w *Web) approvalReject(rw http.ResponseWriter, r *http.Request, q *req) {
	it, ok := w.toApprove(r.Context(), q, r.PathValue("id"))
	if !ok {
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return
	}
	comment := strings.TrimSpace(r.PostFormValue("comment"))
	if comment == "" {
		w.approvalsAgain(rw, r, q, "err.comment")
		return
	}
	if _, err := w.o.Held.Reject(r.Context(), it.ID, w.actor(r, q), comment); err != nil {
		w.heldError(rw, r, q, err)
		return
	}
	http.Redirect(rw, r, "/approvals?done=rejected", http.StatusSeeOther)
}

// approvalsAgain shows the approvals page again with what is missing,
// rather than an error page that loses the approver's place.
func (w *Web) approvalsAgain(rw http.ResponseWriter, r *http.Request, q *req, key string) {
	items, err := w.approvable(r.Context(), q.p)
	if err != nil {
		w.internal(rw, r, q, err)
		return
	}
	w.renderWaitingPage(rw, r, q, "approvals", items, http.StatusBadRequest, page{Error: key})
}

func (w *Web) approvalBody(rw http.ResponseWriter, r *http.Request, q *req) {
	it, ok := w.toApprove(r.Context(), q, r.PathValue("id"))
	if !ok {
		w.fail(rw, r, q, http.StatusNotFound, "err.notfound")
		return
	}
	w.showBody(rw, r, q, it, "approval", "/approvals")
}

type bodyData struct {
	Item    held.Item
	Msg     *mail.Message
	Back    string
	Problem bool
}

// showBody reads a body through held.Holds, which checks the reader and
// writes the audit entry before returning it, and shows it as text (never
// as HTML).
func (w *Web) showBody(rw http.ResponseWriter, r *http.Request, q *req, it held.Item, reason, back string) {
	raw, err := w.o.Held.Body(r.Context(), it.ID, w.actor(r, q), reason)
	if err != nil {
		if errors.Is(err, held.ErrNoAudit) {
			w.fail(rw, r, q, http.StatusServiceUnavailable, "err.noaudit")
			return
		}
		w.heldError(rw, r, q, err)
		return
	}
	d := bodyData{Item: it, Back: back}
	if d.Msg, err = mail.Parse(bytes.NewReader(raw), mail.Limits{}); err != nil {
		d.Problem = true
	}
	w.render(rw, r, q, http.StatusOK, "body", page{Title: "title.body", Data: d})
}
